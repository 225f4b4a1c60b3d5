"""Cross-reference checks of a spec whose values are each valid on their own.

Each check takes the whole spec and reports into one :class:`Collector`, so that every problem is
reported at once. Checks that need derived values (account names, emails, CIDRs) run in the
resolver, which knows them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from mlplat.spec import framework
from mlplat.templates.servicecatalog import endpoint_instance_types
from mlplat.spec.models import Spec
from mlplat.spec.report import Collector


def _known(names: Iterable[str]) -> str:
    names = sorted(names)
    shown = ", ".join(names[:20])
    return f"known: {shown}" + (", ..." if len(names) > 20 else "") if names else "none are defined"


def _duplicates(report: Collector, items: Iterable[tuple[tuple[Any, ...], str]], what: str) -> None:
    seen: dict[str, tuple[Any, ...]] = {}
    for path, value in items:
        if value in seen:
            report.add(path, f"duplicate {what} {value!r} (also at {_plain(seen[value])})")
        else:
            seen[value] = path


def _plain(path: tuple[Any, ...]) -> str:
    from mlplat.spec.loader import dotted

    return dotted(path)


def organizational_units(spec: Spec) -> list[str]:
    return list(spec.organizational_units if spec.organizational_units is not None else framework.ORGANIZATIONAL_UNITS)


def check_organization(spec: Spec, report: Collector) -> None:
    org = spec.organization
    if org.home_region not in org.allowed_regions:
        report.add(("organization", "home_region"),
                   f"{org.home_region!r} is not in allowed_regions; allowed: {', '.join(org.allowed_regions)}")
    counts = Counter(org.allowed_regions)
    for i, region in enumerate(org.allowed_regions):
        if counts[region] > 1 and org.allowed_regions.index(region) != i:
            report.add(("organization", "allowed_regions", i), f"region {region!r} is listed twice")
    if org.account_email.count("{account}") != 1 or "@" not in org.account_email:
        report.add(("organization", "account_email"),
                   f"{org.account_email!r} must contain '{{account}}' once and an '@', e.g. 'aws+{{account}}@example.com'")
    if spec.state.backend == "s3" and spec.state.use_path_style and not spec.state.endpoint:
        report.add(("state", "use_path_style"), "use_path_style needs a custom endpoint")


def check_organizational_units(spec: Spec, report: Collector) -> None:
    ous = organizational_units(spec)
    _duplicates(report, ((("organizational_units", i), ou) for i, ou in enumerate(ous)), "OU")
    known = set(ous)
    if spec.organizational_units is not None:
        for i, ou in enumerate(ous):
            parent = ou.rpartition("/")[0]
            if parent and parent not in known:
                report.add(("organizational_units", i), f"parent OU {parent!r} of {ou!r} is not listed")


def _check_ou(report: Collector, path: tuple[Any, ...], ou: str | None, known: set[str]) -> None:
    if ou is not None and ou not in known:
        report.add(path, f"{ou!r} is not an OU; {_known(known)}")


def check_accounts(spec: Spec, report: Collector) -> None:
    known_ous = set(organizational_units(spec))
    for role in framework.CORE_ACCOUNTS:
        settings = spec.core_accounts.get(role)
        ou = settings.ou if settings and settings.ou else framework.CORE_ACCOUNTS[role].ou
        where = ("core_accounts", role, "ou") if settings and settings.ou else ("organizational_units",)
        if ou not in known_ous:
            report.add(where, f"core account {role} goes in {ou!r}, which is not an OU; {_known(known_ous)}")
        if settings and settings.vpc_cidr and framework.CORE_ACCOUNTS[role].network == "none":
            report.add(("core_accounts", role, "vpc_cidr"), f"the {role} account has no VPC; remove vpc_cidr")

    lobs = {lob.name for lob in spec.lines_of_business}
    _duplicates(report, ((("lines_of_business", i, "name"), lob.name) for i, lob in enumerate(spec.lines_of_business)),
                "line of business")
    _duplicates(report, ((("teams", i, "name"), team.name) for i, team in enumerate(spec.teams)), "team")
    for i, team in enumerate(spec.teams):
        if team.line_of_business not in lobs:
            report.add(("teams", i, "line_of_business"),
                       f"{team.line_of_business!r} is not a line of business; {_known(lobs)}")
        if not team.environments:
            report.add(("teams", i, "environments"), "a team needs at least one environment: dev, test or prod")
        _duplicates(report, ((("teams", i, "members", j, "user"), m.user) for j, m in enumerate(team.members)),
                    "member")
        _duplicates(report, ((("teams", i, "use_cases", j), u) for j, u in enumerate(team.use_cases)), "use case")
        _duplicates(report, ((("teams", i, "instance_types", j), t) for j, t in enumerate(team.instance_types or [])),
                    "instance type")
        hosting = [t for t in (team.instance_types or []) if t in endpoint_instance_types()]
        if team.instance_types and not hosting and {"test", "prod"} & set(team.environments):
            report.add(("teams", i, "instance_types"), "none of them can host the team's endpoints in test and prod; "
                       f"add one of {', '.join(endpoint_instance_types())}")
        if "dev" not in team.environments:
            for field in ("members", "experiment_tracking"):
                if getattr(team, field):
                    report.add(("teams", i, field), f"{field} belong to the dev environment, where Studio runs, "
                               f"and the team has only {', '.join(team.environments) or 'none'}; add dev or remove {field}")
        for env, settings in team.environments.items():
            default_ou = framework.TEAM_ENVIRONMENT_OUS[env]
            if settings.ou is not None:
                _check_ou(report, ("teams", i, "environments", env, "ou"), settings.ou, known_ous)
            elif default_ou not in known_ous:
                report.add(("teams", i, "environments", env),
                           f"the default OU of {env} accounts, {default_ou!r}, is not an OU; set ou; {_known(known_ous)}")

    teams = {team.name for team in spec.teams}
    _duplicates(report, ((("data_domains", i, "name"), d.name) for i, d in enumerate(spec.data_domains)), "data domain")
    _duplicates(report, ((("data_governance", "classifications", k), c)
                         for k, c in enumerate(spec.data_governance.classifications)), "classification")
    for i, domain in enumerate(spec.data_domains):
        if domain.line_of_business is not None and domain.line_of_business not in lobs:
            report.add(("data_domains", i, "line_of_business"),
                       f"{domain.line_of_business!r} is not a line of business; {_known(lobs)}")
        for field in ("producers", "consumers"):
            for j, team in enumerate(getattr(domain, field)):
                if team not in teams:
                    report.add(("data_domains", i, field, j), f"{team!r} is not a team; {_known(teams)}")
        _duplicates(report, ((("data_domains", i, "zones", j, "name"), z.name) for j, z in enumerate(domain.zones)),
                    "zone")
        _check_data_grants(spec, report, i, domain)
        if domain.account.ou is not None:
            _check_ou(report, ("data_domains", i, "account", "ou"), domain.account.ou, known_ous)
        elif framework.DATA_DOMAIN_OU not in known_ous:
            report.add(("data_domains", i), f"the default OU of data domains, {framework.DATA_DOMAIN_OU!r}, "
                       f"is not an OU; set account.ou; {_known(known_ous)}")


def _check_data_grants(spec: Spec, report: Collector, i: int, domain: Any) -> None:
    classifications = spec.data_governance.classifications
    zones = [z.name for z in domain.zones]
    if domain.classification not in classifications:
        report.add(("data_domains", i, "classification"),
                   f"{domain.classification!r} is not a classification of data_governance; {_known(set(classifications))}")
    environments = {t.name: set(t.environments) for t in spec.teams}
    granted = {g.team for g in domain.grants}
    _duplicates(report, ((("data_domains", i, "grants", j, "team"), g.team) for j, g in enumerate(domain.grants)),
                "grant for team")
    for j, grant in enumerate(domain.grants):
        path = ("data_domains", i, "grants", j)
        if grant.team not in domain.consumers:
            report.add(path + ("team",), f"{grant.team!r} is not a consumer of data domain {domain.name!r}; "
                       f"add it to consumers first; {_known(domain.consumers)}")
        for k, zone in enumerate(grant.zones or []):
            if zone not in zones:
                report.add(path + ("zones", k), f"{zone!r} is not a zone of data domain {domain.name!r}; {_known(zones)}")
        for k, value in enumerate(grant.classifications or []):
            if value not in classifications:
                report.add(path + ("classifications", k),
                           f"{value!r} is not a classification of data_governance; {_known(set(classifications))}")
        if grant.classifications and domain.classification not in grant.classifications:
            report.add(path + ("classifications",),
                       f"the grant reads nothing: data domain {domain.name!r} is classified {domain.classification!r}")
        # the default (dev and prod) reads from those of them the team has; named environments must exist
        for k, env in enumerate(grant.environments if "environments" in grant.model_fields_set else []):
            if grant.team in environments and env not in environments[grant.team]:
                report.add(path + ("environments", k), f"team {grant.team!r} has no {env} environment")
    most_sensitive = classifications[-1]
    if domain.classification == most_sensitive:
        named = {g.team for g in domain.grants if g.classifications and most_sensitive in g.classifications}
        for j, team in enumerate(domain.consumers):
            if team not in named:
                report.add(("data_domains", i, "consumers", j),
                           f"data domain {domain.name!r} is classified {most_sensitive!r}, the most sensitive "
                           f"classification: consumer {team!r} reads it only with a grant that names {most_sensitive!r}")
    if any(c not in granted for c in domain.consumers) and all(z == framework.RAW_ZONE for z in zones):
        report.add(("data_domains", i, "zones"), f"consumers read every zone but {framework.RAW_ZONE} by default, and "
                   f"data domain {domain.name!r} has no other: add a zone, or grants that name {framework.RAW_ZONE}")


def check_feature_groups(spec: Spec, report: Collector) -> None:
    teams = {t.name for t in spec.teams}
    _duplicates(report, ((("feature_groups", i, "name"), g.name.lower()) for i, g in enumerate(spec.feature_groups)),
                "feature group")
    for i, group in enumerate(spec.feature_groups):
        path = ("feature_groups", i)
        _duplicates(report, (((*path, "features", j, "name"), f.name) for j, f in enumerate(group.features)), "feature")
        types = {f.name: f.type for f in group.features}
        for field in ("record_identifier", "event_time"):
            name = getattr(group, field)
            if name not in types:
                report.add((*path, field), f"{name!r} is not a feature of the group; {_known(types)}")
        if types.get(group.event_time) == "Integral":
            report.add((*path, "event_time"), f"{group.event_time!r} is Integral; an event time is String or Fractional")
        if group.owner not in teams:
            report.add((*path, "owner"), f"{group.owner!r} is not a team; {_known(teams)}")
        seen = {group.owner: "owner"}
        for field in ("writers", "readers"):
            for j, team in enumerate(getattr(group, field)):
                if team not in teams:
                    report.add((*path, field, j), f"{team!r} is not a team; {_known(teams)}")
                elif team in seen:
                    report.add((*path, field, j), f"{team!r} is already the group's {seen[team]}")
                else:
                    seen[team] = field[:-1]


def check_identity(spec: Spec, report: Collector) -> None:
    personas = set(framework.PERSONAS) | set(spec.identity.personas)
    for name, persona in spec.identity.personas.items():
        path = ("identity", "personas", name)
        builtin = framework.PERSONAS.get(name)
        scope = persona.scope or (builtin.scope if builtin else None)
        if scope is None:
            report.add(path, f"persona {name!r} is new: set scope (organization, platform, security, governance or team)")
        if persona.environments is not None and scope != "team":
            report.add(path + ("environments",), f"environments apply to team-scoped personas only; {name!r} has scope {scope}")
        if builtin is None and not persona.managed_policies:
            report.add(path, f"persona {name!r} is new: give it managed_policies (built-in personas: "
                       f"{', '.join(framework.PERSONAS)})")
    teams = {team.name for team in spec.teams}
    _duplicates(report, ((("identity", "groups", i, "name"), g.name) for i, g in enumerate(spec.identity.groups)), "group")
    for i, group in enumerate(spec.identity.groups):
        if group.persona not in personas:
            report.add(("identity", "groups", i, "persona"), f"{group.persona!r} is not a persona; {_known(personas)}")
        for j, team in enumerate(group.teams):
            if team not in teams:
                report.add(("identity", "groups", i, "teams", j), f"{team!r} is not a team; {_known(teams)}")
        if not group.accounts and not group.teams:
            report.add(("identity", "groups", i), "a group needs accounts or teams to be assigned to")


def check_controls(spec: Spec, report: Collector) -> None:
    controls = spec.controls
    known_ous = set(organizational_units(spec))
    if controls.service_control_policies is not None:
        for ou, names in controls.service_control_policies.items():
            path = ("controls", "service_control_policies", ou)
            if ou not in known_ous:
                report.add(path, f"{ou!r} is not an OU; {_known(known_ous)}")
            for j, name in enumerate(names):
                if name not in framework.SERVICE_CONTROL_POLICIES:
                    report.add(path + (j,), f"{name!r} is not a service control policy; {_known(framework.SERVICE_CONTROL_POLICIES)}")
            _duplicates(report, ((path + (j,), n) for j, n in enumerate(names)), "SCP")
            if len(names) > framework.MAX_SCPS_PER_TARGET:
                report.add(path, f"{len(names)} SCPs on one OU; AWS allows {framework.MAX_SCPS_PER_TARGET} besides FullAWSAccess")
    for i, role in enumerate(controls.region_exempt_roles):
        if not role or len(role) > 64 or not all(c.isalnum() or c in "+=,.@_-" for c in role):
            report.add(("controls", "region_exempt_roles", i), f"{role!r} is not an IAM role name")
    for i, name in enumerate(controls.compliance_frameworks):
        if name not in framework.COMPLIANCE_FRAMEWORKS:
            report.add(("controls", "compliance_frameworks", i),
                       f"{name!r} is not a compliance framework; {_known(framework.COMPLIANCE_FRAMEWORKS)}")
    _duplicates(report, ((("controls", "compliance_frameworks", i), name)
                         for i, name in enumerate(controls.compliance_frameworks)), "compliance framework")


def check_budgets(spec: Spec, report: Collector) -> None:
    teams = {team.name for team in spec.teams}
    lobs = {lob.name for lob in spec.lines_of_business}
    _duplicates(report, ((("budgets", i, "name"), b.name) for i, b in enumerate(spec.budgets)), "budget")
    for i, budget in enumerate(spec.budgets):
        if (budget.team is None) == (budget.line_of_business is None):
            report.add(("budgets", i), "set exactly one of team or line_of_business")
        if budget.team is not None and budget.team not in teams:
            report.add(("budgets", i, "team"), f"{budget.team!r} is not a team; {_known(teams)}")
        if budget.line_of_business is not None and budget.line_of_business not in lobs:
            report.add(("budgets", i, "line_of_business"), f"{budget.line_of_business!r} is not a line of business; {_known(lobs)}")
        for j, threshold in enumerate(budget.alert_thresholds):
            if not 1 <= threshold <= 1000:
                report.add(("budgets", i, "alert_thresholds", j), f"{threshold} is not a percentage from 1 to 1000")
        _check_alerts(report, ("budgets", i), budget.alert_thresholds, budget.alert_emails)
    first: dict[str, int] = {}
    for i, budget in enumerate(spec.budgets):
        if budget.team is not None and budget.line_of_business is None:
            if budget.team in first:
                report.add(("budgets", i, "team"), f"team {budget.team!r} already has budget "
                           f"{spec.budgets[first[budget.team]].name!r}; a team has one budget, which also sets its "
                           "accounts' budgets")
            first.setdefault(budget.team, i)


# AWS Budgets: 5 notifications per budget (mlplat adds one on the forecast) and 10 email subscribers each.
MAX_BUDGET_THRESHOLDS = 4
MAX_ALERT_EMAILS = 10
ENFORCED_FOR_RE = re.compile(r"^[a-z0-9-]+:([A-Za-z0-9_-]+|\*)$")


def _check_alerts(report: Collector, path: tuple[Any, ...], thresholds: list[int], emails: list[str]) -> None:
    if len(set(thresholds)) > MAX_BUDGET_THRESHOLDS:
        report.add(path + ("alert_thresholds",), f"{len(set(thresholds))} thresholds; a budget alerts at most at "
                   f"{MAX_BUDGET_THRESHOLDS} (AWS Budgets allows 5 notifications, one is the forecast alert)")
    if len(emails) > MAX_ALERT_EMAILS:
        report.add(path + ("alert_emails",), f"{len(emails)} emails; AWS alerts at most {MAX_ALERT_EMAILS} per notification")
    _duplicates(report, ((path + ("alert_emails", j), e.lower()) for j, e in enumerate(emails)), "email")


def check_cost(spec: Spec, report: Collector) -> None:
    cost = spec.cost
    for env, share in cost.environment_shares.items():
        if not 1 <= share <= 100:
            report.add(("cost", "environment_shares", env), f"{share} is not a percentage from 1 to 100")
    for j, threshold in enumerate(cost.alert_thresholds):
        if not 1 <= threshold <= 1000:
            report.add(("cost", "alert_thresholds", j), f"{threshold} is not a percentage from 1 to 1000")
    _check_alerts(report, ("cost",), cost.alert_thresholds, cost.alert_emails)
    for j, resource_type in enumerate(cost.tag_policy_enforced_for):
        if not ENFORCED_FOR_RE.match(resource_type):
            report.add(("cost", "tag_policy_enforced_for", j), f"{resource_type!r} is not a resource type like "
                       "s3:bucket, ec2:ALL_SUPPORTED or secretsmanager:*")
    _duplicates(report, ((("cost", "tag_policy_enforced_for", j), t)
                         for j, t in enumerate(cost.tag_policy_enforced_for)), "resource type")
    for i, lob in enumerate(spec.lines_of_business):
        _duplicates(report, ((("lines_of_business", i, "owners", j), e.lower()) for j, e in enumerate(lob.owners)),
                    "owner")


def check_network(spec: Spec, report: Collector) -> None:
    endpoints = spec.network.interface_endpoints or []
    _duplicates(report, ((("network", "interface_endpoints", i), e) for i, e in enumerate(endpoints)), "endpoint")
    for i, service in enumerate(endpoints):
        if not service or not all(c.isalnum() or c in ".-" for c in service):
            report.add(("network", "interface_endpoints", i), f"{service!r} is not a service name like sagemaker.api")


CHECKS = (check_organization, check_organizational_units, check_accounts, check_identity, check_controls,
          check_budgets, check_cost, check_network, check_feature_groups)


def check(spec: Spec, report: Collector) -> None:
    """Run every cross-reference check, collecting into ``report``."""
    for run in CHECKS:
        run(spec, report)
