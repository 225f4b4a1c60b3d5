"""The cost and usage export (CUR 2.0) of the whole organization into a private, KMS-encrypted bucket."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, statement
from mlplat.modules.cost import defaults
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps


class CostAndUsageExportProps(Props):
    account_id: str  # the management (payer) account: the only one that exports the organization's costs
    region: str  # of the buckets and the key
    export_name: str
    bucket_name: str
    access_logs_bucket_name: str
    kms_alias: str
    provider: Any = None


def export_query() -> str:
    """The export's SQL: the columns the reports read, from the CUR 2.0 table."""
    columns = ", ".join(name for name, _ in defaults.EXPORT_COLUMNS)
    return f"SELECT {columns} FROM {defaults.EXPORT_TABLE}"


class CostAndUsageExport(Construct):
    """A BCM Data Exports export (CUR 2.0, daily, with resource ids, Parquet, overwritten per billing period)
    into a bucket of the account that creates it.

    Creates the reporting key (rotation on), an S3 access-log bucket, the export bucket (private,
    versioned, TLS only, SSE-KMS) whose policy lets only the Data Exports service write, and only for
    exports of this account (``aws:SourceAccount``, ``aws:SourceArn``), and the export. The key lets the
    service encrypt on the same conditions.

    Exposes ``key_arn``, ``bucket_name``, ``access_logs_bucket_name`` and ``data_location`` (the S3 folder
    holding one ``BILLING_PERIOD=YYYY-MM`` folder per month).
    """

    def __init__(self, scope: Construct, id: str, props: CostAndUsageExportProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        account = props.account_id
        export_arns = f"arn:aws:bcm-data-exports:{defaults.DATA_EXPORTS_REGION}:{account}:export/*"
        from_exports = {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": export_arns}}
        service = {"Service": defaults.DATA_EXPORTS_PRINCIPAL}

        key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.kms_alias, description="Cost and usage export and the cost reports' queries",
            account_id=account, provider=props.provider, policy_statements=[
                statement("DataExportsEncrypts", ["kms:Decrypt", "kms:GenerateDataKey"], "*", principals=service,
                          conditions=from_exports),
            ]))
        self.key_arn: str = key.arn
        access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=account, kms_key_arn=None, access_logs_bucket=None,
            provider=props.provider))
        self.access_logs_bucket_name: str = access_logs.bucket_name
        bucket_arn = f"arn:aws:s3:::{props.bucket_name}"
        bucket = PrivateBucket(self, "bucket", PrivateBucketProps(
            bucket_name=props.bucket_name, account_id=account, kms_key_arn=key.arn,
            access_logs_bucket=access_logs.bucket_name, provider=props.provider, policy_statements=[
                statement("DataExportsWrite", ["s3:PutObject"], f"{bucket_arn}/{defaults.EXPORT_PREFIX}/*",
                          principals=service, conditions=from_exports),
                statement("DataExportsChecksPolicy", ["s3:GetBucketPolicy"], bucket_arn, principals=service,
                          conditions=from_exports),
            ]))
        self.bucket_name: str = bucket.bucket_name

        export = aws.bcmdataexports_export
        self.export = export.BcmdataexportsExport(
            self, "export", export=[export.BcmdataexportsExportExport(
                name=props.export_name,
                description="Cost and usage of the organization for the platform's cost reports",
                data_query=[export.BcmdataexportsExportExportDataQuery(
                    query_statement=export_query(),
                    table_configurations={defaults.EXPORT_TABLE: dict(defaults.EXPORT_TABLE_CONFIGURATION)})],
                destination_configurations=[export.BcmdataexportsExportExportDestinationConfigurations(
                    s3_destination=[export.BcmdataexportsExportExportDestinationConfigurationsS3Destination(
                        s3_bucket=bucket.bucket_name, s3_prefix=defaults.EXPORT_PREFIX, s3_region=props.region,
                        s3_output_configurations=[
                            export.BcmdataexportsExportExportDestinationConfigurationsS3DestinationS3OutputConfigurations(
                                format=defaults.EXPORT_FORMAT, compression=defaults.EXPORT_COMPRESSION,
                                output_type=defaults.EXPORT_OUTPUT_TYPE, overwrite=defaults.EXPORT_OVERWRITE)])])],
                refresh_cadence=[export.BcmdataexportsExportExportRefreshCadence(frequency=defaults.EXPORT_REFRESH)])],
            **provider)
        self.data_location: str = (f"s3://{props.bucket_name}/{defaults.EXPORT_PREFIX}/{props.export_name}/"
                                   f"{defaults.EXPORT_DATA_FOLDER}/")
