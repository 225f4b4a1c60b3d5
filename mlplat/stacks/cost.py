"""Placement of module 8 (cost): budgets in the management account."""

from __future__ import annotations

from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.cost.budgets import AccountBudget, AccountBudgetProps

    management = stacks.for_account("management")
    for budget in stacks.org.budgets:
        if not budget.accounts:
            continue
        AccountBudget(management.scope, f"budget-{budget.name}", AccountBudgetProps(
            budget_name=f"{stacks.org.name}-{budget.name}",
            account_ids=[stacks.account_id(key) for key in budget.accounts],
            monthly_limit_usd=budget.monthly_limit_usd,
            alert_thresholds=list(budget.alert_thresholds),
            alert_emails=list(budget.alert_emails),
        ))
