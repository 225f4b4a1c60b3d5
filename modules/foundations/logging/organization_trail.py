"""The organization trail: every account's API activity, in every region, into the log archive."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.foundations.logging import defaults


class OrganizationTrailProps(Props):
    trail_name: str
    account_id: str  # the management account, where the trail and its log group live
    region: str  # the trail's home region
    s3_bucket_name: str  # the log archive bucket (another account)
    kms_key_arn: str  # the log archive key that encrypts the trail's log files
    log_group_name: str
    log_group_retention_days: int = Field(default=defaults.TRAIL_LOG_GROUP_RETENTION_DAYS, gt=0)
    cloudwatch_logs_role_name: str
    log_group_kms_alias: str  # 'alias/...'
    provider: Any = None


class OrganizationTrail(Construct):
    """A CloudTrail organization trail in the management account.

    The trail is multi-region, includes global service events, validates log files with signed digests
    and records management events (read and write) of every account of the organization. Log files go
    to the log archive bucket encrypted with the log archive key. Events are also delivered to a
    CloudWatch Logs group in the management account (365-day retention by default) encrypted with a
    key of its own, through a role CloudTrail assumes that may only create streams and put events in
    that group.
    """

    def __init__(self, scope: Construct, id: str, props: OrganizationTrailProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        log_group_arn = (f"arn:{defaults.PARTITION}:logs:{props.region}:{props.account_id}"
                         f":log-group:{props.log_group_name}")

        self.log_group_key = aws.kms_key.KmsKey(
            self, "log-group-key",
            description=f"Encrypts the CloudWatch Logs copy of {props.trail_name}",
            enable_key_rotation=defaults.KMS_ENABLE_KEY_ROTATION,
            deletion_window_in_days=defaults.KMS_DELETION_WINDOW_DAYS,
            policy=policy_document([
                statement("AccountAdministers", ["kms:*"], "*",
                          principals={"AWS": f"arn:{defaults.PARTITION}:iam::{props.account_id}:root"}),
                statement("CloudWatchLogsEncrypts",
                          ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                          "*", principals={"Service": f"logs.{props.region}.amazonaws.com"},
                          conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}}),
            ]),
            **provider,
        )
        aws.kms_alias.KmsAlias(self, "log-group-key-alias", name=props.log_group_kms_alias,
                               target_key_id=self.log_group_key.key_id, **provider)
        self.log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "log-group",
            name=props.log_group_name,
            retention_in_days=props.log_group_retention_days,
            kms_key_id=self.log_group_key.arn,
            **provider,
        )

        role = aws.iam_role.IamRole(
            self, "cloudwatch-logs-role",
            name=props.cloudwatch_logs_role_name,
            description=f"Lets CloudTrail deliver {props.trail_name} events to CloudWatch Logs",
            # CloudTrail supports no aws:SourceArn/SourceAccount condition for this role
            assume_role_policy=policy_document([{
                "Sid": "CloudTrailAssumesRole", "Effect": "Allow",
                "Principal": {"Service": defaults.CLOUDTRAIL_PRINCIPAL}, "Action": "sts:AssumeRole",
            }]),
            **provider,
        )
        # streams are named '<management account>_CloudTrail_<region>' and '<organization id>_<account>_...'
        role_policy = aws.iam_role_policy.IamRolePolicy(
            self, "cloudwatch-logs-policy",
            name="deliver-to-log-group",
            role=role.id,
            policy=policy_document([
                statement("DeliverTrailEvents", ["logs:CreateLogStream", "logs:PutLogEvents"],
                          [f"{self.log_group.arn}:log-stream:*"]),
            ]),
            **provider,
        )

        self.trail = aws.cloudtrail.Cloudtrail(
            self, "trail",
            name=props.trail_name,
            s3_bucket_name=props.s3_bucket_name,
            kms_key_id=props.kms_key_arn,
            is_organization_trail=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            event_selector=[aws.cloudtrail.CloudtrailEventSelector(
                read_write_type=defaults.TRAIL_READ_WRITE_TYPE, include_management_events=True)],
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",  # CloudTrail wants the stream wildcard
            cloud_watch_logs_role_arn=role.arn,
            depends_on=[role_policy],
            **provider,
        )

    @property
    def trail_arn(self) -> str:
        return self.trail.arn

