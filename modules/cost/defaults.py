"""Cost and reporting defaults: budgets, cost categories, anomaly alerts, the cost and usage export and the
queries over it, kept as data in one place."""

from __future__ import annotations

import re

# -- budgets: monthly cost budgets in USD, alerting on actual spend and on the forecast ---------------------
BUDGET_TYPE = "COST"
TIME_UNIT = "MONTHLY"
LIMIT_UNIT = "USD"
# A forecast past the whole limit is worth an early warning whatever thresholds a team chose.
FORECAST_THRESHOLD = 100

# -- cost allocation tags --------------------------------------------------------------------------------
# Tags SageMaker puts on what Studio users start (training and processing jobs, apps, spaces): the domain,
# and the user profile or the space that started it. Activated, they give the cost per ML user.
STUDIO_DOMAIN_TAG = "sagemaker:domain-arn"
STUDIO_USER_PROFILE_TAG = "sagemaker:user-profile-arn"
STUDIO_SPACE_TAG = "sagemaker:space-arn"
# Tag SageMaker projects put on the resources of the project templates (a use case: an ML product).
PROJECT_TAG = "sagemaker:project-name"
SAGEMAKER_TAGS: tuple[str, ...] = (STUDIO_DOMAIN_TAG, STUDIO_USER_PROFILE_TAG, STUDIO_SPACE_TAG, PROJECT_TAG)
TAG_STATUS = "Active"

# -- tag policy ------------------------------------------------------------------------------------------
TAG_POLICY_TYPE = "TAG_POLICY"
MAX_TAG_POLICY_CHARACTERS = 10000  # AWS Organizations quota of a tag policy document

# -- cost categories -------------------------------------------------------------------------------------
COST_CATEGORY_RULE_VERSION = "CostCategoryExpression.v1"
# Rules match whole accounts: every cost of a team account is the team's, tagged or not (data transfer,
# support, untaggable resources), from the first day, without waiting for tag activation.
COST_CATEGORY_DIMENSION = "LINKED_ACCOUNT"

# -- anomaly detection -----------------------------------------------------------------------------------
ANOMALY_MONITOR_TYPE = "CUSTOM"
# Email subscribers take DAILY or WEEKLY digests (IMMEDIATE needs an SNS topic).
ANOMALY_FREQUENCY = "DAILY"
ANOMALY_SUBSCRIBER_TYPE = "EMAIL"
ANOMALY_THRESHOLD_KEY = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
ANOMALY_THRESHOLD_MATCH = "GREATER_THAN_OR_EQUAL"

# -- cost and usage export (CUR 2.0, BCM Data Exports) ------------------------------------------------------
# Data Exports runs in us-east-1 whatever the provider's region: export ARNs name that region.
DATA_EXPORTS_REGION = "us-east-1"
DATA_EXPORTS_PRINCIPAL = "bcm-data-exports.amazonaws.com"
EXPORT_TABLE = "COST_AND_USAGE_REPORT"
EXPORT_TABLE_CONFIGURATION: dict[str, str] = {
    "TIME_GRANULARITY": "DAILY",
    "INCLUDE_RESOURCES": "TRUE",  # resource ids: endpoints, Studio apps and jobs one by one
    "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
    "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
}
EXPORT_FORMAT = "PARQUET"
EXPORT_COMPRESSION = "PARQUET"
EXPORT_OUTPUT_TYPE = "CUSTOM"
EXPORT_OVERWRITE = "OVERWRITE_REPORT"  # one current file set per billing period, rewritten until it closes
EXPORT_REFRESH = "SYNCHRONOUS"
EXPORT_PREFIX = "cur2"
# Data Exports writes <prefix>/<export name>/data/BILLING_PERIOD=YYYY-MM/*.parquet
EXPORT_DATA_FOLDER = "data"
BILLING_PERIOD_PARTITION = "BILLING_PERIOD"

# The columns the export selects, and so the Glue table's schema: what the reports need, nothing more.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("bill_billing_period_start_date", "timestamp"),
    ("bill_payer_account_id", "string"),
    ("line_item_usage_account_id", "string"),
    ("line_item_usage_account_name", "string"),
    ("line_item_line_item_type", "string"),
    ("line_item_product_code", "string"),
    ("line_item_usage_type", "string"),
    ("line_item_operation", "string"),
    ("line_item_resource_id", "string"),
    ("line_item_usage_start_date", "timestamp"),
    ("line_item_usage_amount", "double"),
    ("line_item_unblended_cost", "double"),
    ("product_instance_type", "string"),
    ("product_region_code", "string"),
    ("product", "map<string,string>"),
    ("resource_tags", "map<string,string>"),
    ("cost_category", "map<string,string>"),
)

# -- reporting bucket, key and queries -------------------------------------------------------------------
QUERY_RESULTS_EXPIRATION_DAYS = 30  # query results are working copies; the export is the record
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TABLE_NAME = "cost_and_usage"
# Partition projection: Athena computes the billing periods, no crawler and no partition to add.
PROJECTION_START = "2024-01"
ATHENA_BYTES_SCANNED_CUTOFF = 100 * 1024**3  # 100 GB a query: a runaway query costs at most about USD 0.50
REPORT_MONTHS = 3  # the saved queries look at the current and the last few billing periods


def export_column(tag_key: str) -> str:
    """A user-defined tag's key in the export's resource_tags column: 'user_' and the key, lowercased, with every
    character other than a letter or a digit made an underscore (``sagemaker:user-profile-arn`` ->
    ``user_sagemaker_user_profile_arn``)."""
    return "user_" + re.sub(r"[^a-z0-9]", "_", tag_key.lower())
