"""The catalogue of the organization's detective controls, as data: AWS Config rules, Security Hub
standards, conformance packs per compliance framework, and what Macie watches.

No engine here: the detective constructs, their placement and ``mlplat controls`` read this one
catalogue. Every rule identifier is an AWS Config managed rule (the AWS Config developer guide's list
of managed rules, and AWS's own conformance pack templates); a wrong identifier fails at apply time.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT = "AWS::::Account"  # rules that evaluate an account-wide setting rather than a resource


@dataclass(frozen=True)
class ConfigRule:
    """An AWS Config managed rule, deployed to every account of the organization."""

    name: str  # the rule's name suffix as deployed (full name = f"{org}-{name}")
    identifier: str  # AWS managed rule source identifier
    protects: str  # one sentence: what it detects/protects
    resource_types: tuple[str, ...]  # what it evaluates; the rule's scope unless it is ACCOUNT
    global_only: bool = False  # deployed in the home region only (IAM, account-wide settings)
    parameters: tuple[tuple[str, str], ...] = ()
    # Evaluated on AWS Config's schedule: AWS Config refuses a scope on a periodic rule, so it gets none
    # (the trigger type each managed rule's page in the developer guide gives, and AWS's own packs).
    periodic: bool = False

    @property
    def scope(self) -> tuple[str, ...]:
        """The resource types that trigger an evaluation; empty for periodic and account-wide rules."""
        return () if self.periodic else tuple(t for t in self.resource_types if t != ACCOUNT)


@dataclass(frozen=True)
class Standard:
    """A Security Hub standard, enabled in every account and region by the central configuration policy."""

    key: str  # e.g. "aws-foundational-security-best-practices"
    title: str
    arn_template: str  # with {partition} and {region}

    def arn(self, partition: str, region: str) -> str:
        return self.arn_template.format(partition=partition, region=region)


@dataclass(frozen=True)
class ConformancePack:
    """An organization conformance pack: the managed rules mlplat maps to one compliance framework."""

    name: str  # the pack's name suffix as deployed (full name = f"{org}-{name}")
    framework: str  # a key of FRAMEWORKS
    title: str
    rules: tuple[ConfigRule, ...]


FRAMEWORKS: dict[str, str] = {
    "nist-800-53": "NIST SP 800-53 Rev. 5",
    "pci-dss": "PCI DSS v4.0.1",
}

MACIE_SCOPE = ("Amazon Macie watches every member account's S3 buckets in the home region (inventory, public access "
               "and encryption findings) and inspects the objects of each data domain's lake buckets and each team "
               "account's ML bucket for sensitive data once, then daily as objects are added or changed.")


# -- AWS Config rules ---------------------------------------------------------------------------

SAGEMAKER_DOMAIN_VPC_ONLY = ConfigRule(
    "sagemaker-domain-vpc-only", "SAGEMAKER_DOMAIN_IN_VPC",
    "SageMaker Studio domains send their traffic through the team's VPC only (VpcOnly network access).",
    ("AWS::SageMaker::Domain",))
SAGEMAKER_NOTEBOOK_NO_INTERNET = ConfigRule(
    "sagemaker-notebook-no-internet", "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
    "SageMaker notebook instances have no direct internet access.",
    ("AWS::SageMaker::NotebookInstance",), periodic=True)
SAGEMAKER_NOTEBOOK_NO_ROOT = ConfigRule(
    "sagemaker-notebook-no-root", "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK",
    "SageMaker notebook instance users have no root access.",
    ("AWS::SageMaker::NotebookInstance",))
SAGEMAKER_NOTEBOOK_KMS = ConfigRule(
    "sagemaker-notebook-kms", "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
    "SageMaker notebook instance volumes are encrypted with a KMS key.",
    ("AWS::SageMaker::NotebookInstance",), periodic=True)
SAGEMAKER_NOTEBOOK_IN_VPC = ConfigRule(
    "sagemaker-notebook-in-vpc", "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC",
    "SageMaker notebook instances are launched in a VPC.",
    ("AWS::SageMaker::NotebookInstance",))
SAGEMAKER_ENDPOINT_CONFIG_KMS = ConfigRule(
    "sagemaker-endpoint-config-kms", "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED",
    "SageMaker endpoint configurations encrypt the endpoint's storage volume with a KMS key.",
    ("AWS::SageMaker::EndpointConfig",), periodic=True)
SAGEMAKER_MODEL_ISOLATION = ConfigRule(
    "sagemaker-model-isolation", "SAGEMAKER_MODEL_ISOLATION_ENABLED",
    "SageMaker models run with network isolation: their containers make no outbound calls.",
    ("AWS::SageMaker::Model",))
SAGEMAKER_MODEL_IN_VPC = ConfigRule(
    "sagemaker-model-in-vpc", "SAGEMAKER_MODEL_IN_VPC",
    "SageMaker models run their containers in a VPC.",
    ("AWS::SageMaker::Model",))
SAGEMAKER_FEATURES_OFFLINE_KMS = ConfigRule(
    "sagemaker-features-offline-kms", "SAGEMAKER_FEATUREGROUP_ENCRYPTION_AT_REST",
    "SageMaker feature groups encrypt their offline store with a KMS key.",
    ("AWS::SageMaker::FeatureGroup",))
SAGEMAKER_FEATURES_ONLINE_KMS = ConfigRule(
    "sagemaker-features-online-kms", "SAGEMAKER_FEATUREGROUP_ONLINE_STORE_ENCRYPTION",
    "SageMaker feature groups encrypt their online store with a KMS key.",
    ("AWS::SageMaker::FeatureGroup",))

S3_PUBLIC_READ_PROHIBITED = ConfigRule(
    "s3-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "No S3 bucket allows public read access.", ("AWS::S3::Bucket",))
S3_PUBLIC_WRITE_PROHIBITED = ConfigRule(
    "s3-public-write-prohibited", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
    "No S3 bucket allows public write access.", ("AWS::S3::Bucket",))
S3_TLS_REQUESTS_ONLY = ConfigRule(
    "s3-tls-requests-only", "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3 bucket policies deny requests that do not use TLS.", ("AWS::S3::Bucket",))
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = ConfigRule(
    "s3-account-public-access-block", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
    "S3 Block Public Access is on for the whole account.", (ACCOUNT,), global_only=True)
CLOUDTRAIL_ENABLED = ConfigRule(
    "cloudtrail-enabled", "CLOUD_TRAIL_ENABLED",
    "A CloudTrail trail records the account's API activity in the region.", (ACCOUNT,))
EBS_VOLUMES_ENCRYPTED = ConfigRule(
    "ebs-volumes-encrypted", "ENCRYPTED_VOLUMES",
    "Attached EBS volumes are encrypted.", ("AWS::EC2::Volume",))
EBS_ENCRYPTION_BY_DEFAULT = ConfigRule(
    "ebs-encryption-by-default", "EC2_EBS_ENCRYPTION_BY_DEFAULT",
    "EBS encryption by default is on in the region.", (ACCOUNT,))
VPC_FLOW_LOGS_ENABLED = ConfigRule(
    "vpc-flow-logs-enabled", "VPC_FLOW_LOGS_ENABLED",
    "Every VPC records flow logs.", ("AWS::EC2::VPC",), periodic=True)
IAM_ROOT_ACCESS_KEY_ABSENT = ConfigRule(
    "iam-root-access-key-absent", "IAM_ROOT_ACCESS_KEY_CHECK",
    "The root user has no access key.", (ACCOUNT,), global_only=True)

ML_RULES: tuple[ConfigRule, ...] = (
    SAGEMAKER_DOMAIN_VPC_ONLY,
    SAGEMAKER_NOTEBOOK_NO_INTERNET,
    SAGEMAKER_NOTEBOOK_NO_ROOT,
    SAGEMAKER_NOTEBOOK_KMS,
    SAGEMAKER_NOTEBOOK_IN_VPC,
    SAGEMAKER_ENDPOINT_CONFIG_KMS,
    SAGEMAKER_MODEL_ISOLATION,
    SAGEMAKER_MODEL_IN_VPC,
    SAGEMAKER_FEATURES_OFFLINE_KMS,
    SAGEMAKER_FEATURES_ONLINE_KMS,
)
BASELINE_RULES: tuple[ConfigRule, ...] = (
    S3_PUBLIC_READ_PROHIBITED,
    S3_PUBLIC_WRITE_PROHIBITED,
    S3_TLS_REQUESTS_ONLY,
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
    CLOUDTRAIL_ENABLED,
    EBS_VOLUMES_ENCRYPTED,
    EBS_ENCRYPTION_BY_DEFAULT,
    VPC_FLOW_LOGS_ENABLED,
    IAM_ROOT_ACCESS_KEY_ABSENT,
)


def config_rules() -> tuple[ConfigRule, ...]:
    """The organization rules every organization gets: the ML rules, then the baseline ones."""
    return ML_RULES + BASELINE_RULES


# -- Security Hub standards ---------------------------------------------------------------------

STANDARDS: dict[str, Standard] = {s.key: s for s in (
    Standard("aws-foundational-security-best-practices", "AWS Foundational Security Best Practices v1.0.0",
             "arn:{partition}:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0"),
    Standard("cis-aws-foundations-benchmark", "CIS AWS Foundations Benchmark v3.0.0",
             "arn:{partition}:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0"),
    Standard("nist-800-53", "NIST SP 800-53 Rev. 5",
             "arn:{partition}:securityhub:{region}::standards/nist-800-53/v/5.0.0"),
    Standard("pci-dss", "PCI DSS v4.0.1",
             "arn:{partition}:securityhub:{region}::standards/pci-dss/v/4.0.1"),
)}
DEFAULT_STANDARDS = ("aws-foundational-security-best-practices", "cis-aws-foundations-benchmark")
FRAMEWORK_STANDARDS: dict[str, tuple[str, ...]] = {
    "nist-800-53": ("nist-800-53",),
    "pci-dss": ("pci-dss",),
}


def _known(frameworks: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(frameworks) - set(FRAMEWORKS))
    if unknown:
        raise ValueError(f"unknown compliance framework {', '.join(unknown)}; known: {', '.join(sorted(FRAMEWORKS))}")
    return tuple(dict.fromkeys(frameworks))


def security_hub_standards(frameworks: tuple[str, ...]) -> tuple[Standard, ...]:
    """The standards the configuration policy enables: the defaults, then each framework's, once each."""
    keys = DEFAULT_STANDARDS + tuple(k for f in _known(frameworks) for k in FRAMEWORK_STANDARDS[f])
    return tuple(STANDARDS[k] for k in dict.fromkeys(keys))


