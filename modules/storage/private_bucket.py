"""A private S3 bucket: KMS, versioned, TLS only, no public access, access-logged, with a lifecycle."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.storage import defaults


class PrivateBucketProps(Props):
    bucket_name: str
    account_id: str  # the owner; S3 server access logs are accepted only from its buckets
    # SSE-KMS with this key and an S3 Bucket Key; None only for an access-log bucket (S3 writes those with SSE-S3)
    kms_key_arn: str | None
    # where S3 server access logs go (a bucket of the same account and region); None for an access-log bucket
    access_logs_bucket: str | None
    # statements added to the bucket policy after the TLS-only denials
    policy_statements: list[dict[str, Any]] = Field(default_factory=list)
    expiration_days: int | None = Field(default=None, gt=0)  # None: current objects never expire
    noncurrent_version_expiration_days: int = defaults.NONCURRENT_VERSION_EXPIRATION_DAYS
    abort_incomplete_multipart_upload_days: int = defaults.ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS
    provider: Any = None


def tls_only(bucket_arn: str) -> list[dict[str, Any]]:
    """Deny any request without TLS, or with TLS older than the minimum version."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        statement("DenyInsecureTransport", ["s3:*"], resources, effect="Deny", principals={"AWS": "*"},
                  conditions={"Bool": {"aws:SecureTransport": "false"}}),
        statement("DenyOutdatedTls", ["s3:*"], resources, effect="Deny", principals={"AWS": "*"},
                  conditions={"NumericLessThan": {"s3:TlsVersion": defaults.MINIMUM_TLS_VERSION}}),
    ]


class PrivateBucket(Construct):
    """One private bucket.

    Creates the bucket with versioning, ACLs disabled (BucketOwnerEnforced), all public access blocked,
    SSE-KMS with the given key and an S3 Bucket Key (SSE-S3 only for an access-log bucket), object
    events to EventBridge, a lifecycle that expires old versions and abandoned uploads, S3 server access
    logs into ``access_logs_bucket``, and a policy that denies requests without TLS 1.2+ before the
    statements given. ``bucket_name`` reads the name through the policy, so that users of the bucket
    wait until its policy is in place.
    """

    def __init__(self, scope: Construct, id: str, props: PrivateBucketProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.bucket = aws.s3_bucket.S3Bucket(self, "bucket", bucket=props.bucket_name, **provider)
        self.arn: str = self.bucket.arn
        bucket_id = self.bucket.id
        versioning_module = aws.s3_bucket_versioning
        versioning = versioning_module.S3BucketVersioningA(
            self, "versioning", bucket=bucket_id,
            versioning_configuration=versioning_module.S3BucketVersioningVersioningConfiguration(status="Enabled"),
            **provider)
        ownership = aws.s3_bucket_ownership_controls
        ownership.S3BucketOwnershipControls(
            self, "ownership", bucket=bucket_id,
            rule=ownership.S3BucketOwnershipControlsRule(object_ownership=defaults.OBJECT_OWNERSHIP), **provider)
        aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self, "public-access-block", bucket=bucket_id,
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            **provider)
        encryption = aws.s3_bucket_server_side_encryption_configuration
        by_default = encryption.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA
        encryption.S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=bucket_id,
            rule=[encryption.S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    by_default(sse_algorithm=defaults.SSE_ALGORITHM, kms_master_key_id=props.kms_key_arn)
                    if props.kms_key_arn else by_default(sse_algorithm=defaults.ACCESS_LOGS_SSE_ALGORITHM)),
                bucket_key_enabled=True if props.kms_key_arn else None,
            )],
            **provider)
        aws.s3_bucket_notification.S3BucketNotification(self, "notifications", bucket=bucket_id, eventbridge=True,
                                                        **provider)
        lifecycle = aws.s3_bucket_lifecycle_configuration
        expiration_days = props.expiration_days or (
            defaults.ACCESS_LOG_EXPIRATION_DAYS if props.access_logs_bucket is None else None)
        lifecycle.S3BucketLifecycleConfiguration(
            self, "lifecycle", bucket=bucket_id,
            rule=[lifecycle.S3BucketLifecycleConfigurationRule(
                id="housekeeping",
                status="Enabled",
                filter=[lifecycle.S3BucketLifecycleConfigurationRuleFilter()],  # the whole bucket
                expiration=[lifecycle.S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)]
                if expiration_days else None,
                noncurrent_version_expiration=[lifecycle.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=props.noncurrent_version_expiration_days)],
                abort_incomplete_multipart_upload=[
                    lifecycle.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                        days_after_initiation=props.abort_incomplete_multipart_upload_days)],
            )],
            depends_on=[versioning],
            **provider)
        statements = tls_only(self.arn) + list(props.policy_statements)
        if props.access_logs_bucket is None:
            statements.append(statement(
                "S3ServerAccessLogsWrite", ["s3:PutObject"], f"{self.arn}/*",
                principals={"Service": defaults.S3_LOGGING_PRINCIPAL},
                conditions={"StringEquals": {"aws:SourceAccount": props.account_id}}))
        self.policy = aws.s3_bucket_policy.S3BucketPolicy(
            self, "policy", bucket=bucket_id, policy=policy_document(statements), **provider)
        if props.access_logs_bucket is not None:
            aws.s3_bucket_logging.S3BucketLoggingA(
                self, "logging", bucket=bucket_id, target_bucket=props.access_logs_bucket,
                target_prefix=f"{props.bucket_name}/", **provider)
        self.bucket_name: str = self.policy.bucket
