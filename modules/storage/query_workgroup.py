"""An Athena workgroup whose results stay encrypted in a private bucket, with its saved queries."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.storage import defaults
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps


class QueryWorkgroupProps(Props):
    account_id: str
    workgroup_name: str
    description: str
    key_arn: str  # encrypts the results
    results_bucket_name: str
    access_logs_bucket_name: str  # receives the results bucket's S3 server access logs
    results_prefix: str = ""
    results_expiration_days: int = Field(gt=0)
    bytes_scanned_cutoff_per_query: int = Field(ge=10 * 1024**2)  # Athena's minimum is 10 MB
    database: Any  # the Glue database the saved queries run in (a name or a token)
    queries: dict[str, tuple[str, str]]  # saved query name -> (description, SQL)
    provider: Any = None


class QueryWorkgroup(Construct):
    """An Athena workgroup that enforces its configuration, its results bucket and its saved queries.

    The workgroup (engine version 3) overrides what a client asks for: results only under its results
    location, encrypted with SSE-KMS under ``key_arn``, the bucket's owner checked, a cap on the bytes one
    query scans, CloudWatch metrics published. The results bucket is a :class:`PrivateBucket` whose objects
    expire after ``results_expiration_days`` (results are working copies; the data queried is the record).
    One saved query per entry of ``queries``, in ``database``.
    """

    def __init__(self, scope: Construct, id: str, props: QueryWorkgroupProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.results = PrivateBucket(self, "results", PrivateBucketProps(
            bucket_name=props.results_bucket_name, account_id=props.account_id, kms_key_arn=props.key_arn,
            access_logs_bucket=props.access_logs_bucket_name, expiration_days=props.results_expiration_days,
            provider=props.provider))
        athena = aws.athena_workgroup
        self.workgroup = athena.AthenaWorkgroup(
            self, "workgroup", name=props.workgroup_name, description=props.description, state="ENABLED",
            force_destroy=False,
            configuration=athena.AthenaWorkgroupConfiguration(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=props.bytes_scanned_cutoff_per_query,
                engine_version=athena.AthenaWorkgroupConfigurationEngineVersion(
                    selected_engine_version=defaults.ATHENA_ENGINE_VERSION),
                result_configuration=athena.AthenaWorkgroupConfigurationResultConfiguration(
                    output_location=f"s3://{self.results.bucket_name}/{props.results_prefix}",
                    expected_bucket_owner=props.account_id,
                    encryption_configuration=athena.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option=defaults.ATHENA_RESULTS_ENCRYPTION, kms_key_arn=props.key_arn))),
            **provider)
        self.query_ids: dict[str, str] = {}
        for name, (description, sql) in sorted(props.queries.items()):
            query = aws.athena_named_query.AthenaNamedQuery(
                self, f"query-{name}", name=name, description=description, workgroup=self.workgroup.name,
                database=props.database, query=sql, **provider)
            self.query_ids[name] = query.id
