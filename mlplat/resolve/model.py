"""The resolved organization: every default applied, every name, email, tag and CIDR concrete.

Modules and stacks render from this model only; they never see the YAML or the spec models.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

AccountKind = Literal["management", "core", "team", "data_domain"]
NetworkRole = Literal["none", "hub", "spoke"]


class Resolved(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(Resolved):
    """One AWS account of the organization."""

    key: str  # stable id inside mlplat: 'log-archive', 'churn-dev', 'data-sales', 'management'
    name: str
    email: str
    ou: str | None  # None for the management account (it sits at the root)
    account_id: str | None  # known id (adopted account or management); None: created by the organization stack
    kind: AccountKind
    role: str | None = None  # core role (log_archive, ...) for core accounts
    team: str | None = None
    environment: str  # dev, test, prod, or shared
    line_of_business: str
    cost_center: str
    network: NetworkRole
    vpc_cidr: str | None = None
    tags: dict[str, str]  # the stack's default tags
    purpose: str


class OrganizationalUnit(Resolved):
    path: str
    name: str
    parent: str | None
    service_control_policies: tuple[str, ...]


class Persona(Resolved):
    name: str
    description: str
    scope: str
    environments: tuple[str, ...]
    managed_policies: tuple[str, ...]
    session_duration: str
    builtin: bool


class GroupAssignment(Resolved):
    """An Identity Center group acting as ``persona`` in ``accounts`` (account keys)."""

    group: str
    persona: str
    accounts: tuple[str, ...]
    team: str | None = None


class LakeZone(Resolved):
    name: str
    retention_days: int | None  # None: objects are kept until deleted


class DataGrant(Resolved):
    """What one team reads of a domain, from which of its environments."""

    team: str
    zones: tuple[str, ...]
    classifications: tuple[str, ...]
    environments: tuple[str, ...]  # only those the team has
    producer: bool  # the team publishes to the domain: it reads every zone


class DataDomain(Resolved):
    name: str
    account: str  # account key
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    zones: tuple[LakeZone, ...]
    classification: str  # the classification LF-tag value of its databases
    grants: tuple[DataGrant, ...]  # one per producer and consumer team

    def database_name(self, zone: str) -> str:
        """The Glue database of a zone: '<domain>_<zone>' (Glue and Athena names take no hyphens)."""
        return f"{self.name.replace('-', '_')}_{zone}"


class FeatureAccess(Resolved):
    team: str
    environment: str
    write: bool


class FeatureGroup(Resolved):
    name: str
    description: str | None
    record_identifier: str
    event_time: str
    online: bool
    features: tuple[tuple[str, str], ...]  # (name, type)
    access: tuple[FeatureAccess, ...]  # per team account that reads or writes it


class TeamMember(Resolved):
    user: str  # Identity Center user name
    persona: str


class MlTeam(Resolved):
    """An ML team with everything the ML modules render for it."""

    name: str
    line_of_business: str
    accounts: dict[str, str]  # environment (dev, test, prod) -> account key
    members: tuple[TeamMember, ...]
    use_cases: tuple[str, ...]
    instance_types: tuple[str, ...]
    endpoint_instance_type: str | None  # the first of instance_types that the deploy template can host
    idle_timeout_minutes: int
    experiment_tracking: str | None  # MLflow tracking server size, or None

    def model_package_group(self, use_case: str) -> str:
        """The use case's base name: its model package group (the same in the local and central
        registries), deployment pipeline and endpoint stack; endpoints add the environment. The
        team's implicit use case (a team that declares none) is named after the team."""
        return self.name if use_case == self.name else f"{self.name}-{use_case}"


class Network(Resolved):
    cidr_pool: str
    spoke_prefix_length: int
    availability_zones: int
    transit_gateway_asn: int
    interface_endpoints: tuple[str, ...]
    hub_account: str  # account key of the endpoint hub (shared services)
    transit_account: str  # account key owning the Transit Gateway


class Suppression(Resolved):
    """A scan failure the organization accepts (spec ``controls.suppressions``)."""

    check_id: str
    stack: str | None  # glob on the stack name
    resource: str | None  # glob on the resource address
    justification: str
    expires: date | None  # last day it applies
    source: str  # where the spec declares it: '<spec file name>:<line>'


class Controls(Resolved):
    service_control_policies: dict[str, str]  # name -> what it denies, for every SCP attached somewhere
    suppressions: tuple[Suppression, ...] = ()
    region_exempt_roles: tuple[str, ...]
    log_retention_days: int
    object_lock_mode: str | None
    object_lock_days: int | None
    # the compliance frameworks the organization is assessed against (detective controls), in spec order
    compliance_frameworks: tuple[str, ...] = ()


