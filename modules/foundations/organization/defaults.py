"""Organization defaults: all features, trusted access for the services the platform runs organization-wide,
member accounts that are never closed or deleted by Terraform, and AWS's limits on service control policies."""

FEATURE_SET = "ALL"

# Trusted access (organizations:EnableAWSServiceAccess) for what the platform uses across accounts: the
# organization trail, Config aggregation and organization rules, GuardDuty, Security Hub, Macie, IAM Access
# Analyzer, IAM Identity Center, and RAM (the Transit Gateway and the Route 53 Profile are shared organization-wide).
# Designating Macie's administrator turns its trusted access on; listing it keeps Terraform from turning it off.
AWS_SERVICE_ACCESS_PRINCIPALS: tuple[str, ...] = (
    "access-analyzer.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "guardduty.amazonaws.com",
    "macie.amazonaws.com",
    "ram.amazonaws.com",
    "securityhub.amazonaws.com",
    "servicecatalog.amazonaws.com",
    "sso.amazonaws.com",
)
# Tag policies: the cost tags' keys and values on the OUs holding the teams' accounts (module 8).
ENABLED_POLICY_TYPES: tuple[str, ...] = ("SERVICE_CONTROL_POLICY", "TAG_POLICY")

# Member accounts: Terraform never closes one, billing stays with the management account, and the two
# arguments AWS cannot read back after creation (or for an adopted account) are not diffed.
CLOSE_ON_DELETION = False
IAM_USER_ACCESS_TO_BILLING = "DENY"
ACCOUNT_IGNORE_CHANGES: tuple[str, ...] = ("role_name", "iam_user_access_to_billing")

# Services whose delegated administrator is registered through AWS Organizations directly; GuardDuty and
# Security Hub register theirs through their own API, per region.
DELEGATED_SERVICE_PRINCIPALS: tuple[str, ...] = (
    "access-analyzer.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
)

# The management account's own GuardDuty detector (required before delegating GuardDuty administration).
GUARDDUTY_FINDING_PUBLISHING_FREQUENCY = "FIFTEEN_MINUTES"
# The management account's Security Hub: standards are chosen organization-wide by the delegated administrator.
SECURITYHUB_ENABLE_DEFAULT_STANDARDS = False
SECURITYHUB_AUTO_ENABLE_CONTROLS = True

# AWS Organizations quotas: a service control policy document holds at most 5,120 characters, and a target
# takes 5 directly attached policies, one of which is FullAWSAccess.
MAX_SCP_CHARACTERS = 5120
MAX_SCPS_PER_TARGET = 4
SCP_TYPE = "SERVICE_CONTROL_POLICY"

# Actions the region restriction leaves alone: global services whose endpoint lives in one region (IAM,
# Organizations, Route 53, CloudFront, ...), billing and support. Modelled on AWS Control Tower's region deny
# control, without kms:* and config:* (regional services that must stay inside the allowed regions).
GLOBAL_SERVICE_ACTIONS: tuple[str, ...] = (
    "access-analyzer:*",
    "account:*",
    "acm:*",
    "artifact:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "cloudtrail:LookupEvents",
    "compute-optimizer:*",
    "consoleapp:*",
    "consolidatedbilling:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "ecr-public:*",
    "fms:*",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "invoicing:*",
    "networkmanager:*",
    "notifications-contacts:*",
    "notifications:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "resource-explorer-2:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetMultiRegionAccessPoint",
    "s3:GetMultiRegionAccessPointPolicy",
    "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:GetStorageLensConfiguration",
    "s3:GetStorageLensDashboard",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:ListStorageLensConfigurations",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy",
    "savingsplans:*",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportapp:*",
    "supportplans:*",
    "sustainability:*",
    "tag:GetResources",
    "tax:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
)
