"""The saved queries of the cost reports, as SQL templates over the cost and usage export's table.

Placeholders: ``{table}`` ("database"."table"), ``{since}`` (an expression: the first billing period shown), ``{team}`` and
``{line_of_business}`` (cost category names), ``{domain}``, ``{user_profile}``, ``{space}`` and ``{project}``
(keys of SageMaker's tags in the resource_tags column). Map values are read with ``element_at``, which gives
NULL for a missing key where ``map[key]`` fails the query.
"""

from __future__ import annotations

SAGEMAKER = "line_item_product_code = 'AmazonSageMaker'"
COST = "ROUND(SUM(line_item_unblended_cost), 2) AS unblended_cost_usd"
TEAM = "element_at(cost_category, '{team}') AS ml_team"

SAVED_QUERIES: dict[str, tuple[str, str]] = {
    "cost-by-ml-user": (
        "Cost per ML user: what each Studio user profile (or shared space) started, by team and month",
        f"""SELECT billing_period, {TEAM}, line_item_usage_account_name AS account,
  element_at(resource_tags, '{{domain}}') AS studio_domain,
  COALESCE(element_at(resource_tags, '{{user_profile}}'), element_at(resource_tags, '{{space}}')) AS studio_user_or_space,
  {COST}
FROM {{table}}
WHERE billing_period >= {{since}} AND element_at(resource_tags, '{{domain}}') IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY billing_period DESC, unblended_cost_usd DESC""",
    ),
    "cost-by-ml-team": (
        "Cost per line of business, ML team and account, by service and month (every cost of the team's accounts)",
        f"""SELECT billing_period, element_at(cost_category, '{{line_of_business}}') AS line_of_business, {TEAM},
  line_item_usage_account_name AS account, line_item_product_code AS service, {COST}
FROM {{table}}
WHERE billing_period >= {{since}}
GROUP BY 1, 2, 3, 4, 5
ORDER BY billing_period DESC, unblended_cost_usd DESC""",
    ),
    "cost-by-ml-product": (
        "Cost per ML product: the resources of each SageMaker project (a use case's build and deploy templates)",
        f"""SELECT billing_period, {TEAM}, element_at(resource_tags, '{{project}}') AS ml_product,
  line_item_usage_account_name AS account, line_item_product_code AS service, {COST}
FROM {{table}}
WHERE billing_period >= {{since}} AND element_at(resource_tags, '{{project}}') IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY billing_period DESC, unblended_cost_usd DESC""",
    ),
    "usage-studio-users": (
        "Usage: Studio users and shared spaces that ran something, per team and month",
        f"""SELECT billing_period, {TEAM},
  COUNT(DISTINCT element_at(resource_tags, '{{user_profile}}')) AS studio_users,
  COUNT(DISTINCT element_at(resource_tags, '{{space}}')) AS studio_spaces, {COST}
FROM {{table}}
WHERE billing_period >= {{since}} AND {SAGEMAKER} AND element_at(resource_tags, '{{domain}}') IS NOT NULL
GROUP BY 1, 2
ORDER BY billing_period DESC, ml_team""",
    ),
    "usage-instance-types": (
        "Usage: SageMaker instance types per team and month (usage type, amount and cost)",
        f"""SELECT billing_period, {TEAM}, product_instance_type AS instance_type, line_item_usage_type AS usage_type,
  ROUND(SUM(line_item_usage_amount), 2) AS usage_amount, {COST}
FROM {{table}}
WHERE billing_period >= {{since}} AND {SAGEMAKER} AND product_instance_type <> ''
GROUP BY 1, 2, 3, 4
ORDER BY billing_period DESC, unblended_cost_usd DESC""",
    ),
    "usage-endpoints": (
        "Usage: SageMaker endpoints per team, account and month, with their cost",
        f"""SELECT billing_period, {TEAM}, line_item_usage_account_name AS account,
  COUNT(DISTINCT line_item_resource_id) AS endpoints, {COST}
FROM {{table}}
WHERE billing_period >= {{since}} AND {SAGEMAKER} AND line_item_resource_id LIKE '%:endpoint/%'
GROUP BY 1, 2, 3
ORDER BY billing_period DESC, unblended_cost_usd DESC""",
    ),
}
