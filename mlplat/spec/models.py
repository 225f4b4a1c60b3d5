"""The spec file (``mlplat.yaml``) as pydantic models.

Every field is documented; ``mlplat schema`` prints these models as JSON Schema for editors. The
models check each value on its own; checks that relate values to each other (references, duplicates,
overlaps) live in :mod:`mlplat.spec.validators`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from mlplat.spec.framework import (
    DEFAULT_CLASSIFICATION,
    DEFAULT_CLASSIFICATIONS,
    DEFAULT_IDLE_TIMEOUT_MINUTES,
    DEFAULT_LAKE_ZONES,
    Environment,
    PersonaScope,
    TeamPersona,
)
from mlplat.spec.types import (
    AccountId,
    CheckId,
    Cidr,
    Email,
    FeatureGroupName,
    FeatureName,
    InstanceType,
    IsoDate,
    Justification,
    Name,
    OuPath,
    PolicyName,
    Region,
    SessionDuration,
    Tags,
    TagValue,
    UserName,
    ZoneName,
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(Model):
    """The AWS organization mlplat governs."""

    name: Name = Field(description="Short name of the organization; prefixes every account name (e.g. acme).")
    management_account_id: AccountId = Field(description="Id of the Organizations management account (12 digits, quoted).")
    home_region: Region = Field(description="Region of the platform's regional resources and of IAM Identity Center.")
    allowed_regions: list[Region] = Field(
        min_length=1,
        description="Regions workloads may use; every other region is denied by SCP. Must include home_region.",
    )
    account_email: str = Field(
        description="Template of member account root emails; {account} is replaced by the account name "
        "(e.g. 'aws+{account}@example.com'). Each result must be unique and at most 64 characters.",
    )
    execution_role: str = Field(
        default="OrganizationAccountAccessRole",
        pattern=r"^[\w+=,.@-]{1,64}$",
        description="Role Terraform assumes in each member account (created by Organizations in new accounts).",
    )
    platform_cost_center: str = Field(
        default="platform", min_length=1, max_length=64,
        description="Cost center tagged on the platform's own accounts.",
    )
    tags: Tags = Field(default_factory=dict, description="Tags added to every resource in every account.")


class AccountSettings(Model):
    """Overrides for one account; anything left out is derived from the organization."""

    name: str | None = Field(
        default=None, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Account name (also the name of its stack); default '<organization>-<role>'.",
    )
    email: Email | None = Field(default=None, description="Root email; default from organization.account_email.")
    ou: OuPath | None = Field(default=None, description="OU path the account is placed in (e.g. Security/Prod).")
    account_id: AccountId | None = Field(
        default=None, description="Id of an existing account to adopt instead of creating one (12 digits, quoted)."
    )
    vpc_cidr: Cidr | None = Field(
        default=None, description="Spoke VPC CIDR; default: the next free block of network.spoke_prefix_length."
    )


CoreRole = Literal[
    "log_archive",
    "security_tooling",
    "network",
    "shared_services",
    "ml_shared_services_test",
    "ml_shared_services_prod",
    "ml_observability_test",
    "ml_observability_prod",
    "data_governance",
    "feature_store",
]


class LineOfBusiness(Model):
    """A line of business: owns ML teams and pays for them."""

    name: Name = Field(description="Name of the line of business (lowercase, hyphens).")
    cost_center: str = Field(min_length=1, max_length=64, description="Cost center its teams' accounts are tagged with.")
    tags: Tags = Field(default_factory=dict, description="Tags added to all of its teams' resources.")
    owners: list[Email] = Field(
        default_factory=list, max_length=10,
        description="Who answers for its spend (LOB executives): they receive its cost anomaly alerts and the alerts "
        "of its line_of_business budgets (at most 10). Default: cost.alert_emails, else its teams' cost contacts.",
    )


class TeamMember(Model):
    """A person of the team: gets a Studio user profile in the dev account with their persona's execution role."""

    user: UserName = Field(description="IAM Identity Center user name; the Studio profile is tagged with it and only "
                           "this user's session can open it.")
    persona: TeamPersona = Field(description="The member's persona: data-scientist, ml-team-lead or ml-engineer.")
    email: Email | None = Field(
        default=None,
        description="The member's email; an ml-team-lead receives the team's budget and cost anomaly alerts there. "
        "Default: the user name, when it is an email address.",
    )


class ExperimentTracking(Model):
    """A managed MLflow tracking server in the team's dev account."""

    size: Literal["Small", "Medium", "Large"] = Field(default="Small", description="Tracking server size.")


