"""A team account's key and buckets: the team key, the ML artifact bucket and its access-log bucket."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct
from mlplat.modules.base import Props, statement, unique
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps, cloudwatch_alarms_publish, macie_decrypts
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps

LOGS_SERVICE = "logs.{region}.amazonaws.com"
S3_SERVICE = "s3.{region}.amazonaws.com"


class TeamStorageProps(Props):
    team: str
    account_id: str
    region: str
    key_alias: str
    bucket_name: str
    access_logs_bucket_name: str
    # other accounts of the same team that read objects under these prefixes (test and prod read the
    # models trained in dev): account id -> prefixes
    readers: dict[str, list[str]] = Field(default_factory=dict)
    provider: Any = None


class TeamStorage(Construct):
    """The team key and the team's ML artifact bucket in one account.

    The key (a :class:`CustomerKey`) is used through IAM by the account's roles, by CloudWatch Logs
    for this account's log groups, by CloudWatch alarms publishing to the team's encrypted topic, and,
    through S3 only, by the readers named (the same team's other accounts). The bucket (a
    :class:`PrivateBucket` under that key) logs its access to an access-log bucket of its own and lets
    the readers get objects under their prefixes, nothing else.
    """

    def __init__(self, scope: Construct, id: str, props: TeamStorageProps) -> None:
        super().__init__(scope, id)
        provider = props.provider
        readers = unique(props.readers)
        key_statements = [
            statement("CloudWatchLogsEncrypts", ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*",
                                                 "kms:GenerateDataKey*", "kms:ReEncrypt*"], "*",
                      principals={"Service": LOGS_SERVICE.format(region=props.region)},
                      conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                              f"arn:aws:logs:{props.region}:{props.account_id}:log-group:*"}}),
            cloudwatch_alarms_publish(props.account_id),
            macie_decrypts(props.account_id, props.region),
        ]
        if readers:
            key_statements.append(statement(
                "TeamAccountsReadThroughS3", ["kms:Decrypt", "kms:DescribeKey"], "*",
                principals={"AWS": [f"arn:aws:iam::{a}:root" for a in readers]},
                conditions={"StringEquals": {"kms:ViaService": S3_SERVICE.format(region=props.region)}}))
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description=f"Team {props.team}: data, models, Studio, endpoints, logs",
            account_id=props.account_id, policy_statements=key_statements, provider=provider))
        self.key_arn: str = self.key.arn
        self.access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=props.account_id, kms_key_arn=None,
            access_logs_bucket=None, provider=provider))
        bucket_arn = f"arn:aws:s3:::{props.bucket_name}"
        reader_statements = [
            statement(f"TeamAccountReads{i}", ["s3:GetObject"], [f"{bucket_arn}/{p}*" for p in props.readers[a]],
                      principals={"AWS": f"arn:aws:iam::{a}:root"})
            for i, a in enumerate(readers)
        ]
        self.bucket = PrivateBucket(self, "bucket", PrivateBucketProps(
            bucket_name=props.bucket_name, account_id=props.account_id, kms_key_arn=self.key_arn,
            access_logs_bucket=self.access_logs.bucket_name, policy_statements=reader_statements, provider=provider))
        self.bucket_arn: str = self.bucket.arn
        self.bucket_name: str = self.bucket.bucket_name