# -- conformance packs --------------------------------------------------------------------------
# The managed rules of AWS's operational best practices packs (PCI DSS 3.2.1 and 4.0; NIST SP 800-53
# Rev. 5) that evaluate resource types the platform runs. Left out: S3 default encryption with KMS and
# S3 server access logging, which the access-log buckets cannot meet (S3 delivers access logs to
# SSE-S3 buckets only, and logging them would loop).

CLOUDTRAIL_MULTI_REGION = ConfigRule(
    "cloudtrail-multi-region", "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "At least one trail records every region.", (ACCOUNT,), global_only=True)
CLOUDTRAIL_ENCRYPTED = ConfigRule(
    "cloudtrail-encrypted", "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "Trails encrypt their log files with a KMS key.", (ACCOUNT,), global_only=True)
CLOUDTRAIL_LOG_FILE_VALIDATION = ConfigRule(
    "cloudtrail-log-file-validation", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "Trails sign digest files so that tampering with logs is detected.", (ACCOUNT,), global_only=True)
CLOUDTRAIL_CLOUDWATCH_LOGS = ConfigRule(
    "cloudtrail-cloudwatch-logs", "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "Trails also deliver to CloudWatch Logs for alerting.", (ACCOUNT,), global_only=True)
KMS_KEY_ROTATION = ConfigRule(
    "kms-key-rotation", "CMK_BACKING_KEY_ROTATION_ENABLED",
    "Customer managed KMS keys rotate their key material.", (ACCOUNT,))
KMS_KEY_NOT_PENDING_DELETION = ConfigRule(
    "kms-key-not-pending-deletion", "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
    "No customer managed KMS key is scheduled for deletion.", ("AWS::KMS::Key",), periodic=True)
LOG_GROUP_RETENTION = ConfigRule(
    "log-group-retention", "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
    "CloudWatch log groups keep their events at least a year.", ("AWS::Logs::LogGroup",), periodic=True)
S3_BUCKET_PUBLIC_ACCESS_BLOCK = ConfigRule(
    "s3-bucket-public-access-block", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
    "Every S3 bucket blocks public access.", ("AWS::S3::Bucket",))
S3_VERSIONING = ConfigRule(
    "s3-versioning", "S3_BUCKET_VERSIONING_ENABLED",
    "S3 buckets keep object versions.", ("AWS::S3::Bucket",))
EBS_SNAPSHOTS_NOT_PUBLIC = ConfigRule(
    "ebs-snapshots-not-public", "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
    "No EBS snapshot can be restored by anyone.", (ACCOUNT,))
IAM_NO_ADMIN_POLICIES = ConfigRule(
    "iam-no-admin-policies", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "No customer managed IAM policy allows every action on every resource.", ("AWS::IAM::Policy",),
    global_only=True)
VPC_DEFAULT_SG_CLOSED = ConfigRule(
    "vpc-default-sg-closed", "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "Default security groups allow no traffic.", ("AWS::EC2::SecurityGroup",))
SSH_RESTRICTED = ConfigRule(
    "ssh-restricted", "INCOMING_SSH_DISABLED",
    "No security group allows SSH from anywhere.", ("AWS::EC2::SecurityGroup",))
SUBNET_NO_PUBLIC_IP = ConfigRule(
    "subnet-no-public-ip", "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED",
    "Subnets do not give public IP addresses to what starts in them.", ("AWS::EC2::Subnet",))
NO_OPEN_ROUTE_TO_IGW = ConfigRule(
    "no-open-route-to-igw", "NO_UNRESTRICTED_ROUTE_TO_IGW",
    "No route table sends all traffic to an internet gateway.", ("AWS::EC2::RouteTable",))
GUARDDUTY_ENABLED = ConfigRule(
    "guardduty-enabled", "GUARDDUTY_ENABLED_CENTRALIZED",
    "GuardDuty runs in the account and region.", (ACCOUNT,))
SECURITYHUB_ENABLED = ConfigRule(
    "securityhub-enabled", "SECURITYHUB_ENABLED",
    "Security Hub runs in the account and region.", (ACCOUNT,))
MACIE_ENABLED = ConfigRule(
    "macie-enabled", "MACIE_STATUS_CHECK",
    "Macie runs in the account (in the home region, where the platform's data is).", (ACCOUNT,),
    global_only=True)
ECR_IMAGE_SCANNING = ConfigRule(
    "ecr-image-scanning", "ECR_PRIVATE_IMAGE_SCANNING_ENABLED",
    "Private ECR repositories scan the images pushed to them.", ("AWS::ECR::Repository",))
CODEBUILD_NO_CREDENTIALS = ConfigRule(
    "codebuild-no-credentials", "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
    "CodeBuild projects hold no AWS credentials in plain-text environment variables.",
    ("AWS::CodeBuild::Project",))
CODEBUILD_LOGGING = ConfigRule(
    "codebuild-logging", "CODEBUILD_PROJECT_LOGGING_ENABLED",
    "CodeBuild projects log their builds.", ("AWS::CodeBuild::Project",))
CODEBUILD_ARTIFACTS_ENCRYPTED = ConfigRule(
    "codebuild-artifacts-encrypted", "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION",
    "CodeBuild projects encrypt their artifacts.", ("AWS::CodeBuild::Project",))
SNS_ENCRYPTED = ConfigRule(
    "sns-encrypted", "SNS_ENCRYPTED_KMS",
    "SNS topics encrypt their messages with a KMS key.", ("AWS::SNS::Topic",))

_CONFORMANCE_PACKS: dict[str, ConformancePack] = {p.framework: p for p in (
    ConformancePack("pci-dss", "pci-dss", "Operational best practices for PCI DSS", (
        CLOUDTRAIL_ENABLED, CLOUDTRAIL_MULTI_REGION, CLOUDTRAIL_ENCRYPTED, CLOUDTRAIL_LOG_FILE_VALIDATION,
        CLOUDTRAIL_CLOUDWATCH_LOGS, LOG_GROUP_RETENTION,
        KMS_KEY_ROTATION, KMS_KEY_NOT_PENDING_DELETION,
        EBS_ENCRYPTION_BY_DEFAULT, EBS_VOLUMES_ENCRYPTED, EBS_SNAPSHOTS_NOT_PUBLIC,
        S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, S3_BUCKET_PUBLIC_ACCESS_BLOCK, S3_PUBLIC_READ_PROHIBITED,
        S3_PUBLIC_WRITE_PROHIBITED, S3_TLS_REQUESTS_ONLY, S3_VERSIONING,
        SAGEMAKER_NOTEBOOK_NO_INTERNET, SAGEMAKER_NOTEBOOK_KMS, SAGEMAKER_ENDPOINT_CONFIG_KMS,
        IAM_ROOT_ACCESS_KEY_ABSENT, IAM_NO_ADMIN_POLICIES,
        VPC_DEFAULT_SG_CLOSED, VPC_FLOW_LOGS_ENABLED, SSH_RESTRICTED, SUBNET_NO_PUBLIC_IP, NO_OPEN_ROUTE_TO_IGW,
        GUARDDUTY_ENABLED, SECURITYHUB_ENABLED, MACIE_ENABLED,
        ECR_IMAGE_SCANNING, CODEBUILD_NO_CREDENTIALS, CODEBUILD_LOGGING,
    )),
    ConformancePack("nist-800-53", "nist-800-53", "Operational best practices for NIST SP 800-53 Rev. 5", (
        CLOUDTRAIL_ENABLED, CLOUDTRAIL_MULTI_REGION, CLOUDTRAIL_ENCRYPTED, CLOUDTRAIL_LOG_FILE_VALIDATION,
        CLOUDTRAIL_CLOUDWATCH_LOGS,
        KMS_KEY_ROTATION, KMS_KEY_NOT_PENDING_DELETION,
        EBS_ENCRYPTION_BY_DEFAULT, EBS_VOLUMES_ENCRYPTED, EBS_SNAPSHOTS_NOT_PUBLIC,
        S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, S3_BUCKET_PUBLIC_ACCESS_BLOCK, S3_PUBLIC_READ_PROHIBITED,
        S3_PUBLIC_WRITE_PROHIBITED, S3_TLS_REQUESTS_ONLY, S3_VERSIONING,
        SAGEMAKER_NOTEBOOK_NO_INTERNET, SAGEMAKER_NOTEBOOK_KMS, SAGEMAKER_ENDPOINT_CONFIG_KMS,
        IAM_ROOT_ACCESS_KEY_ABSENT, IAM_NO_ADMIN_POLICIES,
        VPC_DEFAULT_SG_CLOSED, VPC_FLOW_LOGS_ENABLED, SSH_RESTRICTED, SUBNET_NO_PUBLIC_IP, NO_OPEN_ROUTE_TO_IGW,
        GUARDDUTY_ENABLED, SECURITYHUB_ENABLED,
        CODEBUILD_NO_CREDENTIALS, CODEBUILD_ARTIFACTS_ENCRYPTED, SNS_ENCRYPTED,
    )),
)}


def conformance_packs(frameworks: tuple[str, ...]) -> tuple[ConformancePack, ...]:
    """One organization conformance pack per framework, in the order given; none without frameworks."""
    return tuple(_CONFORMANCE_PACKS[f] for f in _known(frameworks))
