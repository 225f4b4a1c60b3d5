"""Monthly cost budgets over a set of accounts, with email alerts."""

from __future__ import annotations

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults


class AccountBudgetProps(Props):
    budget_name: str
    account_ids: list[str]
    monthly_limit_usd: float
    alert_thresholds: list[int]
    alert_emails: list[str]


class AccountBudget(Construct):
    """An AWS Budgets cost budget filtered to the given linked accounts.

    Alerts the emails when actual spend passes each threshold (percent of the limit) and when the
    forecast passes the whole limit. Lives in the management account, which sees every account's cost.
    """

    def __init__(self, scope: Construct, id: str, props: AccountBudgetProps) -> None:
        super().__init__(scope, id)
        budgets = aws.budgets_budget

        def notification(kind: str, threshold: int):
            return budgets.BudgetsBudgetNotification(
                comparison_operator="GREATER_THAN", threshold=threshold, threshold_type="PERCENTAGE",
                notification_type=kind, subscriber_email_addresses=list(props.alert_emails))

        notifications = [notification("ACTUAL", t) for t in sorted(set(props.alert_thresholds))]
        notifications.append(notification("FORECASTED", defaults.FORECAST_THRESHOLD))
        budgets.BudgetsBudget(
            self, "budget",
            name=props.budget_name,
            budget_type=defaults.BUDGET_TYPE,
            limit_amount=f"{props.monthly_limit_usd:.2f}",
            limit_unit=defaults.LIMIT_UNIT,
            time_unit=defaults.TIME_UNIT,
            cost_filter=[budgets.BudgetsBudgetCostFilter(name="LinkedAccount", values=list(props.account_ids))],
            notification=notifications,
        )
