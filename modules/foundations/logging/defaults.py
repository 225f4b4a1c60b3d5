"""Secure defaults of central logging and the security services, kept as data in one place.

Constructs read these through their props' defaults; a placement overrides one only on purpose.
"""

PARTITION = "aws"

# Customer-managed KMS keys: yearly rotation and the longest deletion window, so that a key scheduled
# for deletion by mistake can be recovered for a month.
KMS_ENABLE_KEY_ROTATION = True
KMS_DELETION_WINDOW_DAYS = 30

# Log archive bucket lifecycle: logs stay in S3 Standard while investigations are likely, then move to
# archive storage; they expire after the organization's retention period.
LOG_TRANSITION_DAYS = 90
LOG_TRANSITION_STORAGE_CLASS = "GLACIER"
NONCURRENT_VERSION_EXPIRATION_DAYS = 90
ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7
# S3 server access logs of the log bucket: kept as long as the logs they describe.
ACCESS_LOG_TRANSITION_DAYS = 90

LOG_SSE_ALGORITHM = "aws:kms"
# Objects written without an encryption header get the bucket default (SSE-KMS with the log key).
# Puts asking for another algorithm are not denied: CloudTrail writes its digest files with SSE-S3.
ACCESS_LOGS_SSE_ALGORITHM = "AES256"  # S3 server access logging delivers only to SSE-S3 buckets

# Service principals that write into the log archive.
CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
CONFIG_PRINCIPAL = "config.amazonaws.com"
LOG_DELIVERY_PRINCIPAL = "delivery.logs.amazonaws.com"
S3_LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"

# Organization trail: every region, global services, signed digests, management events read and write.
TRAIL_READ_WRITE_TYPE = "All"
TRAIL_LOG_GROUP_RETENTION_DAYS = 365

# AWS Config: one recorder per account and region, daily configuration snapshots.
CONFIG_SNAPSHOT_DELIVERY_FREQUENCY = "TwentyFour_Hours"
CONFIG_SERVICE_LINKED_ROLE_SERVICE = "config.amazonaws.com"
CONFIG_AGGREGATOR_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"

# GuardDuty: every organization account enrolled, every protection plan with organization-wide
# auto-enablement. Runtime Monitoring replaces EKS Runtime Monitoring (the two are exclusive); GuardDuty
# installs and updates its runtime sensor on EKS, ECS Fargate and EC2 itself.
GUARDDUTY_AUTO_ENABLE_ORGANIZATION_MEMBERS = "ALL"
GUARDDUTY_FEATURES: dict[str, tuple[str, ...]] = {
    "S3_DATA_EVENTS": (),
    "EKS_AUDIT_LOGS": (),
    "EBS_MALWARE_PROTECTION": (),
    "RDS_LOGIN_EVENTS": (),
    "LAMBDA_NETWORK_LOGS": (),
    "RUNTIME_MONITORING": ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"),
}

# Security Hub: central configuration from the administrator's home region (the finding aggregation
# region). One configuration policy, associated with the organization root, enables Security Hub, the
# standards of the detective controls catalogue and every control (those AWS adds later included) in every
# account and linked region. Central configuration requires auto-enable off and no default standards.
SECURITY_HUB_CONFIGURATION_TYPE = "CENTRAL"
SECURITY_HUB_AUTO_ENABLE = False
SECURITY_HUB_AUTO_ENABLE_STANDARDS = "NONE"
SECURITY_HUB_LINKING_MODE = "SPECIFIED_REGIONS"
SECURITY_HUB_SINGLE_REGION_LINKING_MODE = "NO_REGIONS"  # central configuration needs an aggregator even then

ACCESS_ANALYZER_ORGANIZATION_TYPE = "ORGANIZATION"
