"""Placement of module 8 (cost and reporting).

The organization stack gets the tag policy of the OUs holding the teams' accounts. The management stack,
the payer that sees every account's cost, gets the rest: the budgets (the spec's, every team's and every
team account's), the cost allocation tags, the team and line of business cost categories, a cost anomaly
monitor and its email alerts per team and per line of business, the cost and usage export and the Athena
reports over it. Cost Explorer, Budgets, Organizations and Data Exports are global services: everything
uses the home region's provider.

Reads the account ids and OU ids the organization stack exports.
"""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.stacks.context import StackSet

EXPORT_NAME = "{org}-cost-and-usage"


def place(stacks: StackSet) -> None:
    from mlplat.modules.cost import defaults
    from mlplat.modules.cost.allocation_tags import CostAllocationTags, CostAllocationTagsProps
    from mlplat.modules.cost.anomaly_alerts import CostAnomalyAlerts, CostAnomalyAlertsProps
    from mlplat.modules.cost.budgets import AccountBudget, AccountBudgetProps
    from mlplat.modules.cost.cost_categories import AccountCostCategory, CostCategoryProps
    from mlplat.modules.cost.cost_export import CostAndUsageExport, CostAndUsageExportProps
    from mlplat.modules.cost.cost_reports import CostReports, CostReportsProps
    from mlplat.modules.cost.tag_policy import CostTagPolicy, CostTagPolicyProps

    org = stacks.org
    cost = org.cost
    region = org.home_region

    if cost.tag_policy is not None and stacks.organization.built:
        CostTagPolicy(stacks.organization.scope, "cost-tag-policy", CostTagPolicyProps(
            name=f"{org.name}-cost-tags",
            description="Cost tags of the ML teams' accounts: keys and the values the spec declares",
            content=cost.tag_policy.content,
            targets={path: stacks.organization.ou_id(path) for path in cost.tag_policy.targets},
            depends_on=[stacks.shared.organization],
        ))

    management = stacks.for_account("management")
    if not management.built:
        return
    scope = management.scope
    provider = management.provider(region)
    account = management.account_id()

    for budget in org.budgets:
        if not budget.accounts:
            continue
        AccountBudget(scope, f"budget-{budget.name}", AccountBudgetProps(
            budget_name=f"{org.name}-{budget.name}",
            account_ids=[management.account_id(key) for key in budget.accounts],
            monthly_limit_usd=budget.monthly_limit_usd,
            alert_thresholds=list(budget.alert_thresholds),
            alert_emails=list(budget.alert_emails),
        ))

    if cost.activate_allocation_tags:
        CostAllocationTags(scope, "cost-allocation-tags", CostAllocationTagsProps(
            tag_keys=[*cost.tag_keys.values(), *defaults.SAGEMAKER_TAGS], provider=provider))

    categories = {}
    for key, name, owners in (("team", cost.team_category, cost.teams),
                              ("line_of_business", cost.line_of_business_category, cost.lines_of_business)):
        if not owners:
            continue
        categories[key] = AccountCostCategory(scope, f"cost-category-{key.replace('_', '-')}", CostCategoryProps(
            name=name, default_value=cost.default_category_value, provider=provider,
            rules={o.name: [management.account_id(k) for k in o.accounts] for o in owners}))
    for key, kind, owners in (("team", "team", cost.teams), ("line_of_business", "lob", cost.lines_of_business)):
        for owner in owners:
            CostAnomalyAlerts(scope, f"anomalies-{kind}-{owner.name}", CostAnomalyAlertsProps(
                name=f"{org.name}-{kind}-{owner.name}", cost_category=categories[key].name, value=owner.name,
                emails=list(owner.alert_emails), threshold_usd=cost.anomaly_threshold_usd, provider=provider))

    export = CostAndUsageExport(scope, "cost-export", CostAndUsageExportProps(
        account_id=account, region=region, export_name=EXPORT_NAME.format(org=org.name),
        bucket_name=naming.cost_reports_bucket_name(org.name, account, region),
        access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
        kms_alias=f"alias/{org.name}-cost-reports", provider=provider))
    CostReports(scope, "cost-reports", CostReportsProps(
        account_id=account, name_prefix=org.name, database_name=naming.cost_database_name(org.name),
        data_location=export.data_location,
        results_bucket_name=naming.cost_queries_bucket_name(org.name, account, region),
        access_logs_bucket_name=export.access_logs_bucket_name, key_arn=export.key_arn,
        team_category=cost.team_category, line_of_business_category=cost.line_of_business_category,
        provider=provider))