class Studio(Model):
    """SageMaker Studio in the team's dev account."""

    idle_timeout_minutes: int = Field(
        default=DEFAULT_IDLE_TIMEOUT_MINUTES, ge=60, le=525600,
        description="JupyterLab and Code Editor apps shut down after this many idle minutes (60 to 525600).",
    )


class Team(Model):
    """An ML team: each environment becomes an account of its own."""

    name: Name = Field(description="Name of the team, unique in the organization (lowercase, hyphens).")
    line_of_business: str = Field(description="Name of the line of business the team belongs to.")
    cost_center: str | None = Field(default=None, max_length=64, description="Cost center; default: the line of business's.")
    environments: dict[Environment, AccountSettings] = Field(
        default_factory=lambda: {"dev": AccountSettings(), "test": AccountSettings(), "prod": AccountSettings()},
        description="The team's environments (dev, test, prod) with optional per-account settings; "
        "default: all three with derived settings.",
    )
    tags: Tags = Field(default_factory=dict, description="Tags added to the team's resources.")
    members: list[TeamMember] = Field(
        default_factory=list,
        description="People of the team with a Studio user profile in dev; the team lead can add more through "
        "the Service Catalog user profile product.",
    )
    use_cases: list[Name] = Field(
        default_factory=list,
        description="Use cases: each gets a model package group in the local (dev) and central registries and a "
        "deployment pipeline, named '<team>-<use case>'; default: one, named after the team.",
    )
    instance_types: list[InstanceType] | None = Field(
        default=None, min_length=1,
        description="SageMaker instance types the team may run (jobs, endpoints, Studio apps); default: general "
        "purpose, compute and ml.g5 up to 2xlarge.",
    )
    studio: Studio = Field(default_factory=Studio, description="SageMaker Studio settings of the dev account.")
    experiment_tracking: ExperimentTracking | None = Field(
        default=None, description="A managed MLflow tracking server in dev, storing artifacts in the team bucket; "
        "default: none (SageMaker Experiments only).",
    )


class LakeZone(Model):
    """A zone of a data domain's lake: one bucket and one Glue database, registered with Lake Formation."""

    name: ZoneName = Field(description="Name of the zone (lowercase letters and digits), for example raw or curated.")
    retention_days: int | None = Field(
        default=None, ge=1, le=36500,
        description="Objects expire this many days after they are written (1 to 36500); default: kept until deleted.",
    )


def _default_zones() -> list[LakeZone]:
    return [LakeZone(name=name) for name in DEFAULT_LAKE_ZONES]


class DataGrant(Model):
    """What one consumer team reads of a domain: a tag expression (domain, zones, classifications) per environment."""

    team: str = Field(description="The consumer team (one of the domain's consumers).")
    zones: list[ZoneName] | None = Field(
        default=None, min_length=1,
        description="Zones the team reads; default: every zone of the domain but raw (raw only when named here).",
    )
    classifications: list[TagValue] | None = Field(
        default=None, min_length=1,
        description="Classification values the team reads; default: every classification of the organization.",
    )
    environments: list[Environment] = Field(
        default_factory=lambda: ["dev", "prod"], min_length=1,
        description="The team's accounts that read (default: dev, for experiments, and prod).",
    )


class DataDomain(Model):
    """A data domain: a data lake account whose producers publish and consumers read through Lake Formation."""

    name: Name = Field(description="Name of the data domain (lowercase, hyphens).")
    line_of_business: str | None = Field(default=None, description="Line of business that owns the domain, if any.")
    producers: list[str] = Field(default_factory=list, description="Teams that publish data products to the domain.")
    consumers: list[str] = Field(default_factory=list, description="Teams that may read the domain's shared data.")
    account: AccountSettings = Field(default_factory=AccountSettings, description="Settings of the domain's account.")
    zones: list[LakeZone] = Field(
        default_factory=_default_zones, min_length=1, max_length=8,
        description="Zones of the domain's lake, each a bucket and a Glue database (default: raw and curated).",
    )
    classification: TagValue = Field(
        default=DEFAULT_CLASSIFICATION,
        description="The classification LF-tag value of the domain's databases (one of data_governance.classifications).",
    )
    grants: list[DataGrant] = Field(
        default_factory=list,
        description="What each consumer reads; a consumer without a grant reads every zone but raw, "
        "of every classification, from dev and prod.",
    )


class Feature(Model):
    """One feature of a feature group."""

    name: FeatureName = Field(description="Feature name (letters, digits, '-' and '_').")
    type: Literal["Integral", "Fractional", "String"] = Field(description="Feature Store type.")


