"""The set of stacks of one organization, with their providers, backends and the values they share.

One stack per account (plus the organization stack in the management account). Each stack gets an
AWS provider per allowed region (the home region's is the default provider; the others carry the
region as alias) that assumes the execution role in its account, refuses any other account, and tags
every resource with the account's default tags.

Values that cross accounts (account ids, the organization id, the log archive bucket, the Transit
Gateway, ...) are kept in :class:`Shared`. They are tokens of the stack that created them: using one
in another stack makes the engine emit a ``terraform_remote_state`` and record the dependency in
``manifest.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlplat import engine
from mlplat.resolve.model import Account, Org, Stack

SESSION_NAME = "mlplat"


@dataclass
class Shared:
    """Cross-account values, set by the placement that creates them and read by the ones after it."""

    organization_id: str | None = None
    organization_arn: str | None = None
    organization_root_id: str | None = None  # 'r-...': Security Hub's configuration policy is associated with it
    organization: Any = None  # the aws_organizations_organization (organization stack only)
    account_ids: dict[str, str] = field(default_factory=dict)  # account key -> id (literal or token)
    log_bucket_name: str | None = None
    log_bucket_arn: str | None = None
    log_kms_key_arn: str | None = None
    transit_gateway_id: str | None = None
    config_recorders: dict[tuple[str, str], Any] = field(default_factory=dict)  # (account key, region) -> recording on (same stack only)
    dns_profile_id: str | None = None
    ou_ids: dict[str, str] = field(default_factory=dict)  # OU path -> id
    ou_org_paths: dict[str, str] = field(default_factory=dict)  # OU path -> 'o-.../r-.../ou-.../' (aws:PrincipalOrgPaths)
    spokes: dict[str, Any] = field(default_factory=dict)  # account key -> its SpokeVpc (same stack only)
    hub_cidr: str | None = None
    # the ML platform account (module 3)
    ml_bus_arn: str | None = None
    central_registry_prefix: str | None = None  # 'arn:aws:sagemaker:<region>:<id>:model-package-group/'
    image_repository_arns: list[str] = field(default_factory=list)
    products_bucket_arn: str | None = None
    products_key_arn: str | None = None
    pipeline_role_arns: dict[str, str] = field(default_factory=dict)  # team -> its deployment pipeline role
    deployment_buckets: dict[str, tuple[str, str]] = field(default_factory=dict)  # team -> (bucket ARN, key ARN)
    # the data governance account (module 2)
    data_catalog_key_arn: str | None = None
    # the feature store account (module 6)
    feature_store_key_arn: str | None = None
    # the teams' dev accounts (module 4)
    team_storage: dict[str, tuple[str, str]] = field(default_factory=dict)  # account key -> (bucket ARN, key ARN)
    # the ML observability accounts (module 7)
    observability_sink_arns: dict[str, str] = field(default_factory=dict)  # observability account key -> its sink ARN

    def require(self, name: str) -> Any:
        value = getattr(self, name)
        if value is None:
            raise RuntimeError(f"shared value {name!r} is read before the placement that sets it")
        return value


class StackHandle:
    """One Terraform stack: its construct scope, its account and its per-region providers."""

    def __init__(self, stacks: StackSet, stack: Stack, account: Account) -> None:
        self.stacks = stacks
        self.stack = stack
        self.account = account
        self.scope = engine.core.TerraformStack(stacks.app, stack.name)
        self._providers: dict[str, Any] = {}
        stacks.backend(self)

    @property
    def name(self) -> str:
        return self.stack.name

    @property
    def org(self) -> Org:
        return self.stacks.org

    def account_id(self) -> str:
        return self.stacks.account_id(self.account.key)

    def provider(self, region: str | None = None) -> Any:
        """The AWS provider for ``region`` (home region by default), created on first use.

        Resources in the home region may leave ``provider`` unset; others must pass this one.
        """
        region = region or self.org.home_region
        if region not in self.org.allowed_regions:
            raise ValueError(f"{region} is not an allowed region of {self.org.name}")
        if region not in self._providers:
            # the home region's provider is created first so that it stays the default one
            if region != self.org.home_region and self.org.home_region not in self._providers:
                self.provider(self.org.home_region)
            # nested blocks must be the binding's struct classes: plain dicts lose snake_case keys
            provider = engine.aws.provider
            config: dict[str, Any] = {
                "region": region,
                "default_tags": [provider.AwsProviderDefaultTags(tags=dict(self.account.tags))],
                "allowed_account_ids": [self.account_id()],
            }
            if region != self.org.home_region:
                config["alias"] = region
            if self.account.kind != "management":
                config["assume_role"] = [provider.AwsProviderAssumeRole(
                    role_arn=f"arn:aws:iam::{self.account_id()}:role/{self.org.execution_role}",
                    session_name=SESSION_NAME,
                )]
            self._providers[region] = provider.AwsProvider(self.scope, f"aws-{region}", **config)
        return self._providers[region]

    def regions(self) -> tuple[str, ...]:
        """Allowed regions, home region first."""
        home = self.org.home_region
        return (home,) + tuple(r for r in self.org.allowed_regions if r != home)


class StackSet:
    """All stacks of an organization inside one App."""

    def __init__(self, app: Any, org: Org) -> None:
        self.app = app
        self.org = org
        self.shared = Shared()
        self.by_name: dict[str, StackHandle] = {}
        self.by_account: dict[str, StackHandle] = {}
        for account in org.accounts:
            if account.account_id:
                self.shared.account_ids[account.key] = account.account_id
        for stack in org.stacks:
            handle = StackHandle(self, stack, org.account(stack.account))
            self.by_name[stack.name] = handle
            if stack.kind == "account":
                self.by_account[stack.account] = handle
        self.organization = next(h for h in self.by_name.values() if h.stack.kind == "organization")
        # the Terraform Cloud workspaces of the others (cloud backend only)
        self.tfc_bootstrap = next((h for h in self.by_name.values() if h.stack.kind == "tfc_bootstrap"), None)

    def account_id(self, key: str) -> str:
        try:
            return self.shared.account_ids[key]
        except KeyError:
            raise RuntimeError(f"the id of account {key!r} is read before the organization placement sets it") from None

    def for_account(self, key: str) -> StackHandle:
        return self.by_account[key]

    def core(self, role: str) -> StackHandle:
        return self.by_account[self.org.core(role).key]

    def accounts(self) -> list[StackHandle]:
        """The account stacks, in the resolved order (management first)."""
        return [self.by_account[a.key] for a in self.org.accounts]

    def backend(self, handle: StackHandle) -> None:
        state = self.org.state
        if state.backend == "s3":
            engine.s3_backend(
                handle.scope, bucket=state.bucket, key=f"{state.key_prefix}/{handle.name}.tfstate",
                region=state.region, encrypt=True, use_lockfile=True, kms_key_id=state.kms_key_id,
                assume_role={"role_arn": state.role_arn} if state.role_arn else None,
                endpoint=state.endpoint, use_path_style=state.use_path_style or None,
            )
        elif state.backend == "cloud":
            engine.cloud_backend(handle.scope, organization=state.organization,
                                 workspace=f"{state.workspace_prefix}{handle.name}", hostname=state.hostname)
        else:
            # relative to the stack's working directory (DIR/stacks/<stack>): DIR/state/<stack>.tfstate,
            # which a new synth leaves in place
            engine.local_backend(handle.scope, path=f"../../state/{handle.name}.tfstate")
