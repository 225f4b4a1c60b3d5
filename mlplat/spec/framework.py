"""The reference architecture as data: the defaults a spec starts from.

A spec that says nothing about OUs, core accounts, controls or personas gets exactly these, which
reproduce the framework's organization (Security, Infrastructure, Workloads with ML and Data beneath
it, Deployments; prod and non-prod split in each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Environment = Literal["dev", "test", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = ("dev", "test", "prod")

ORGANIZATIONAL_UNITS: tuple[str, ...] = (
    "Security",
    "Security/Prod",
    "Infrastructure",
    "Infrastructure/Prod",
    "Infrastructure/NonProd",
    "Workloads",
    "Workloads/ML",
    "Workloads/ML/Prod",
    "Workloads/ML/NonProd",
    "Workloads/Data",
    "Workloads/Data/Prod",
    "Workloads/Data/NonProd",
    "Deployments",
    "Deployments/Prod",
    "Deployments/NonProd",
)

TEAM_ENVIRONMENT_OUS: dict[Environment, str] = {
    "dev": "Workloads/ML/NonProd",
    "test": "Workloads/ML/NonProd",
    "prod": "Workloads/ML/Prod",
}
DATA_DOMAIN_OU = "Workloads/Data/Prod"

NetworkRole = Literal["none", "hub", "spoke"]


@dataclass(frozen=True)
class CoreAccountRole:
    """A platform account every organization has."""

    suffix: str
    ou: str
    environment: str
    network: NetworkRole
    purpose: str


CORE_ACCOUNTS: dict[str, CoreAccountRole] = {
    "log_archive": CoreAccountRole("log-archive", "Security/Prod", "prod", "none",
                                   "central, immutable store of CloudTrail, Config and flow logs"),
    "security_tooling": CoreAccountRole("security-tooling", "Security/Prod", "prod", "none",
                                        "delegated admin of GuardDuty, Security Hub, Config and Access Analyzer"),
    "network": CoreAccountRole("network", "Infrastructure/Prod", "prod", "none",
                               "Transit Gateway hub shared with the organization"),
    "shared_services": CoreAccountRole("shared-services", "Infrastructure/Prod", "prod", "hub",
                                       "central VPC interface endpoints reachable from every spoke"),
    "ml_shared_services_test": CoreAccountRole("ml-shared-services-test", "Deployments/NonProd", "test", "spoke",
                                               "CI/CD and the central model registry for test"),
    "ml_shared_services_prod": CoreAccountRole("ml-shared-services-prod", "Deployments/Prod", "prod", "spoke",
                                               "CI/CD and the central model registry for prod"),
    "ml_observability_test": CoreAccountRole("ml-observability-test", "Deployments/NonProd", "test", "none",
                                             "cross-account CloudWatch for test workloads"),
    "ml_observability_prod": CoreAccountRole("ml-observability-prod", "Deployments/Prod", "prod", "none",
                                             "cross-account CloudWatch for prod workloads"),
    "data_governance": CoreAccountRole("data-governance", "Workloads/Data/Prod", "prod", "none",
                                       "central Glue catalog and Lake Formation permissions"),
    "feature_store": CoreAccountRole("feature-store", "Workloads/Data/Prod", "prod", "spoke",
                                     "centralized SageMaker Feature Store shared across accounts"),
}

# Preventive controls: the service control policies mlplat ships (templates/scp/<name>.json.j2).
SERVICE_CONTROL_POLICIES: dict[str, str] = {
    "baseline-guardrails": "deny leaving the organization, the root user, and turning off CloudTrail, "
    "Config, GuardDuty, Security Hub, Access Analyzer or account-level encryption and public access blocks",
    "region-restriction": "deny actions outside the allowed regions, with the usual global-service exceptions",
    "protect-log-archive": "deny changing or deleting the log archive buckets and their KMS keys",
    "require-imdsv2": "deny EC2 instances that do not require IMDSv2",
    "network-guardrails": "deny changes to routes, gateways, peering, Transit Gateway attachments and flow "
    "logs by anyone but the execution role",
    "sagemaker-guardrails": "deny SageMaker domains and notebooks with direct internet access, and jobs, "
    "domains and endpoints without VPC and KMS settings",
}
# What each statement (Sid) of the shipped SCPs stops; `mlplat controls` lists them, a test keeps this complete.
SCP_STATEMENTS: dict[str, str] = {
    "DenyLeaveOrganization": "an account leaving the organization and its controls",
    "DenyRootUser": "any action by an account's root user",
    "ProtectSecurityServices": "stopping or deleting CloudTrail, Config, GuardDuty, Security Hub, Access Analyzer, "
    "EBS encryption by default and S3 public access blocks, by anyone but the execution role",
    "DenyNetworkPerimeterChanges": "changes to routes, internet and Transit Gateway attachments, peering and flow "
    "logs, by anyone but the execution role",
    "ProtectLogArchiveBuckets": "deleting or rewriting the log archive buckets, their objects, policies and "
    "retention, by anyone but the execution role",
    "ProtectKmsKeys": "disabling or scheduling the deletion of KMS keys, by anyone but the execution role",
    "DenyOutsideAllowedRegions": "actions outside the allowed regions, except global services and the exempt roles",
    "RequireImdsv2": "EC2 instances launched without IMDSv2 (session tokens required)",
    "LimitMetadataHopLimit": "EC2 instances launched with an instance metadata hop limit above 2",
    "DenyMetadataOptionChanges": "changing instance metadata options, by anyone but the execution role",
    "DenyImdsv1Credentials": "any use of role credentials obtained through IMDSv1",
    "DenyNotebookDirectInternetAccess": "SageMaker notebook instances with direct internet access",
    "DenyNotebookRootAccess": "SageMaker notebook instances created with root access",
    "DenyNotebookRootAccessUpdate": "turning root access on for a SageMaker notebook instance",
    "RequireVpcOnlyDomain": "SageMaker domains that are not VpcOnly",
    "DenyPublicInternetDomainUpdate": "switching a SageMaker domain to public internet access",
    "RequireVpcSubnets": "SageMaker models, notebooks and training, processing and tuning jobs without VPC subnets",
    "RequireVolumeKmsKey": "SageMaker domains, notebooks, endpoint configurations and jobs without a volume KMS key",
    "RequireOutputKmsKey": "SageMaker training, processing, transform and tuning jobs without an output KMS key",
}
DEFAULT_CONTROLS: dict[str, tuple[str, ...]] = {
    "Security": ("baseline-guardrails", "region-restriction", "protect-log-archive"),
    "Infrastructure": ("baseline-guardrails", "region-restriction", "require-imdsv2", "network-guardrails"),
    "Workloads": ("baseline-guardrails", "region-restriction", "require-imdsv2", "network-guardrails"),
    "Workloads/ML": ("sagemaker-guardrails",),
    "Deployments": ("baseline-guardrails", "region-restriction", "require-imdsv2", "sagemaker-guardrails"),
    # Deployments has AWS's maximum of direct attachments; its children carry the fifth control
    "Deployments/Prod": ("network-guardrails",),
    "Deployments/NonProd": ("network-guardrails",),
}
# Compliance frameworks a spec may select (controls.compliance_frameworks); each adds its Security Hub
# standard and an AWS Config conformance pack (mlplat.modules.foundations.detective.catalog, which a test
# keeps in step with this list).
COMPLIANCE_FRAMEWORKS: tuple[str, ...] = ("nist-800-53", "pci-dss")
# AWS allows 5 SCPs attached directly to one target, FullAWSAccess included.
MAX_SCPS_PER_TARGET = 4
MAX_SCP_CHARACTERS = 5120

PersonaScope = Literal["organization", "platform", "security", "governance", "team"]


@dataclass(frozen=True)
class PersonaDefaults:
    """Where a built-in persona works and what AWS managed policies it starts from.

    The least-privilege inline policy of each built-in persona is kept with the identity module.
    """

    scope: PersonaScope
    description: str
    session_duration: str
    managed_policies: tuple[str, ...] = ()
    environments: tuple[Environment, ...] = ()


PERSONAS: dict[str, PersonaDefaults] = {
    "cloud-admin": PersonaDefaults("organization", "Cloud administrators: break-glass administration of every account",
                                   "PT1H", ("AdministratorAccess",)),
    "platform-admin": PersonaDefaults("platform", "ML platform administrators: run the platform accounts",
                                      "PT4H", ("PowerUserAccess",)),
    "ml-team-lead": PersonaDefaults("team", "ML team leads: approve models and manage their team's projects",
                                    "PT8H", (), ("dev", "test", "prod")),
    "data-scientist": PersonaDefaults("team", "Data scientists: experiment and build models in dev",
                                      "PT8H", (), ("dev",)),
    "ml-engineer": PersonaDefaults("team", "ML engineers: build pipelines and operate endpoints",
                                   "PT8H", (), ("dev", "test", "prod")),
    "governance-officer": PersonaDefaults("governance", "ML governance officers: review model cards and registry approvals",
                                          "PT4H", ("job-function/ViewOnlyAccess",)),
    "auditor": PersonaDefaults("organization", "IT auditors: read-only view of configuration and logs",
                               "PT4H", ("SecurityAudit", "job-function/ViewOnlyAccess")),
}

# The central model registry, the deployment pipelines, the ML event bus, ECR and the Service Catalog
# portfolio live in the prod ML shared services account: it is the system of record for what reaches
# prod, and it is governed by the Deployments/Prod controls.
ML_PLATFORM_ACCOUNT = "ml_shared_services_prod"

# The zones of a data domain's lake unless its spec says otherwise: data as it lands, and data
# cleaned and documented for consumers.
DEFAULT_LAKE_ZONES: tuple[str, ...] = ("raw", "curated")
# The landing zone: consumers read it only when a grant names it.
RAW_ZONE = "raw"

# Values of the classification LF-tag unless the spec declares its own, least to most sensitive, and
# the one a data domain's databases carry unless the domain says otherwise.
DEFAULT_CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
DEFAULT_CLASSIFICATION = "internal"

# The personas of an ML team: Studio user profiles and execution roles exist for these.
TeamPersona = Literal["data-scientist", "ml-team-lead", "ml-engineer"]
TEAM_PERSONAS: tuple[TeamPersona, ...] = ("data-scientist", "ml-team-lead", "ml-engineer")

# SageMaker instance types a team may run (training, processing, endpoints) unless its spec says
# otherwise: general purpose, compute and one GPU family, no large accelerated fleets by default.
DEFAULT_INSTANCE_TYPES: tuple[str, ...] = (
    "ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.m5.4xlarge",
    "ml.c5.large", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.g5.xlarge", "ml.g5.2xlarge",
)
# Studio apps shut down after this much idle time unless the team's spec says otherwise.
DEFAULT_IDLE_TIMEOUT_MINUTES = 60

# Central interface endpoints in the shared services account (service name after com.amazonaws.<region>.).
INTERFACE_ENDPOINTS: tuple[str, ...] = (
    "sagemaker.api",
    "sagemaker.runtime",
    "sagemaker.featurestore-runtime",
    "studio",
    "sts",
    "s3",
    "ecr.api",
    "ecr.dkr",
    "kms",
    "logs",
    "monitoring",
    "glue",
    "servicecatalog",
)
# SageMaker Studio's endpoint is named aws.sagemaker.<region>.studio, not com.amazonaws.<region>.studio.
STUDIO_ENDPOINT = "studio"
