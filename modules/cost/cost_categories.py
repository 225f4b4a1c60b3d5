"""A cost category whose values are made of whole accounts (a team, a line of business)."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults


class CostCategoryProps(Props):
    name: str
    rules: dict[str, list[str]]  # value -> the linked account ids whose costs it takes, in rule order
    default_value: str  # the value of every other account
    provider: Any = None


class AccountCostCategory(Construct):
    """An ``aws_ce_cost_category`` with one rule per value, matching the value's linked accounts.

    Rules on accounts rather than tags: every cost of an account (data transfer, support, untaggable
    resources) counts, from the first day, without waiting for tag activation. Accounts outside every rule
    take ``default_value``. The category appears in Cost Explorer, Budgets and the cost and usage export.
    """

    def __init__(self, scope: Construct, id: str, props: CostCategoryProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        category = aws.ce_cost_category
        self.category = category.CeCostCategory(
            self, "category", name=props.name, rule_version=defaults.COST_CATEGORY_RULE_VERSION,
            default_value=props.default_value,
            rule=[category.CeCostCategoryRule(
                value=value, type="REGULAR",
                rule=category.CeCostCategoryRuleRule(dimension=category.CeCostCategoryRuleRuleDimension(
                    key=defaults.COST_CATEGORY_DIMENSION, values=list(ids), match_options=["EQUALS"])))
                for value, ids in props.rules.items() if ids],
            **provider)
        self.name: str = self.category.name