class FeatureGroup(Model):
    """A feature group of the central feature store, and which teams read or write it."""

    name: FeatureGroupName = Field(description="Feature group name, unique in the feature store account.")
    description: str | None = Field(default=None, max_length=128, description="What the features describe.")
    owner: str = Field(description="The team that creates and maintains the group: it reads and writes it.")
    writers: list[str] = Field(default_factory=list, description="Other teams that write records.")
    readers: list[str] = Field(default_factory=list, description="Teams that only read the group.")
    record_identifier: FeatureName = Field(description="The feature that identifies a record.")
    event_time: FeatureName = Field(description="The feature holding a record's event time (String or Fractional).")
    online: bool = Field(default=True, description="Keep an online store (low-latency reads) besides the offline store.")
    features: list[Feature] = Field(min_length=2, max_length=2500, description="The group's features.")


class DataGovernance(Model):
    """The central data governance account: the LF-tags every data domain is described with."""

    classifications: list[TagValue] = Field(
        default_factory=lambda: list(DEFAULT_CLASSIFICATIONS), min_length=1, max_length=50,
        description="Values of the classification LF-tag, least to most sensitive (default: public, internal, "
        "confidential, restricted); a domain classified with the last one is read only through grants that name it.",
    )


class Network(Model):
    """Hub-and-spoke network: a Transit Gateway in the network account, spokes in workload accounts."""

    cidr_pool: Cidr = Field(default="10.0.0.0/12", description="IPv4 pool all VPC CIDRs are allocated from.")
    spoke_prefix_length: int = Field(default=22, ge=16, le=26, description="Prefix length of each allocated VPC CIDR.")
    availability_zones: int = Field(default=2, ge=2, le=4, description="Number of AZs with a private subnet in each VPC.")
    transit_gateway_asn: int = Field(default=64512, ge=64512, le=4294967294, description="Private ASN of the Transit Gateway.")
    interface_endpoints: list[str] | None = Field(
        default=None,
        description="Services with a central interface endpoint in shared services (after com.amazonaws.<region>.); "
        "default: SageMaker API, runtime, feature store runtime, Studio, STS, S3, ECR, KMS, CloudWatch Logs and metrics, Glue, "
        "Service Catalog.",
    )


class Persona(Model):
    """A persona: what a kind of user may do (a permission set) and where (which accounts)."""

    description: str | None = Field(default=None, max_length=700, description="What the persona is for.")
    scope: PersonaScope | None = Field(
        default=None,
        description="Accounts the persona's groups are assigned to: organization (all), platform, security, "
        "governance, or team (the team's environments). Required for a new persona.",
    )
    environments: list[Environment] | None = Field(
        default=None, description="For team scope: the environments the persona works in."
    )
    managed_policies: list[PolicyName] | None = Field(
        default=None, description="AWS managed policies attached (names after arn:aws:iam::aws:policy/)."
    )
    session_duration: SessionDuration | None = Field(default=None, description="Session length, PT1H to PT12H.")


class Group(Model):
    """An extra Identity Center group assigned a persona in named accounts."""

    name: str = Field(min_length=1, max_length=128, pattern=r"^[\w+=,.@ -]+$", description="Group display name.")
    persona: str = Field(description="Persona the group's members act as.")
    accounts: list[str] = Field(default_factory=list, description="Account names the group is assigned to.")
    teams: list[str] = Field(default_factory=list, description="Teams whose environment accounts the group is assigned to.")


class Identity(Model):
    """IAM Identity Center: personas become permission sets, groups are assigned to accounts."""

    source: Literal["identity_center", "external"] = Field(
        default="identity_center",
        description="identity_center: mlplat creates the groups; external: groups come from an identity provider "
        "(SCIM) and are looked up by display name.",
    )
    personas: dict[Name, Persona] = Field(
        default_factory=dict,
        description="Changes to the built-in personas (cloud-admin, platform-admin, ml-team-lead, data-scientist, "
        "ml-engineer, governance-officer, auditor) or new personas.",
    )
    groups: list[Group] = Field(default_factory=list, description="Extra groups beyond the ones made for each team and persona.")


