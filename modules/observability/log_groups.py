"""SageMaker's log groups in an ML account, created ahead: encrypted, and kept as long as the organization says."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, statement
from mlplat.modules.observability import defaults
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps


class SageMakerLogGroupsProps(Props):
    account_id: str
    region: str
    key_alias: str  # 'alias/...'
    log_group_names: list[str] = Field(min_length=1)  # each under /aws/sagemaker/
    retention_days: int = Field(gt=0)  # at least this long; rounded up to a retention CloudWatch accepts
    provider: Any = None

    @model_validator(mode="after")
    def _under_sagemaker(self) -> SageMakerLogGroupsProps:
        outside = [n for n in self.log_group_names if not n.startswith(defaults.SAGEMAKER_LOG_GROUP_PREFIX)]
        if outside:
            raise ValueError(f"log groups outside {defaults.SAGEMAKER_LOG_GROUP_PREFIX}: {', '.join(outside)}")
        return self


class SageMakerLogGroups(Construct):
    """A KMS key for SageMaker's logs and the log groups SageMaker writes to in this account.

    The key (a :class:`CustomerKey`: rotation on, administered through the account's IAM) lets CloudWatch
    Logs of this account and region use it only for log groups under ``/aws/sagemaker/``
    (``kms:EncryptionContext:aws:logs:arn``). Each log group is encrypted with it and keeps events for the
    shortest retention CloudWatch accepts that is not below ``retention_days`` (forever beyond ten years).
    SageMaker's jobs, Studio apps and endpoints then write to these groups instead of creating their own,
    unencrypted and never expiring.
    """

    def __init__(self, scope: Construct, id: str, props: SageMakerLogGroupsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        groups = (f"arn:{defaults.PARTITION}:logs:{props.region}:{props.account_id}:log-group:"
                  f"{defaults.SAGEMAKER_LOG_GROUP_PREFIX}*")
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description="SageMaker's CloudWatch Logs of this account", account_id=props.account_id,
            policy_statements=[statement(
                "CloudWatchLogsEncryptsSageMakerLogs", defaults.LOGS_KEY_ACTIONS, "*",
                principals={"Service": f"logs.{props.region}.amazonaws.com"},
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}})],
            provider=props.provider))
        self.retention_in_days = defaults.log_retention(props.retention_days)
        self.log_group_arns: dict[str, str] = {}
        for name in sorted(set(props.log_group_names)):
            group = aws.cloudwatch_log_group.CloudwatchLogGroup(
                self, name.removeprefix(defaults.SAGEMAKER_LOG_GROUP_PREFIX).replace("/", "-"), name=name,
                retention_in_days=self.retention_in_days, kms_key_id=self.key.arn, **provider)
            self.log_group_arns[name] = group.arn
