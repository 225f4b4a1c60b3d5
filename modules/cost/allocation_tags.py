"""Cost allocation tags: the tag keys Cost Explorer, Budgets and the cost and usage export break costs down by."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults
from mlplat.modules.foundations.organization.naming import unique_ids


class CostAllocationTagsProps(Props):
    tag_keys: list[str]
    provider: Any = None


class CostAllocationTags(Construct):
    """One ``aws_ce_cost_allocation_tag`` (Active) per tag key, in the management account, for the whole organization.

    Limit: AWS activates a key only once it has appeared in billing data, up to 24 hours after a resource
    carrying it first costs something; before that the activation fails, and only costs from the activation on
    are broken down by the key.
    """

    def __init__(self, scope: Construct, id: str, props: CostAllocationTagsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        keys = sorted(set(props.tag_keys))
        for key, cid in unique_ids("tag", keys, "cost allocation tag keys").items():
            aws.ce_cost_allocation_tag.CeCostAllocationTag(self, cid, tag_key=key, status=defaults.TAG_STATUS, **provider)
