"""The organization's log archive: a KMS key and a locked-down bucket that every account writes its logs to."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.foundations.logging import defaults
from mlplat.modules.storage.private_bucket import tls_only


class LogArchiveProps(Props):
    account_id: str  # the log archive account (owner of the key and buckets)
    organization_id: str
    management_account_id: str
    trail_arn: str  # the organization trail allowed to write (it lives in the management account)
    bucket_name: str
    access_logs_bucket_name: str
    kms_alias: str  # 'alias/...'
    log_retention_days: int = Field(gt=0)
    object_lock_mode: str | None = None  # COMPLIANCE or GOVERNANCE; None leaves Object Lock off
    object_lock_days: int | None = Field(default=None, gt=0)
    transition_days: int = defaults.LOG_TRANSITION_DAYS
    transition_storage_class: str = defaults.LOG_TRANSITION_STORAGE_CLASS
    noncurrent_version_expiration_days: int = defaults.NONCURRENT_VERSION_EXPIRATION_DAYS
    abort_incomplete_multipart_upload_days: int = defaults.ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS
    provider: Any = None

    @model_validator(mode="after")
    def _object_lock_is_complete(self) -> LogArchiveProps:
        if (self.object_lock_mode is None) != (self.object_lock_days is None):
            raise ValueError("object_lock_mode and object_lock_days are set together or not at all")
        if self.object_lock_mode not in (None, "COMPLIANCE", "GOVERNANCE"):
            raise ValueError(f"object_lock_mode {self.object_lock_mode!r} is not COMPLIANCE or GOVERNANCE")
        if self.transition_days >= self.log_retention_days:
            raise ValueError("transition_days must be shorter than log_retention_days")
        return self


class LogArchive(Construct):
    """The central log archive in the log archive account.

    Creates a customer-managed KMS key (rotation on, 30-day deletion window) with its alias, the log
    bucket and a second bucket for the log bucket's S3 server access logs. Both buckets: versioned,
    ACLs disabled (BucketOwnerEnforced), all public access blocked, lifecycle to archive storage and
    expiry after the retention period, object events to EventBridge, TLS 1.2+ only. The log bucket is
    SSE-KMS with the key and an S3 Bucket Key, optionally under Object Lock (default retention in
    COMPLIANCE or GOVERNANCE mode), and its policy lets only the organization's writers in: the
    organization trail (CloudTrail), AWS Config and log delivery (VPC flow logs) on behalf of accounts
    of this organization (``aws:SourceOrgID``). The key lets the same services encrypt, and principals
    of the organization decrypt (auditors).
    """

    def __init__(self, scope: Construct, id: str, props: LogArchiveProps) -> None:
        super().__init__(scope, id)
        self._props = props
        provider = {"provider": props.provider} if props.provider is not None else {}

        self.key = aws.kms_key.KmsKey(
            self, "key",
            description=f"Encrypts the organization's logs in {props.bucket_name}",
            enable_key_rotation=defaults.KMS_ENABLE_KEY_ROTATION,
            deletion_window_in_days=defaults.KMS_DELETION_WINDOW_DAYS,
            policy=self._key_policy(),
            **provider,
        )
        aws.kms_alias.KmsAlias(self, "key-alias", name=props.kms_alias, target_key_id=self.key.key_id, **provider)

        # server access logs of the log bucket (S3 delivers them only to SSE-S3 buckets)
        self.access_logs_bucket = aws.s3_bucket.S3Bucket(self, "access-logs", bucket=props.access_logs_bucket_name,
                                                         **provider)
        self._secure_bucket("access-logs", self.access_logs_bucket, provider,
                            kms_key_arn=None,
                            transition_days=defaults.ACCESS_LOG_TRANSITION_DAYS)

        self.bucket = aws.s3_bucket.S3Bucket(
            self, "bucket", bucket=props.bucket_name,
            object_lock_enabled=True if props.object_lock_mode else None,
            **provider,
        )
        versioning = self._secure_bucket(
            "bucket", self.bucket, provider,
            kms_key_arn=self.key.arn,
            transition_days=props.transition_days,
        )
        if props.object_lock_mode:
            lock = aws.s3_bucket_object_lock_configuration
            lock.S3BucketObjectLockConfigurationA(
                self, "bucket-object-lock",
                bucket=self.bucket.id,
                object_lock_enabled="Enabled",
                rule=lock.S3BucketObjectLockConfigurationRuleA(
                    default_retention=lock.S3BucketObjectLockConfigurationRuleDefaultRetentionA(
                        mode=props.object_lock_mode, days=props.object_lock_days)),
                depends_on=[versioning],
                **provider,
            )
        self.bucket_policy = aws.s3_bucket_policy.S3BucketPolicy(
            self, "bucket-policy", bucket=self.bucket.id, policy=self._bucket_policy(), **provider)
        access_logs_policy = aws.s3_bucket_policy.S3BucketPolicy(
            self, "access-logs-policy", bucket=self.access_logs_bucket.id, policy=self._access_logs_policy(),
            **provider)
        aws.s3_bucket_logging.S3BucketLoggingA(
            self, "bucket-logging",
            bucket=self.bucket.id,
            target_bucket=self.access_logs_bucket.id,
            target_prefix=f"{props.bucket_name}/",
            depends_on=[access_logs_policy],  # S3 may write as soon as logging is on
            **provider,
        )

    # --- values other stacks read -------------------------------------------------------------------
    @property
    def bucket_name(self) -> str:
        """The bucket's name as its policy holds it: whatever uses it waits until writers are allowed in."""
        return self.bucket_policy.bucket

    @property
    def bucket_arn(self) -> str:
        return self.bucket.arn

    @property
    def kms_key_arn(self) -> str:
        return self.key.arn

    # --- parts ---------------------------------------------------------------------------------------
    def _secure_bucket(self, name: str, bucket: Any, provider: dict[str, Any], *, kms_key_arn: str | None,
                       transition_days: int) -> Any:
        """Versioning, ownership, public access block, encryption, notifications and lifecycle of one bucket.

        SSE-KMS with ``kms_key_arn`` and an S3 Bucket Key (one data key per bucket instead of a KMS call
        per object), or SSE-S3 when no key is given. Returns the versioning resource.
        """
        props = self._props
        versioning_module = aws.s3_bucket_versioning
        versioning = versioning_module.S3BucketVersioningA(
            self, f"{name}-versioning", bucket=bucket.id,
            versioning_configuration=versioning_module.S3BucketVersioningVersioningConfiguration(status="Enabled"),
            **provider)
        ownership = aws.s3_bucket_ownership_controls
        ownership.S3BucketOwnershipControls(
            self, f"{name}-ownership", bucket=bucket.id,
            rule=ownership.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
            **provider)
        aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self, f"{name}-public-access-block", bucket=bucket.id,
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            **provider)
        encryption = aws.s3_bucket_server_side_encryption_configuration
        default = (
            encryption.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm=defaults.LOG_SSE_ALGORITHM, kms_master_key_id=kms_key_arn)
            if kms_key_arn else
            encryption.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm=defaults.ACCESS_LOGS_SSE_ALGORITHM))
        encryption.S3BucketServerSideEncryptionConfigurationA(
            self, f"{name}-encryption", bucket=bucket.id,
            rule=[encryption.S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=True if kms_key_arn else None,
            )],
            **provider)
        # object events go to EventBridge (no charge for S3 events), where detections can subscribe
        aws.s3_bucket_notification.S3BucketNotification(
            self, f"{name}-notifications", bucket=bucket.id, eventbridge=True, **provider)
        lifecycle = aws.s3_bucket_lifecycle_configuration
        lifecycle.S3BucketLifecycleConfiguration(
            self, f"{name}-lifecycle", bucket=bucket.id,
            rule=[lifecycle.S3BucketLifecycleConfigurationRule(
                id="retention",
                status="Enabled",
                filter=[lifecycle.S3BucketLifecycleConfigurationRuleFilter()],  # the whole bucket
                transition=[lifecycle.S3BucketLifecycleConfigurationRuleTransition(
                    days=transition_days, storage_class=props.transition_storage_class)],
                expiration=[lifecycle.S3BucketLifecycleConfigurationRuleExpiration(days=props.log_retention_days)],
                noncurrent_version_expiration=[
                    lifecycle.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                        noncurrent_days=props.noncurrent_version_expiration_days)],
                abort_incomplete_multipart_upload=[
                    lifecycle.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                        days_after_initiation=props.abort_incomplete_multipart_upload_days)],
            )],
            depends_on=[versioning],
            **provider)
        return versioning

    def _key_policy(self) -> str:
        p = self._props
        org = {"aws:SourceOrgID": p.organization_id}
        trail_context = f"arn:{defaults.PARTITION}:cloudtrail:*:{p.management_account_id}:trail/*"
        return policy_document([
            statement("AccountAdministers", ["kms:*"], "*",
                      principals={"AWS": f"arn:{defaults.PARTITION}:iam::{p.account_id}:root"}),
            statement("CloudTrailEncrypts", ["kms:GenerateDataKey*"], "*",
                      principals={"Service": defaults.CLOUDTRAIL_PRINCIPAL},
                      conditions={"StringEquals": {"aws:SourceArn": p.trail_arn},
                                  "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trail_context}}),
            statement("CloudTrailDescribesKey", ["kms:DescribeKey"], "*",
                      principals={"Service": defaults.CLOUDTRAIL_PRINCIPAL},
                      conditions={"StringEquals": {"aws:SourceArn": p.trail_arn}}),
            statement("ConfigEncrypts", ["kms:Decrypt", "kms:GenerateDataKey"], "*",
                      principals={"Service": defaults.CONFIG_PRINCIPAL}, conditions={"StringEquals": org}),
            statement("LogDeliveryEncrypts",
                      ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "*",
                      principals={"Service": defaults.LOG_DELIVERY_PRINCIPAL}, conditions={"StringEquals": org}),
            # auditors anywhere in the organization read logs, through S3 only (the bucket policy decides
            # who reads which object); no principal decrypts the key's data outside S3
            statement("OrganizationDecrypts", ["kms:Decrypt", "kms:DescribeKey"], "*",
                      principals={"AWS": "*"},
                      conditions={"StringEquals": {"aws:PrincipalOrgID": p.organization_id},
                                  "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}),
        ])

    def _bucket_policy(self) -> str:
        p = self._props
        arn = self.bucket.arn
        org = {"aws:SourceOrgID": p.organization_id}
        owner_full_control = {"s3:x-amz-acl": "bucket-owner-full-control"}
        trail = {"aws:SourceArn": p.trail_arn}
        return policy_document([
            *tls_only(arn),
            statement("CloudTrailAclCheck", ["s3:GetBucketAcl"], arn,
                      principals={"Service": defaults.CLOUDTRAIL_PRINCIPAL}, conditions={"StringEquals": trail}),
            statement("CloudTrailWrite", ["s3:PutObject"],
                      [f"{arn}/AWSLogs/{p.management_account_id}/*", f"{arn}/AWSLogs/{p.organization_id}/*"],
                      principals={"Service": defaults.CLOUDTRAIL_PRINCIPAL},
                      conditions={"StringEquals": {**owner_full_control, **trail}}),
            statement("ConfigBucketCheck", ["s3:GetBucketAcl", "s3:ListBucket"], arn,
                      principals={"Service": defaults.CONFIG_PRINCIPAL}, conditions={"StringEquals": org}),
            statement("ConfigWrite", ["s3:PutObject"], f"{arn}/AWSLogs/*/Config/*",
                      principals={"Service": defaults.CONFIG_PRINCIPAL},
                      conditions={"StringEquals": {**owner_full_control, **org}}),
            statement("LogDeliveryAclCheck", ["s3:GetBucketAcl", "s3:ListBucket"], arn,
                      principals={"Service": defaults.LOG_DELIVERY_PRINCIPAL}, conditions={"StringEquals": org}),
            statement("LogDeliveryWrite", ["s3:PutObject"], f"{arn}/AWSLogs/*",
                      principals={"Service": defaults.LOG_DELIVERY_PRINCIPAL},
                      conditions={"StringEquals": {**owner_full_control, **org}}),
        ])

    def _access_logs_policy(self) -> str:
        p = self._props
        arn = self.access_logs_bucket.arn
        return policy_document([
            *tls_only(arn),
            statement("S3ServerAccessLogsWrite", ["s3:PutObject"], f"{arn}/*",
                      principals={"Service": defaults.S3_LOGGING_PRINCIPAL},
                      conditions={"ArnLike": {"aws:SourceArn": self.bucket.arn},
                                  "StringEquals": {"aws:SourceAccount": p.account_id}}),
        ])