class Budget(Resolved):
    """A monthly cost budget: one of the spec's, or one mlplat makes for a team or a team account."""

    name: str  # unique among the organization's budgets; the budget is named '<org>-<name>'
    accounts: tuple[str, ...]  # account keys
    monthly_limit_usd: float
    alert_thresholds: tuple[int, ...]
    alert_emails: tuple[str, ...]
    team: str | None = None  # the team whose budget (or whose account's budget) it is
    account: str | None = None  # the account key of an account's own budget


class CostOwner(Resolved):
    """A team or a line of business: the accounts its spend is counted on and who is alerted about it."""

    name: str
    accounts: tuple[str, ...]  # account keys
    alert_emails: tuple[str, ...]


class TagPolicy(Resolved):
    """The tag policy of the OUs holding the teams' accounts: the cost tags' keys and their allowed values."""

    targets: tuple[str, ...]  # OU paths
    content: str  # the minified policy document


class Cost(Resolved):
    """Cost and reporting: cost categories, anomaly alerts, cost allocation tags and the tag policy."""

    team_category: str  # cost category names; also their keys in the cost and usage export
    line_of_business_category: str
    default_category_value: str  # the value of accounts outside every team (or line of business)
    teams: tuple[CostOwner, ...]
    lines_of_business: tuple[CostOwner, ...]  # those with accounts
    anomaly_threshold_usd: float
    activate_allocation_tags: bool
    tag_keys: dict[str, str]  # what the key names (team, line_of_business, environment, cost_center) -> tag key
    tag_policy: TagPolicy | None


TERRAFORM_CLOUD_HOSTNAME = "app.terraform.io"


class State(Resolved):
    backend: Literal["local", "s3", "cloud"]
    bucket: str | None = None
    region: str | None = None
    key_prefix: str | None = None
    kms_key_id: str | None = None
    role_arn: str | None = None
    endpoint: str | None = None
    use_path_style: bool = False
    organization: str | None = None
    workspace_prefix: str | None = None
    hostname: str | None = None
    project: str | None = None  # cloud: the Terraform Cloud project of the workspaces

    def workspace(self, stack: str) -> str:
        """The Terraform Cloud workspace of ``stack`` (cloud backend)."""
        return f"{self.workspace_prefix or ''}{stack}"

    @property
    def cloud_hostname(self) -> str:
        """The Terraform Cloud or Enterprise host (cloud backend): the issuer of the runs' identity tokens."""
        return self.hostname or TERRAFORM_CLOUD_HOSTNAME


# tfc_bootstrap: the Terraform Cloud project, workspaces, run triggers and variables (cloud backend only)
StackKind = Literal["organization", "account", "tfc_bootstrap"]


class Stack(Resolved):
    """One Terraform stack: the organization structure, one account's resources, or the Terraform Cloud
    workspaces of the others."""

    name: str
    account: str  # account key
    kind: StackKind


class Org(Resolved):
    name: str
    management_account_id: str
    home_region: str
    allowed_regions: tuple[str, ...]
    execution_role: str
    tags: dict[str, str]
    organizational_units: tuple[OrganizationalUnit, ...]
    accounts: tuple[Account, ...]
    personas: tuple[Persona, ...]
    groups: tuple[GroupAssignment, ...]
    groups_external: bool
    data_domains: tuple[DataDomain, ...]
    teams: tuple[MlTeam, ...]
    ml_platform_account: str  # account key of the ML shared services account with the central registry
    classifications: tuple[str, ...]  # values of the classification LF-tag
    feature_groups: tuple[FeatureGroup, ...]
    network: Network
    controls: Controls
    budgets: tuple[Budget, ...]
    cost: Cost
    state: State
    stacks: tuple[Stack, ...]

    def account(self, key: str) -> Account:
        for account in self.accounts:
            if account.key == key:
                return account
        raise KeyError(key)

    def team(self, name: str) -> MlTeam:
        for team in self.teams:
            if team.name == name:
                return team
        raise KeyError(name)

    def core(self, role: str) -> Account:
        for account in self.accounts:
            if account.role == role:
                return account
        raise KeyError(role)

    @property
    def members(self) -> tuple[Account, ...]:
        """Every account but the management account."""
        return tuple(a for a in self.accounts if a.kind != "management")

    def observability_account(self, key: str) -> str | None:
        """The ML observability account that account ``key`` shares its metrics, logs and traces with, or None.

        The ML workload accounts are linked: every team account, the ML shared services accounts and the
        feature store. Prod ones go to the prod observability account, the others (dev and test) to test.
        """
        account = self.account(key)
        roles = ("ml_shared_services_test", "ml_shared_services_prod", "feature_store")
        if account.kind != "team" and account.role not in roles:
            return None
        return self.core("ml_observability_prod" if account.environment == "prod" else "ml_observability_test").key
