"""Spec → resolved organization: defaults, names, emails, tags, CIDRs, groups and stacks.

Problems that only show once values are derived (two accounts with the same name or email, an
account name AWS would refuse, overlapping CIDRs, a pool too small) are collected and raised at once,
pointing at the spec field that produced the value.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mlplat.resolve import cidr, naming
from mlplat.resolve.cost import COST_CENTER_TAG, ENVIRONMENT_TAG, LINE_OF_BUSINESS_TAG, TEAM_TAG, CostResolver
from mlplat.resolve.model import (
    Account,
    Controls,
    DataDomain,
    DataGrant,
    FeatureAccess,
    FeatureGroup,
    LakeZone,
    GroupAssignment,
    MlTeam,
    Network,
    Org,
    OrganizationalUnit,
    Persona,
    Stack,
    State,
    Suppression,
    TeamMember,
)
from mlplat.spec import LoadedSpec, framework
from mlplat.spec.models import AccountSettings, Spec
from mlplat.spec.report import Collector
from mlplat.spec.types import ACCOUNT_NAME_MAX, EMAIL_MAX, EMAIL_RE
from mlplat.spec.validators import organizational_units
from mlplat.templates.servicecatalog import endpoint_instance_types

MANAGED_BY = "mlplat"
PLATFORM = "platform"


def resolve(loaded: LoadedSpec) -> Org:
    """Expand a validated spec into the resolved organization, or raise every derived-value problem."""
    return _Resolver(loaded.spec, Collector(loaded.positions)).run()


class _Resolver:
    def __init__(self, spec: Spec, report: Collector) -> None:
        self.spec = spec
        self.report = report
        self.org = spec.organization
        self.sources: dict[str, tuple[Any, ...]] = {}  # account key -> spec path of its settings
        self.anchors: dict[str, tuple[Any, ...]] = {}  # account key -> where to point if the spec lacks its settings

    def run(self) -> Org:
        self._check_derived_names()
        accounts = self._accounts()
        accounts = self._allocate_cidrs(accounts)
        self._check_accounts(accounts)
        personas = self._personas()
        groups = self._groups(accounts, personas)
        budgets, cost = CostResolver(self.spec, self.report, default_value=PLATFORM).run(accounts)
        teams = self._teams(accounts)
        stacks = self._stacks(accounts)
        suppressions = self._suppressions(stacks)
        state = self._state()
        self.report.raise_if_any()
        by_key = {a.key: a for a in accounts}
        network_spec = self.spec.network
        ous = self._ous()
        attached = sorted({name for ou in ous for name in ou.service_control_policies})
        return Org(
            name=self.org.name,
            management_account_id=self.org.management_account_id,
            home_region=self.org.home_region,
            allowed_regions=tuple(self.org.allowed_regions),
            execution_role=self.org.execution_role,
            tags=dict(self.org.tags),
            organizational_units=ous,
            accounts=tuple(accounts),
            personas=personas,
            groups=groups,
            groups_external=self.spec.identity.source == "external",
            data_domains=tuple(
                DataDomain(name=d.name, account=f"data-{d.name}", producers=tuple(d.producers), consumers=tuple(d.consumers),
                           zones=tuple(LakeZone(name=z.name, retention_days=z.retention_days) for z in d.zones),
                           classification=d.classification, grants=self._data_grants(d))
                for d in self.spec.data_domains
            ),
            teams=teams,
            ml_platform_account=next(a.key for a in accounts if a.role == framework.ML_PLATFORM_ACCOUNT),
            classifications=tuple(self.spec.data_governance.classifications),
            feature_groups=self._feature_groups(),
            network=Network(
                cidr_pool=network_spec.cidr_pool,
                spoke_prefix_length=network_spec.spoke_prefix_length,
                availability_zones=network_spec.availability_zones,
                transit_gateway_asn=network_spec.transit_gateway_asn,
                interface_endpoints=tuple(network_spec.interface_endpoints
                                          if network_spec.interface_endpoints is not None
                                          else framework.INTERFACE_ENDPOINTS),
                hub_account=by_key["shared-services"].key,
                transit_account=by_key["network"].key,
            ),
            controls=Controls(
                service_control_policies={name: framework.SERVICE_CONTROL_POLICIES[name] for name in attached},
                region_exempt_roles=tuple(self.spec.controls.region_exempt_roles),
                log_retention_days=self.spec.controls.log_retention_days,
                object_lock_mode=lock.mode if (lock := self.spec.controls.log_archive_object_lock) else None,
                object_lock_days=lock.days if lock else None,
                compliance_frameworks=tuple(self.spec.controls.compliance_frameworks),
                suppressions=suppressions,
            ),
            budgets=budgets,
            cost=cost,
            state=state,
            stacks=stacks,
        )

    def _feature_groups(self) -> tuple[FeatureGroup, ...]:
        """The owner and writers write from prod (their feature pipelines) and read from dev and test; readers
        read from every environment they have. No dev account writes what prod reads."""
        environments = {t.name: t.environments for t in self.spec.teams}
        groups = []
        for g in self.spec.feature_groups:
            access = []
            for team in [g.owner, *g.writers, *g.readers]:
                writes = team == g.owner or team in g.writers
                access += [FeatureAccess(team=team, environment=env, write=writes and env == "prod")
                           for env in ("dev", "test", "prod") if env in environments.get(team, {})]
            groups.append(FeatureGroup(
                name=g.name, description=g.description, record_identifier=g.record_identifier, event_time=g.event_time,
                online=g.online, features=tuple((f.name, f.type) for f in g.features), access=tuple(access)))
        return tuple(groups)

    def _data_grants(self, domain: Any) -> tuple[DataGrant, ...]:
        """Producers read every zone of every classification; each consumer what its grant (or the default) says."""
        classifications = tuple(self.spec.data_governance.classifications)
        zones = tuple(z.name for z in domain.zones)
        environments = {t.name: t.environments for t in self.spec.teams}
        explicit = {g.team: g for g in domain.grants}
        grants = []
        for team in dict.fromkeys(list(domain.producers) + list(domain.consumers)):
            has = environments.get(team, {})
            if team in domain.producers:
                grants.append(DataGrant(team=team, zones=zones, classifications=classifications,
                                        environments=tuple(e for e in ("dev", "prod") if e in has), producer=True))
                continue
            grant = explicit.get(team)
            grants.append(DataGrant(
                team=team,
                zones=tuple(grant.zones) if grant and grant.zones else tuple(z for z in zones if z != framework.RAW_ZONE),
                classifications=tuple(grant.classifications) if grant and grant.classifications else classifications,
                environments=tuple(e for e in (grant.environments if grant else ("dev", "prod")) if e in has),
                producer=False))
        return tuple(g for g in grants if g.environments)

    def _check_derived_names(self) -> None:
        longest = naming.longest_log_archive_bucket_name(self.org.name, self.org.home_region)
        if longest > naming.BUCKET_NAME_MAX:
            self.report.add(("organization", "name"),
                            f"{self.org.name!r} is too long for the log archive bucket names in {self.org.home_region} "
                            f"({longest} characters; S3 allows {naming.BUCKET_NAME_MAX}): use at most "
                            f"{len(self.org.name) - (longest - naming.BUCKET_NAME_MAX)} characters")
        for i, domain in enumerate(self.spec.data_domains):
            for j, zone in enumerate(domain.zones):
                bucket = naming.lake_bucket_name(self.org.name, domain.name, zone.name, "0" * naming.ACCOUNT_ID_LENGTH)
                if len(bucket) > naming.BUCKET_NAME_MAX:
                    self.report.add(("data_domains", i, "zones", j, "name"),
                                    f"the lake bucket name {bucket!r} is {len(bucket)} characters; S3 allows "
                                    f"{naming.BUCKET_NAME_MAX} (shorten the organization, domain or zone name)")

    # -- accounts -------------------------------------------------------------------------------

    def _tags(self, *, lob: str, team: str, environment: str, cost_center: str, extra: dict[str, str]) -> dict[str, str]:
        tags = dict(self.org.tags)
        tags.update(extra)
        tags.update({
            "org": self.org.name,
            LINE_OF_BUSINESS_TAG: lob,
            TEAM_TAG: team,
            ENVIRONMENT_TAG: environment,
            COST_CENTER_TAG: cost_center,
            "managed-by": MANAGED_BY,
        })
        return dict(sorted(tags.items()))

    def _account(self, *, key: str, default_name: str, settings: AccountSettings, default_ou: str, source: tuple[Any, ...],
                 anchor: tuple[Any, ...], **fields: Any) -> Account:
        name = settings.name or default_name
        self.sources[key] = source
        self.anchors[key] = anchor  # where the default name and email come from
        return Account(
            key=key,
            name=name,
            email=settings.email or self.org.account_email.replace("{account}", name),
            ou=settings.ou or default_ou,
            account_id=settings.account_id,
            vpc_cidr=settings.vpc_cidr,
            **fields,
        )

    def _accounts(self) -> list[Account]:
        org = self.org
        platform_tags = self._tags(lob=PLATFORM, team=PLATFORM, environment="prod", cost_center=org.platform_cost_center, extra={})
        accounts = [Account(
            key="management", name=f"{org.name}-management", email="", ou=None, account_id=org.management_account_id,
            kind="management", environment="prod", line_of_business=PLATFORM, cost_center=org.platform_cost_center,
            network="none", tags=platform_tags, purpose="Organizations management, IAM Identity Center, organization trail",
        )]
        self.sources["management"] = ("organization", "management_account_id")
        self.anchors["management"] = ("organization", "name")
        for role, defaults in framework.CORE_ACCOUNTS.items():
            accounts.append(self._account(
                key=defaults.suffix, default_name=f"{org.name}-{defaults.suffix}",
                settings=self.spec.core_accounts.get(role, AccountSettings()), default_ou=defaults.ou,
                source=("core_accounts", role), anchor=("organization", "name"),
                kind="core", role=role, environment=defaults.environment, line_of_business=PLATFORM,
                cost_center=org.platform_cost_center, network=defaults.network, purpose=defaults.purpose,
                tags=self._tags(lob=PLATFORM, team=PLATFORM, environment=defaults.environment,
                                cost_center=org.platform_cost_center, extra={}),
            ))
        lobs = {lob.name: lob for lob in self.spec.lines_of_business}
        for i, domain in enumerate(self.spec.data_domains):
            lob = lobs.get(domain.line_of_business or "")
            cost_center = lob.cost_center if lob else org.platform_cost_center
            accounts.append(self._account(
                key=f"data-{domain.name}", default_name=f"{org.name}-data-{domain.name}", settings=domain.account,
                default_ou=framework.DATA_DOMAIN_OU, source=("data_domains", i, "account"),
                anchor=("data_domains", i, "name"),
                kind="data_domain", environment="prod", line_of_business=lob.name if lob else PLATFORM,
                cost_center=cost_center, network="spoke", purpose=f"data lake of the {domain.name} domain",
                tags=self._tags(lob=lob.name if lob else PLATFORM, team=PLATFORM, environment="prod",
                                cost_center=cost_center, extra=dict(lob.tags) if lob else {}),
            ))
        for i, team in enumerate(self.spec.teams):
            lob = lobs[team.line_of_business]
            cost_center = team.cost_center or lob.cost_center
            for env in framework.ENVIRONMENTS:
                if env not in team.environments:
                    continue
                accounts.append(self._account(
                    key=f"{team.name}-{env}", default_name=f"{org.name}-{team.name}-{env}",
                    settings=team.environments[env], default_ou=framework.TEAM_ENVIRONMENT_OUS[env],
                    source=("teams", i, "environments", env), anchor=("teams", i, "name"),
                    kind="team", team=team.name, environment=env, line_of_business=lob.name, cost_center=cost_center,
                    network="spoke", purpose=f"{env} environment of the {team.name} team",
                    tags=self._tags(lob=lob.name, team=team.name, environment=env, cost_center=cost_center,
                                    extra={**lob.tags, **team.tags}),
                ))
        return accounts

    def _allocate_cidrs(self, accounts: list[Account]) -> list[Account]:
        with_vpc = [a for a in accounts if a.network != "none"]
        requests = [cidr.Request(a.key, a.vpc_cidr) for a in sorted(with_vpc, key=lambda a: a.network != "hub")]
        for key, net, other_key, other in cidr.overlaps((r.key, r.pinned) for r in requests if r.pinned):
            self.report.add(self.sources[other_key] + ("vpc_cidr",),
                            f"{other} overlaps {net} of account {key}; VPC CIDRs must not overlap")
        try:
            allocated = cidr.allocate(self.spec.network.cidr_pool, self.spec.network.spoke_prefix_length, requests)
        except cidr.PoolExhausted as exc:
            self.report.add(("network", "cidr_pool"),
                            f"{exc.pool} has no free /{exc.prefix} left for {len(exc.missing)} of {len(requests)} VPCs "
                            f"(first without: {exc.missing[0]}); use a larger pool or a longer spoke_prefix_length")
            return accounts
        return [a.model_copy(update={"vpc_cidr": allocated[a.key]}) if a.key in allocated else a for a in accounts]

    def _check_accounts(self, accounts: list[Account]) -> None:
        names: dict[str, str] = {}
        emails: dict[str, str] = {}
        ids: dict[str, str] = {}
        for account in accounts:
            source, anchor = self.sources[account.key], self.anchors[account.key]

            def add(field: str, message: str) -> None:
                self.report.add(source + (field,), message, at=anchor)

            if not 1 <= len(account.name) <= ACCOUNT_NAME_MAX or not account.name.isprintable():
                add("name", f"account name {account.name!r} is {len(account.name)} characters; AWS allows 1 to "
                    f"{ACCOUNT_NAME_MAX} (shorten the organization, team or account name)")
            if account.name in names:
                add("name", f"account name {account.name!r} is also used by account {names[account.name]}")
            names.setdefault(account.name, account.key)
            if account.kind == "management":
                continue
            if len(account.email) > EMAIL_MAX or not EMAIL_RE.match(account.email):
                add("email", f"account email {account.email!r} is not one AWS accepts (at most {EMAIL_MAX} characters)")
            if account.email.lower() in emails:
                add("email", f"account email {account.email!r} is also used by account {emails[account.email.lower()]}")
            emails.setdefault(account.email.lower(), account.key)
            if account.account_id is not None:
                if account.account_id == self.org.management_account_id:
                    add("account_id", f"{account.account_id} is the management account's id")
                elif account.account_id in ids:
                    add("account_id", f"account id {account.account_id} is also used by account {ids[account.account_id]}")
                ids.setdefault(account.account_id, account.key)
            if account.vpc_cidr and account.network == "none":
                add("vpc_cidr", f"the {account.key} account has no VPC; remove vpc_cidr")

    # -- organization structure -----------------------------------------------------------------

    def _ous(self) -> tuple[OrganizationalUnit, ...]:
        attached = self.spec.controls.service_control_policies
        controls = attached if attached is not None else framework.DEFAULT_CONTROLS
        return tuple(
            OrganizationalUnit(path=path, name=path.rpartition("/")[2], parent=path.rpartition("/")[0] or None,
                               service_control_policies=tuple(controls.get(path, ())))
            for path in organizational_units(self.spec)
        )

    # -- identity -------------------------------------------------------------------------------

    def _personas(self) -> tuple[Persona, ...]:
        result = []
        names = list(framework.PERSONAS) + [n for n in self.spec.identity.personas if n not in framework.PERSONAS]
        for name in names:
            base = framework.PERSONAS.get(name)
            override = self.spec.identity.personas.get(name)
            pick = (lambda field, default: getattr(override, field) if override and getattr(override, field) is not None
                    else default)
            result.append(Persona(
                name=name,
                description=pick("description", base.description if base else name),
                scope=pick("scope", base.scope if base else "organization"),
                environments=tuple(pick("environments", base.environments if base else framework.ENVIRONMENTS)),
                managed_policies=tuple(pick("managed_policies", base.managed_policies if base else ())),
                session_duration=pick("session_duration", base.session_duration if base else "PT4H"),
                builtin=base is not None,
            ))
        return tuple(result)

    def _scope_accounts(self, accounts: list[Account], persona: Persona) -> list[str]:
        security = {"log_archive", "security_tooling"}
        governance = {"ml_shared_services_test", "ml_shared_services_prod", "data_governance",
                      "ml_observability_test", "ml_observability_prod"}
        members = [a for a in accounts if a.kind != "management"]
        if persona.scope == "organization":
            return [a.key for a in members]
        if persona.scope == "security":
            return [a.key for a in members if a.role in security]
        if persona.scope == "governance":
            return [a.key for a in members if a.role in governance]
        if persona.scope == "platform":
            return [a.key for a in members if (a.kind == "core" and a.role not in security) or a.kind == "data_domain"]
        return []

    def _groups(self, accounts: list[Account], personas: tuple[Persona, ...]) -> tuple[GroupAssignment, ...]:
        groups: list[GroupAssignment] = []
        by_team: dict[str, list[Account]] = {}
        for account in accounts:
            if account.team:
                by_team.setdefault(account.team, []).append(account)
        for persona in personas:
            if persona.scope != "team":
                groups.append(GroupAssignment(group=f"{self.org.name}-{persona.name}", persona=persona.name,
                                              accounts=tuple(self._scope_accounts(accounts, persona))))
        for team in self.spec.teams:
            for persona in personas:
                if persona.scope == "team":
                    keys = tuple(a.key for a in by_team.get(team.name, []) if a.environment in persona.environments)
                    if keys:
                        groups.append(GroupAssignment(group=f"{team.name}-{persona.name}", persona=persona.name,
                                                      accounts=keys, team=team.name))
        auto = {g.group: g for g in groups}
        by_name = {a.name: a.key for a in accounts if a.kind != "management"}
        persona_by_name = {p.name: p for p in personas}
        for i, group in enumerate(self.spec.identity.groups):
            if group.name in auto:
                self.report.add(("identity", "groups", i, "name"), f"group {group.name!r} is already made for "
                                f"persona {auto[group.name].persona}; choose another name")
            keys: list[str] = []
            for j, name in enumerate(group.accounts):
                if name not in by_name:
                    known = sorted(by_name)
                    self.report.add(("identity", "groups", i, "accounts", j), f"{name!r} is not an account; known: "
                                    f"{', '.join(known[:12])}{', ...' if len(known) > 12 else ''}")
                elif by_name[name] not in keys:
                    keys.append(by_name[name])
            persona = persona_by_name[group.persona]
            for team in group.teams:
                for account in by_team.get(team, []):
                    if (persona.scope != "team" or account.environment in persona.environments) and account.key not in keys:
                        keys.append(account.key)
            groups.append(GroupAssignment(group=group.name, persona=group.persona, accounts=tuple(keys)))
        return tuple(groups)

    # -- ML teams -------------------------------------------------------------------------------

    def _teams(self, accounts: list[Account]) -> tuple[MlTeam, ...]:
        result = []
        for i, team in enumerate(self.spec.teams):
            use_cases = tuple(team.use_cases) or (team.name,)
            resolved = MlTeam(
                name=team.name,
                line_of_business=team.line_of_business,
                accounts={a.environment: a.key for a in accounts if a.team == team.name},
                members=tuple(TeamMember(user=m.user, persona=m.persona) for m in team.members),
                use_cases=use_cases,
                instance_types=(types := tuple(team.instance_types or framework.DEFAULT_INSTANCE_TYPES)),
                endpoint_instance_type=next((t for t in types if t in endpoint_instance_types()), None),
                idle_timeout_minutes=team.studio.idle_timeout_minutes,
                experiment_tracking=team.experiment_tracking.size if team.experiment_tracking else None,
            )
            bucket = naming.deployment_bucket_name(self.org.name, team.name, "0" * naming.ACCOUNT_ID_LENGTH)
            if len(bucket) > naming.BUCKET_NAME_MAX:
                self.report.add(("teams", i, "name"), f"the deployment bucket name {bucket!r} is {len(bucket)} "
                                f"characters; S3 allows {naming.BUCKET_NAME_MAX} (shorten the organization or team name)")
            for j, use_case in enumerate(use_cases):
                # the model package group and the endpoints' base name are both '<team>-<use case>'
                name = resolved.model_package_group(use_case)
                if len(name) > naming.ENDPOINT_BASE_NAME_MAX:
                    path = ("teams", i, "use_cases", j) if team.use_cases else ("teams", i, "name")
                    self.report.add(path, f"{name!r} ('<team>-<use case>', the name of its model package group and "
                                    f"endpoints) is {len(name)} characters; at most {naming.ENDPOINT_BASE_NAME_MAX} "
                                    "(shorten the team or use case name)")
            result.append(resolved)
        return tuple(result)

    # -- stacks ---------------------------------------------------------------------------------

    def _suppressions(self, stacks: tuple[Stack, ...]) -> tuple[Suppression, ...]:
        """The spec's scan suppressions, each with where it is declared; a stack glob must match a stack."""
        names = [stack.name for stack in stacks]
        file = Path(self.report.positions.file).name
        resolved = []
        for i, entry in enumerate(self.spec.controls.suppressions):
            path = ("controls", "suppressions", i)
            if entry.stack is not None and not any(fnmatchcase(name, entry.stack) for name in names):
                self.report.add(path + ("stack",), f"{entry.stack!r} matches no stack of this organization; "
                                f"stacks are named like {names[1]!r} (see `mlplat graph`)")
            line = (self.report.positions.locate(path) or (0, 0))[0]
            resolved.append(Suppression(check_id=entry.check_id, stack=entry.stack, resource=entry.resource,
                                        justification=entry.justification, expires=entry.expires,
                                        source=f"{file}:{line}"))
        return tuple(resolved)

    def _stacks(self, accounts: list[Account]) -> tuple[Stack, ...]:
        stacks = [Stack(name=f"{self.org.name}-organization", account="management", kind="organization")]
        stacks += [Stack(name=a.name, account=a.key, kind="account") for a in accounts]
        if self.spec.state.backend == "cloud":
            # the workspaces of the others; run by the platform team, so counted with the management account
            bootstrap = naming.tfc_bootstrap_stack_name(self.org.name)
            if any(stack.name == bootstrap for stack in stacks):
                self.report.add(("state", "backend"), f"the Terraform Cloud bootstrap stack {bootstrap!r} has the "
                                "name of an account's stack; rename that account")
            stacks.append(Stack(name=bootstrap, account="management", kind="tfc_bootstrap"))
        return tuple(stacks)

    def _state(self) -> State:
        state = self.spec.state
        if state.backend != "cloud":
            return State(**state.model_dump())
        project = state.project or self.org.name
        if len(project) < 3:
            self.report.add(("state", "project"), f"the default project name {project!r} (the organization's "
                            "name) is shorter than Terraform Cloud's 3 characters; set state.project",
                            at=("state",))
        return State(**(state.model_dump() | {"project": project}))