class ObjectLock(Model):
    """S3 Object Lock on the log archive (write once, read many)."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(default="GOVERNANCE", description="Object Lock retention mode.")
    days: int = Field(default=365, ge=1, le=36500, description="Default retention in days.")


class Suppression(Model):
    """A failure of `mlplat scan` the organization accepts: which check, where, why and until when."""

    check_id: CheckId = Field(description="The check, e.g. CKV_AWS_18 (checkov) or CKV_MLP_001 (mlplat's ML pack).")
    stack: str | None = Field(
        default=None, min_length=1,
        description="Glob on the stack name (fnmatch: * ? [..]), e.g. 'northbank-fraud-*'; it must match a stack of "
        "the organization. Omitted: every stack.",
    )
    resource: str | None = Field(
        default=None, min_length=1,
        description="Glob on the Terraform resource address the scan reports, e.g. 'aws_s3_bucket.team-storage_*'. "
        "Omitted: every resource.",
    )
    justification: Justification = Field(description="Why the failure is acceptable; required, shown in every report.")
    expires: IsoDate | None = Field(
        default=None,
        description="Last day (YYYY-MM-DD) the suppression applies; after it the failure counts again and the scan "
        "reports the suppression as expired.",
    )


class Controls(Model):
    """Preventive and detective controls."""

    service_control_policies: dict[OuPath, list[str]] | None = Field(
        default=None,
        description="SCPs attached to each OU (inherited by the OUs beneath it). Known: baseline-guardrails, "
        "region-restriction, protect-log-archive, require-imdsv2, network-guardrails, sagemaker-guardrails. Default: the framework's set.",
    )
    region_exempt_roles: list[str] = Field(
        default_factory=list, description="IAM role names exempt from the region restriction (break-glass)."
    )
    log_retention_days: int = Field(default=2557, ge=90, le=36500, description="Days logs are kept in the log archive.")
    log_archive_object_lock: ObjectLock | None = Field(default=None, description="Enable S3 Object Lock on the log archive.")
    compliance_frameworks: list[str] = Field(
        default_factory=list,
        description="Compliance frameworks the organization is assessed against, organization-wide: each adds its "
        "Security Hub standard and an AWS Config conformance pack. Known: nist-800-53 (NIST SP 800-53 Rev. 5), "
        "pci-dss (PCI DSS v4.0.1). AWS Foundational Security Best Practices, the CIS AWS Foundations Benchmark and "
        "mlplat's Config rules apply in any case.",
    )
    suppressions: list[Suppression] = Field(
        default_factory=list,
        description="Failures of `mlplat scan` the organization accepts, each with a justification and an optional "
        "expiry. mlplat's own design decisions are waived in mlplat (listed by `mlplat controls`); these are yours.",
    )


class Budget(Model):
    """A monthly cost budget with email alerts."""

    name: Name = Field(description="Budget name.")
    team: str | None = Field(
        default=None,
        description="Team whose accounts the budget covers. It is the team's budget: its limit replaces "
        "cost.team_monthly_limit_usd (and so sets the team accounts' budgets), and the team leads are alerted too.",
    )
    line_of_business: str | None = Field(default=None, description="Line of business whose teams' accounts it covers.")
    monthly_limit_usd: float = Field(gt=0, description="Monthly limit in US dollars.")
    alert_thresholds: list[int] = Field(default_factory=lambda: [80, 100],
                                        description="Alert at these percentages of the limit (at most 4).")
    alert_emails: list[Email] = Field(min_length=1, description="Who is alerted (at most 10, with the team leads or "
                                      "the line of business's owners).")


class Cost(Model):
    """Cost and reporting: every team's budgets, who is alerted, anomaly detection, cost allocation tags and the
    tag policy of the ML OUs."""

    team_monthly_limit_usd: float = Field(
        default=10000, gt=0,
        description="Monthly budget, in US dollars, of a team that has no budgets entry of its own (default 10000).",
    )
    environment_shares: dict[Environment, int] = Field(
        default_factory=lambda: {"dev": 30, "test": 20, "prod": 50},
        description="Each team account's own budget, in percent (1 to 100) of its team's monthly limit, by "
        "environment (default: dev 30, test 20, prod 50); an environment left out gets no account budget.",
    )
    alert_thresholds: list[int] = Field(
        default_factory=lambda: [80, 100],
        description="Alert at these percentages of the limit (1 to 1000, at most 4) on the budgets mlplat makes for "
        "teams and team accounts; every budget also alerts when the forecast passes its limit.",
    )
    alert_emails: list[Email] = Field(
        default_factory=list, max_length=10,
        description="FinOps contacts (at most 10): alerted for a team with neither an ml-team-lead member with an email "
        "nor a budget of its own, and for a line of business without owners. Without them, a team's alerts go to "
        "the root emails of its accounts.",
    )
    anomaly_threshold_usd: float = Field(
        default=100, gt=0,
        description="Cost anomaly alerts report anomalies whose total impact reaches this many US dollars (default 100).",
    )
    activate_allocation_tags: bool = Field(
        default=False,
        description="Activate the platform's tag keys and SageMaker's Studio tags as cost allocation tags (needed for "
        "cost per team, ML user and ML product in Cost Explorer and the data export's tag columns). A key can be "
        "activated only once it appears in billing data (up to 24 hours after the first tagged resource costs "
        "something), so a new organization's first apply leaves it false and a later one sets it true. Default false.",
    )
    tag_policy_enforced_for: list[str] = Field(
        default_factory=list,
        description="Resource types (like s3:bucket or ec2:ALL_SUPPORTED) on which the tag policy of the ML OUs "
        "refuses a tag value it does not list; default: none, the policy reports noncompliant resources only.",
    )


class LocalState(Model):
    """Terraform state in local files (DIR/state/<stack>.tfstate)."""

    backend: Literal["local"] = Field(description="local")


class S3State(Model):
    """Terraform state in one S3 bucket, a key per stack, with S3 native locking."""

    backend: Literal["s3"] = Field(description="s3")
    bucket: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+[a-z0-9]$", description="State bucket.")
    region: Region = Field(description="Region of the state bucket.")
    key_prefix: str = Field(default="mlplat", pattern=r"^[\w.-]+(/[\w.-]+)*$", description="Key prefix; the key is <prefix>/<stack>.tfstate.")
    kms_key_id: str | None = Field(default=None, description="KMS key ARN used to encrypt state objects.")
    role_arn: str | None = Field(default=None, description="Role assumed to read and write state.")
    endpoint: str | None = Field(default=None, description="Custom S3 endpoint URL (S3-compatible stores, tests).")
    use_path_style: bool = Field(default=False, description="Use path-style S3 addressing (with a custom endpoint).")


class CloudState(Model):
    """Terraform Cloud or Enterprise: a workspace per stack."""

    backend: Literal["cloud"] = Field(description="cloud")
    organization: str = Field(min_length=1, description="Terraform Cloud organization.")
    workspace_prefix: str = Field(default="", pattern=r"^[\w-]*$", description="Prefix of each stack's workspace name.")
    hostname: str | None = Field(default=None, description="Terraform Enterprise hostname; default app.terraform.io.")
    project: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{3,40}$",
        description="Terraform Cloud project holding the workspaces (3 to 40 letters, digits, - or _); "
        "default: the organization's name. Names the project in the AWS roles' trust policies.",
    )


State = Annotated[Union[LocalState, S3State, CloudState], Field(discriminator="backend")]


class Spec(Model):
    """An mlplat organization spec."""

    version: Literal[1] = Field(default=1, description="Spec format version.")
    organization: Organization = Field(description="The organization.")
    organizational_units: list[OuPath] | None = Field(
        default=None, description="OU paths; default: the framework's tree (Security, Infrastructure, "
        "Workloads/ML, Workloads/Data, Deployments, each split into Prod and NonProd)."
    )
    core_accounts: dict[CoreRole, AccountSettings] = Field(
        default_factory=dict, description="Overrides for the platform's core accounts, by role."
    )
    lines_of_business: list[LineOfBusiness] = Field(default_factory=list, description="Lines of business.")
    teams: list[Team] = Field(default_factory=list, description="ML teams.")
    data_domains: list[DataDomain] = Field(default_factory=list, description="Data domains, each with a data lake account.")
    data_governance: DataGovernance = Field(default_factory=DataGovernance, description="LF-tags of the data mesh.")
    feature_groups: list[FeatureGroup] = Field(
        default_factory=list, description="Feature groups of the central feature store, shared with the teams named.")
    network: Network = Field(default_factory=Network, description="Hub-and-spoke network.")
    identity: Identity = Field(default_factory=Identity, description="IAM Identity Center personas and groups.")
    controls: Controls = Field(default_factory=Controls, description="Preventive and detective controls.")
    budgets: list[Budget] = Field(
        default_factory=list,
        description="Monthly cost budgets; a team's budget (at most one per team) replaces the default one of cost.",
    )
    cost: Cost = Field(default_factory=Cost, description="Cost and reporting: team and account budgets, alerts, "
                       "anomaly detection, cost allocation tags and the tag policy.")
    state: State = Field(default_factory=lambda: LocalState(backend="local"), description="Where Terraform keeps state.")
