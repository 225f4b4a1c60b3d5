"""Secure defaults of the platform's private buckets and keys, kept as data in one place."""

PARTITION = "aws"

# Customer-managed KMS keys: yearly rotation, the longest deletion window.
KMS_ENABLE_KEY_ROTATION = True
KMS_DELETION_WINDOW_DAYS = 30

# Only TLS 1.2 or later reaches a private bucket.
MINIMUM_TLS_VERSION = 1.2
SSE_ALGORITHM = "aws:kms"
ACCESS_LOGS_SSE_ALGORITHM = "AES256"  # S3 server access logging delivers only to SSE-S3 buckets
OBJECT_OWNERSHIP = "BucketOwnerEnforced"

# Lifecycle: old versions and failed uploads do not pile up; current objects stay until deleted,
# unless a bucket sets an expiry.
NONCURRENT_VERSION_EXPIRATION_DAYS = 90
ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7
ACCESS_LOG_EXPIRATION_DAYS = 365

S3_LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"

# Athena query workgroups: engine version 3 pinned (an upgrade is a reviewed change, not AWS's choice),
# results encrypted with the workgroup's KMS key.
ATHENA_ENGINE_VERSION = "Athena engine version 3"
ATHENA_RESULTS_ENCRYPTION = "SSE_KMS"

# CloudWatch alarms publish to SNS topics encrypted with a customer managed key
CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
