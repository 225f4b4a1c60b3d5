"""The cost reports: the export as an Athena table and the saved queries of the framework's reports."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults
from mlplat.modules.cost.queries import SAVED_QUERIES
from mlplat.modules.data_lake.catalog import encrypted_catalog
from mlplat.modules.storage.query_workgroup import QueryWorkgroup, QueryWorkgroupProps


class CostReportsProps(Props):
    account_id: str
    name_prefix: str  # workgroup and saved query names: '<prefix>-...'
    database_name: str  # Glue and Athena names take no hyphens
    data_location: str  # the export's data folder, 's3://bucket/prefix/export/data/'
    results_bucket_name: str
    access_logs_bucket_name: str
    key_arn: str
    team_category: str
    line_of_business_category: str
    provider: Any = None


def query_text(template: str, database: str, team_category: str, line_of_business_category: str) -> str:
    """A saved query's SQL, from its template in :mod:`mlplat.modules.cost.queries`."""
    return template.format(
        table=f'"{database}"."{defaults.TABLE_NAME}"',
        since=f"date_format(date_add('month', -{defaults.REPORT_MONTHS}, current_date), '%Y-%m')",
        team=team_category, line_of_business=line_of_business_category,
        domain=defaults.export_column(defaults.STUDIO_DOMAIN_TAG),
        user_profile=defaults.export_column(defaults.STUDIO_USER_PROFILE_TAG),
        space=defaults.export_column(defaults.STUDIO_SPACE_TAG),
        project=defaults.export_column(defaults.PROJECT_TAG),
    )


class CostReports(Construct):
    """Athena over the cost and usage export, for the framework's reports.

    Creates the account's Glue catalog encryption (SSE-KMS, with the reporting key), a Glue database and
    an external Parquet table over the export, partitioned by billing period through partition projection
    (the export's ``BILLING_PERIOD=YYYY-MM`` folders; no crawler), a private query-results bucket (results
    expire after 30 days), an Athena workgroup that enforces its configuration (SSE-KMS results in that
    bucket, expected bucket owner, a 100 GB scan cut-off, CloudWatch metrics) and one saved query per
    report: cost by ML user, ML team and ML product, and usage (Studio users, instance types, endpoints).
    """

    def __init__(self, scope: Construct, id: str, props: CostReportsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        encrypted_catalog(self, props.key_arn, provider)
        database = aws.glue_catalog_database.GlueCatalogDatabase(
            self, "database", name=props.database_name,
            description="Cost and usage of the organization (the CUR 2.0 export)", **provider)
        partition = defaults.BILLING_PERIOD_PARTITION.lower()
        table = aws.glue_catalog_table
        self.table = table.GlueCatalogTable(
            self, "table", database_name=database.name, name=defaults.TABLE_NAME, table_type="EXTERNAL_TABLE",
            description="CUR 2.0 export: one partition per billing period",
            parameters={
                "classification": "parquet",
                "EXTERNAL": "TRUE",
                "projection.enabled": "true",
                f"projection.{partition}.type": "date",
                f"projection.{partition}.format": "yyyy-MM",
                f"projection.{partition}.range": f"{defaults.PROJECTION_START},NOW",
                f"projection.{partition}.interval": "1",
                f"projection.{partition}.interval.unit": "MONTHS",
                "storage.location.template":
                    f"{props.data_location}{defaults.BILLING_PERIOD_PARTITION}=$${{{partition}}}/",
            },
            partition_keys=[table.GlueCatalogTablePartitionKeys(name=partition, type="string")],
            storage_descriptor=table.GlueCatalogTableStorageDescriptor(
                location=props.data_location, input_format=defaults.PARQUET_INPUT_FORMAT,
                output_format=defaults.PARQUET_OUTPUT_FORMAT,
                ser_de_info=table.GlueCatalogTableStorageDescriptorSerDeInfo(serialization_library=defaults.PARQUET_SERDE),
                columns=[table.GlueCatalogTableStorageDescriptorColumns(name=name, type=kind)
                         for name, kind in defaults.EXPORT_COLUMNS]),
            **provider)

        self.queries = QueryWorkgroup(self, "queries", QueryWorkgroupProps(
            account_id=props.account_id, workgroup_name=f"{props.name_prefix}-cost-reports",
            description="Cost and usage reports of the ML platform", key_arn=props.key_arn,
            results_bucket_name=props.results_bucket_name, access_logs_bucket_name=props.access_logs_bucket_name,
            results_expiration_days=defaults.QUERY_RESULTS_EXPIRATION_DAYS,
            bytes_scanned_cutoff_per_query=defaults.ATHENA_BYTES_SCANNED_CUTOFF, database=database.name,
            queries={f"{props.name_prefix}-{name}": (description, query_text(
                template, props.database_name, props.team_category, props.line_of_business_category))
                for name, (description, template) in SAVED_QUERIES.items()},
            provider=props.provider))
