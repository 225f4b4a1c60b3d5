"""Querying the organization trail with Athena, in the log archive account where the trail's files are."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.observability import defaults
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps
from mlplat.modules.storage.query_workgroup import QueryWorkgroup, QueryWorkgroupProps


class AuditLogQueriesProps(Props):
    account_id: str  # the log archive account
    region: str
    organization_id: str
    trail_bucket_name: str  # the log archive bucket the organization trail writes to
    account_ids: list[str] = Field(min_length=1)  # every account of the organization: the trail's partitions
    regions: list[str] = Field(min_length=1)  # the allowed regions (global services' region is added)
    lookback_days: int = Field(gt=0)  # how far back partitions are projected: the logs' retention
    key_alias: str  # 'alias/...'
    results_bucket_name: str
    access_logs_bucket_name: str  # receives the results bucket's S3 server access logs (created here)
    workgroup_name: str
    database_name: str  # Glue names take no hyphens
    table_name: str = defaults.TRAIL_TABLE
    results_expiration_days: int = defaults.RESULTS_EXPIRATION_DAYS
    bytes_scanned_cutoff_per_query: int = defaults.BYTES_SCANNED_CUTOFF_PER_QUERY
    query_lookback_days: int = defaults.QUERY_LOOKBACK_DAYS
    provider: Any = None


class AuditLogQueries(Construct):
    """The organization trail as an Athena table, a workgroup to query it and the queries auditors start from.

    Creates a Glue database and an external table over the trail's files (CloudTrail's documented schema)
    with partition projection over account, region and day of the ``AWSLogs/<organization id>/...`` layout,
    so new days, accounts' files and regions need no crawler; an Athena workgroup (engine version 3) that
    enforces its configuration: results only in its results bucket, SSE-KMS with its own key (a
    :class:`CustomerKey`), the bucket owner checked, a cap on the bytes one query scans, metrics published;
    a :class:`PrivateBucket` for results (expiring after ``results_expiration_days``) with its access-log
    bucket; and saved queries: model approvals, persona sign-ins and SCP changes. Reading the trail needs
    ``kms:Decrypt`` on the log archive key, which its policy grants to principals of the organization;
    who may query is decided by IAM (the auditor persona's permission set).
    """

    def __init__(self, scope: Construct, id: str, props: AuditLogQueriesProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description="Athena query results over the organization's logs",
            account_id=props.account_id, provider=props.provider))
        self.access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=props.account_id, kms_key_arn=None,
            access_logs_bucket=None, provider=props.provider))
        self.database = aws.glue_catalog_database.GlueCatalogDatabase(
            self, "database", name=props.database_name, catalog_id=props.account_id,
            description="The organization's logs in the log archive, for Athena", **provider)
        self.table = self._trail_table(props, provider)
        self.queries = QueryWorkgroup(self, "queries", QueryWorkgroupProps(
            account_id=props.account_id, workgroup_name=props.workgroup_name,
            description="Auditors' queries over the organization's logs", key_arn=self.key.arn,
            results_bucket_name=props.results_bucket_name, access_logs_bucket_name=self.access_logs.bucket_name,
            results_prefix=defaults.RESULTS_PREFIX, results_expiration_days=props.results_expiration_days,
            bytes_scanned_cutoff_per_query=props.bytes_scanned_cutoff_per_query, database=self.database.name,
            queries={name: (description, sql.format(database=props.database_name, table=props.table_name,
                                                    days=props.query_lookback_days))
                     for name, (description, sql) in defaults.NAMED_QUERIES.items()},
            provider=props.provider))

    def _trail_table(self, props: AuditLogQueriesProps, provider: dict[str, Any]) -> Any:
        glue = aws.glue_catalog_table
        prefix = f"s3://{props.trail_bucket_name}/AWSLogs/{props.organization_id}/"
        account, region, day = defaults.TRAIL_PARTITIONS
        regions = sorted(set(props.regions) | {defaults.GLOBAL_EVENTS_REGION})
        # '$${...}' is Terraform's escape: the table keeps '${account}', which Athena fills in
        template = f"{prefix}$${{{account}}}/CloudTrail/$${{{region}}}/$${{{day}}}"
        return glue.GlueCatalogTable(
            self, "trail-table", name=props.table_name, database_name=self.database.name, catalog_id=props.account_id,
            table_type="EXTERNAL_TABLE", description="The organization trail's log files (CloudTrail events)",
            parameters={
                "EXTERNAL": "TRUE",
                "classification": "cloudtrail",
                "projection.enabled": "true",
                f"projection.{account}.type": "enum",
                f"projection.{account}.values": ",".join(props.account_ids),
                f"projection.{region}.type": "enum",
                f"projection.{region}.values": ",".join(regions),
                f"projection.{day}.type": "date",
                f"projection.{day}.format": defaults.TRAIL_DAY_FORMAT,
                f"projection.{day}.interval": "1",
                f"projection.{day}.interval.unit": "DAYS",
                f"projection.{day}.range": f"NOW-{props.lookback_days}DAYS,NOW",
                "storage.location.template": template,
                # files the log archive has moved to archive storage are skipped, unless restored first
                "read_restored_glacier_objects": "true",
            },
            partition_keys=[glue.GlueCatalogTablePartitionKeys(name=p, type="string") for p in defaults.TRAIL_PARTITIONS],
            storage_descriptor=glue.GlueCatalogTableStorageDescriptor(
                location=prefix, input_format=defaults.TRAIL_INPUT_FORMAT, output_format=defaults.TRAIL_OUTPUT_FORMAT,
                ser_de_info=glue.GlueCatalogTableStorageDescriptorSerDeInfo(
                    serialization_library=defaults.TRAIL_SERDE),
                columns=[glue.GlueCatalogTableStorageDescriptorColumns(name=n, type=t) for n, t in defaults.TRAIL_COLUMNS]),
            **provider)
