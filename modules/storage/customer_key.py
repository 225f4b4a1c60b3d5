"""A customer managed KMS key with its alias; the account administers it, services use it on its behalf."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.storage import defaults


# Amazon Macie's service-linked role: it reads a bucket's objects for sensitive data discovery
MACIE_ROLE_PATH = "role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie"


def cloudwatch_alarms_publish(account_id: str) -> dict[str, Any]:
    """A key policy statement: CloudWatch alarms of ``account_id`` publish to the topics the key encrypts."""
    return statement("CloudWatchAlarmsPublish", ["kms:Decrypt", "kms:GenerateDataKey*"], "*",
                     principals={"Service": defaults.CLOUDWATCH_SERVICE},
                     conditions={"StringEquals": {"aws:SourceAccount": account_id}})


def macie_decrypts(account_id: str, region: str) -> dict[str, Any]:
    """A key policy statement: Amazon Macie's service-linked role of ``account_id`` decrypts, through S3 only.

    Macie's jobs and automated discovery read SSE-KMS objects with that role, which the key policy must
    allow. The role is named by ``aws:PrincipalArn`` rather than as the principal: it exists only once Macie
    is enabled in the account (by the security tooling stack, applied after the account stacks), and KMS
    refuses a policy that names a principal that does not exist yet.
    """
    return statement("MacieDiscoversThroughS3", ["kms:Decrypt"], "*", principals={"AWS": "*"}, conditions={
        "ArnEquals": {"aws:PrincipalArn": f"arn:{defaults.PARTITION}:iam::{account_id}:{MACIE_ROLE_PATH}"},
        "StringEquals": {"aws:PrincipalAccount": account_id, "kms:ViaService": f"s3.{region}.amazonaws.com"}})


class CustomerKeyProps(Props):
    alias: str  # 'alias/...'
    description: str
    account_id: str  # the owner: its IAM policies decide who in the account uses the key
    # statements added after the owner's (service principals, other accounts of the same team)
    policy_statements: list[dict[str, Any]] = Field(default_factory=list)
    provider: Any = None


class CustomerKey(Construct):
    """A symmetric KMS key (rotation on, 30-day deletion window) and its alias.

    The key policy lets the owning account administer and use the key through IAM (so least privilege
    is decided by the account's IAM policies) and adds the given statements, nothing else.
    """

    def __init__(self, scope: Construct, id: str, props: CustomerKeyProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        owner = f"arn:{defaults.PARTITION}:iam::{props.account_id}:root"
        self.key = aws.kms_key.KmsKey(
            self, "key",
            description=props.description,
            enable_key_rotation=defaults.KMS_ENABLE_KEY_ROTATION,
            deletion_window_in_days=defaults.KMS_DELETION_WINDOW_DAYS,
            policy=policy_document([statement("AccountAdministers", ["kms:*"], "*", principals={"AWS": owner}),
                                    *props.policy_statements]),
            **provider,
        )
        aws.kms_alias.KmsAlias(self, "alias", name=props.alias, target_key_id=self.key.key_id, **provider)
        self.arn: str = self.key.arn
