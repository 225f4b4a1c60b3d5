"""The set of stacks of one organization, with their providers, backends and the values they share.

One stack per account (plus the organization stack in the management account). Each stack gets an
AWS provider per allowed region (the home region's is the default provider; the others carry the
region as alias) that assumes the execution role in its account, refuses any other account, and tags
every resource with the account's default tags.

Values that cross stacks (the organization id, account ids the organization creates, the log archive
bucket, the Transit Gateway, ...) are declared in :mod:`mlplat.stacks.exports`: the stack that makes one
exports it as a Terraform output, and a stack that reads it gets a ``terraform_remote_state`` of the
maker and the dependency in ``manifest.json``. A stack never holds another stack's construct, so any
subset of the stacks can be built (``only``) and each is written as when all of them are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlplat import engine
from mlplat.resolve.model import Account, Org, Stack
from mlplat.stacks.exports import Export, declared

SESSION_NAME = "mlplat"


@dataclass
class Shared:
    """Values one placement hands to a later one inside the same stack (never across stacks)."""

    organization: Any = None  # the aws_organizations_organization (organization stack)
    config_recorders: dict[tuple[str, str], Any] = field(default_factory=dict)  # (account key, region) -> recording on
    spokes: dict[str, Any] = field(default_factory=dict)  # account key -> its SpokeVpc


class StackHandle:
    """One Terraform stack: its construct scope, its account, its per-region providers, and the values it
    exports to other stacks and reads from them."""

    def __init__(self, stacks: StackSet, stack: Stack, account: Account, built: bool) -> None:
        self.stacks = stacks
        self.stack = stack
        self.account = account
        # whether this stack's constructs are placed (and its files kept); the others stay empty and
        # serve as the source of the remote state and dependencies of those that read them
        self.built = built
        self._scope: Any = None
        self._backend: Any = None
        self._providers: dict[str, Any] = {}
        self._remote_states: dict[str, Any] = {}
        self._values: dict[Export, str] = {}

    @property
    def scope(self) -> Any:
        """The stack's construct, with its backend: created on first use, so that a build of a few stacks
        creates only those and the stacks they read from."""
        if self._scope is None:
            self._scope = engine.core.TerraformStack(self.stacks.app, self.stack.name)
            self._backend = self.stacks._backend(self)
        return self._scope

    @property
    def backend(self) -> Any:
        self.scope
        return self._backend

    @property
    def name(self) -> str:
        return self.stack.name

    @property
    def org(self) -> Org:
        return self.stacks.org

    def account_id(self, key: str | None = None) -> str:
        """The id of account ``key`` (this stack's own by default) as this stack reads it: a literal when the
        spec gives it, else the organization stack's output."""
        key = key or self.account.key
        literal = self.org.account(key).account_id
        return literal if literal else self.value("account_id", key)

    def ou_id(self, path: str) -> str:
        return self.value("ou_id", path)

    def ou_org_path(self, path: str) -> str:
        """'o-.../r-.../ou-.../ou-.../' of the OU at ``path`` (the form of ``aws:PrincipalOrgPaths``)."""
        parts = path.split("/")
        chain = "/".join(self.ou_id("/".join(parts[:i + 1])) for i in range(len(parts)))
        return f"{self.value('organization_id')}/{self.value('organization_root_id')}/{chain}/"

    def export(self, name: str, value: Any, key: str | None = None) -> None:
        """Make ``value`` (a token of this stack) the exported value ``name`` (``key``) that others read."""
        export = self.stacks.export_of(name, key)
        if export.producer != self.name:
            raise RuntimeError(f"{export.output} is exported by {export.producer}, not by {self.name}")
        if not self.built:
            raise RuntimeError(f"{self.name} is not built: it cannot export {export.output}")
        if (name, key) in self.stacks._made:
            raise RuntimeError(f"{self.name} exports {export.output} twice")
        self.stacks._made[(name, key)] = value
        output = engine.core.TerraformOutput(self.scope, f"export-{export.output}", value=value)
        output.override_logical_id(export.output)

    def value(self, name: str, key: str | None = None) -> Any:
        """The exported value ``name`` (``key``) as this stack reads it: its own token when this stack makes
        it, else the maker's output through a remote state (and the dependency on the maker)."""
        export = self.stacks.export_of(name, key)
        if (name, key) in self.stacks._assumed:
            return self.stacks._assumed[(name, key)]
        if export.producer == self.name:
            try:
                return self.stacks._made[(name, key)]
            except KeyError:
                raise RuntimeError(f"{self.name} reads its own {export.output} before it makes it") from None
        value = self._values.get(export)
        if value is None:
            value = self._values[export] = self._remote_state(export).get_string(export.output)
        return value

    def _remote_state(self, export: Export) -> Any:
        remote = self._remote_states.get(export.producer)
        if remote is None:
            producer = self.stacks.by_name[export.producer]
            remote = producer.backend.get_remote_state_data_source(self.scope, export.producer, export.producer)
            self.scope.add_dependency(producer.scope)
            self._remote_states[export.producer] = remote
        return remote

    def provider(self, region: str | None = None) -> Any:
        """The AWS provider for ``region`` (home region by default), created on first use.

        Resources in the home region may leave ``provider`` unset; others must pass this one.
        """
        region = region or self.org.home_region
        if region not in self.org.allowed_regions:
            raise ValueError(f"{region} is not an allowed region of {self.org.name}")
        if not self.built:
            raise RuntimeError(f"{self.name} is not built: nothing is placed in it")
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
    """The stacks of an organization inside one App: all of them, or those named in ``only`` built and
    the others left empty (placements skip a stack that is not ``built``)."""

    def __init__(self, app: Any, org: Org, only: set[str] | None = None) -> None:
        self.app = app
        self.org = org
        self.shared = Shared()
        self.exports = declared(org)
        self._made: dict[tuple[str, str | None], Any] = {}
        self._assumed: dict[tuple[str, str | None], Any] = {}
        self.by_name: dict[str, StackHandle] = {}
        self.by_account: dict[str, StackHandle] = {}
        unknown = sorted(set(only or ()) - {s.name for s in org.stacks})
        if unknown:
            raise ValueError(f"no stack named {', '.join(unknown)} in {org.name}")
        for stack in org.stacks:
            handle = StackHandle(self, stack, org.account(stack.account), only is None or stack.name in only)
            self.by_name[stack.name] = handle
            if stack.kind == "account":
                self.by_account[stack.account] = handle
            if handle.built:
                handle.scope  # in the organization's order: the App writes its stacks in that order
        self.organization = next(h for h in self.by_name.values() if h.stack.kind == "organization")
        # the Terraform Cloud workspaces of the others (cloud backend only)
        self.tfc_bootstrap = next((h for h in self.by_name.values() if h.stack.kind == "tfc_bootstrap"), None)

    def export_of(self, name: str, key: str | None = None) -> Export:
        try:
            return self.exports[(name, key)]
        except KeyError:
            what = name if key is None else f"{name} of {key!r}"
            raise RuntimeError(f"{what} is not an exported value of {self.org.name} (mlplat.stacks.exports)") from None

    def assume(self, name: str, value: Any, key: str | None = None) -> None:
        """Read ``value`` wherever the exported value ``name`` (``key``) is read: how one placement is built
        without the placements before it (its tests give the ids those would export as literals)."""
        self.export_of(name, key)
        self._assumed[(name, key)] = value

    def made(self, name: str, key: str | None = None) -> Any:
        """The token a built stack exported as ``name`` (``key``)."""
        return self._made[(name, key)]

    def check_exports(self) -> None:
        """Every value a built stack must export was exported: a stack that reads it would find no output."""
        missing = sorted(e.output for k, e in self.exports.items()
                         if self.by_name[e.producer].built and k not in self._made)
        if missing:
            raise RuntimeError(f"declared exports never made: {', '.join(missing)}")

    @property
    def hub_cidr(self) -> str:
        """The endpoint hub's VPC CIDR: where the spokes' workloads reach the interface endpoints."""
        cidr = self.org.account(self.org.network.hub_account).vpc_cidr
        if cidr is None:  # the resolver allocates one to every hub and spoke
            raise RuntimeError("the endpoint hub has no vpc_cidr")
        return cidr

    def for_account(self, key: str) -> StackHandle:
        return self.by_account[key]

    def core(self, role: str) -> StackHandle:
        return self.by_account[self.org.core(role).key]

    def accounts(self) -> list[StackHandle]:
        """The account stacks, in the resolved order (management first)."""
        return [self.by_account[a.key] for a in self.org.accounts]

    def _backend(self, handle: StackHandle) -> Any:
        state = self.org.state
        if state.backend == "s3":
            return engine.s3_backend(
                handle.scope, bucket=state.bucket, key=f"{state.key_prefix}/{handle.name}.tfstate",
                region=state.region, encrypt=True, use_lockfile=True, kms_key_id=state.kms_key_id,
                assume_role={"role_arn": state.role_arn} if state.role_arn else None,
                endpoint=state.endpoint, use_path_style=state.use_path_style or None,
            )
        elif state.backend == "cloud":
            return engine.cloud_backend(handle.scope, organization=state.organization,
                                        workspace=f"{state.workspace_prefix}{handle.name}", hostname=state.hostname)
        else:
            # relative to the stack's working directory (DIR/stacks/<stack>): DIR/state/<stack>.tfstate,
            # which a new synth leaves in place
            return engine.local_backend(handle.scope, path=f"../../state/{handle.name}.tfstate")
