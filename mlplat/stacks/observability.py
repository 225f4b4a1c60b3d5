"""Placement of logging and observability (module 7).

In the home region: an OAM sink in each ML observability account and a link to it from every ML
workload account (``Org.observability_account``); SageMaker's log groups in every team account; in
each observability account, per team, a dashboard and alarms over the team's accounts linked there;
in the log archive account, the organization trail as an Athena table with a workgroup and saved queries.

Reads account ids, the organization id (organization) and the log archive bucket (logging); exports the
sink ARNs, which the linked accounts read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlplat.resolve import naming
from mlplat.resolve.model import MlTeam, Org
from mlplat.stacks.context import StackHandle, StackSet

if TYPE_CHECKING:
    from mlplat.modules.foundations.identity.grants import LogQueries

OBSERVABILITY_ROLES = {"test": "ml_observability_test", "prod": "ml_observability_prod"}


def endpoints(team: MlTeam, environment: str) -> list[str]:
    """The endpoints the team's deployment pipelines create in ``environment`` (test and prod only)."""
    if environment not in ("test", "prod") or team.endpoint_instance_type is None:
        return []
    return [f"{team.model_package_group(u)}-{environment}" for u in team.use_cases]


def linked_accounts(org: Org, observability_key: str) -> list[str]:
    """Keys of the accounts linked to an observability account, in the resolved order."""
    return [a.key for a in org.accounts if org.observability_account(a.key) == observability_key]


def log_queries(reader: StackHandle) -> LogQueries:
    """Where auditors query the organization trail (the auditor persona's grants name it), as ``reader`` names it."""
    from mlplat.modules.foundations.identity.grants import LogQueries

    org = reader.org
    region = org.home_region
    account = reader.account_id(org.core("log_archive").key)
    return LogQueries(
        account_id=account, region=region, workgroup=naming.audit_workgroup_name(org.name),
        database=naming.audit_database_name(org.name),
        trail_bucket=naming.log_archive_bucket_names(org.name, account, region)[0],
        trail_prefix=f"AWSLogs/{reader.value('organization_id')}/",
        results_bucket=naming.log_queries_bucket_name(org.name, account, region))


def place(stacks: StackSet) -> None:
    _place_sinks_and_links(stacks)
    _place_log_groups(stacks)
    _place_team_views(stacks)
    _place_audit_queries(stacks)


def _place_sinks_and_links(stacks: StackSet) -> None:
    from mlplat.modules.observability.link import ObservabilityLink, ObservabilityLinkProps
    from mlplat.modules.observability.sink import ObservabilitySink, ObservabilitySinkProps

    org = stacks.org
    for environment, role in OBSERVABILITY_ROLES.items():
        handle = stacks.core(role)
        sources = linked_accounts(org, handle.account.key)
        if not sources or not handle.built:
            continue
        sink = ObservabilitySink(handle.scope, "observability-sink", ObservabilitySinkProps(
            name=f"{org.name}-ml-{environment}", organization_id=handle.value("organization_id"),
            source_account_ids=[handle.account_id(k) for k in sources], provider=handle.provider()))
        handle.export("observability_sink_arn", sink.arn, handle.account.key)
    for account in org.accounts:
        target = org.observability_account(account.key)
        handle = stacks.for_account(account.key)
        if target is None or not handle.built:
            continue
        ObservabilityLink(handle.scope, "observability-link", ObservabilityLinkProps(
            sink_arn=handle.value("observability_sink_arn", target), provider=handle.provider()))


def _place_log_groups(stacks: StackSet) -> None:
    from mlplat.modules.observability import defaults
    from mlplat.modules.observability.log_groups import SageMakerLogGroups, SageMakerLogGroupsProps

    org = stacks.org
    for team in org.teams:
        for environment, key in team.accounts.items():
            handle = stacks.for_account(key)
            if not handle.built:
                continue
            names = list(defaults.JOB_LOG_GROUPS)
            if environment == "dev":
                names.append(defaults.STUDIO_LOG_GROUP)  # the Studio domain lives in dev
            names += [defaults.ENDPOINT_LOG_GROUP.format(endpoint=e) for e in endpoints(team, environment)]
            SageMakerLogGroups(handle.scope, "sagemaker-logs", SageMakerLogGroupsProps(
                account_id=handle.account_id(), region=org.home_region, key_alias=f"alias/{org.name}-sagemaker-logs",
                log_group_names=names, retention_days=org.controls.log_retention_days, provider=handle.provider()))


def _place_team_views(stacks: StackSet) -> None:
    from mlplat.modules.observability.alerts import AlertsKey, AlertsKeyProps, TeamAlerts, TeamAlertsProps, WatchedEndpoint
    from mlplat.modules.observability.dashboard import DashboardAccount, TeamDashboard, TeamDashboardProps

    org = stacks.org
    for role in OBSERVABILITY_ROLES.values():
        handle = stacks.core(role)
        if not handle.built:
            continue
        linked = set(linked_accounts(org, handle.account.key))
        teams = [(t, [(e, k) for e, k in t.accounts.items() if k in linked]) for t in org.teams]
        teams = [(t, accounts) for t, accounts in teams if accounts]
        if not teams:
            continue
        account_id = handle.account_id()
        provider = handle.provider()
        key = AlertsKey(handle.scope, "alerts-key", AlertsKeyProps(
            alias=f"alias/{org.name}-ml-alerts", account_id=account_id, provider=provider))
        for team, accounts in teams:
            alerts = TeamAlerts(handle.scope, f"alerts-{team.name}", TeamAlertsProps(
                team=team.name, account_id=account_id, key_arn=key.arn,
                endpoints=[WatchedEndpoint(name=e, account_id=handle.account_id(k))
                           for env, k in accounts for e in endpoints(team, env)],
                provider=provider))
            TeamDashboard(handle.scope, f"dashboard-{team.name}", TeamDashboardProps(
                dashboard_name=f"{team.name}-ml", region=org.home_region, alarm_arns=alerts.alarm_arns,
                accounts=[DashboardAccount(label=f"{team.name} {env}", account_id=handle.account_id(k),
                                           endpoints=endpoints(team, env)) for env, k in accounts],
                provider=provider))


def _place_audit_queries(stacks: StackSet) -> None:
    from mlplat.modules.observability.audit_queries import AuditLogQueries, AuditLogQueriesProps

    org = stacks.org
    region = org.home_region
    handle = stacks.core("log_archive")
    if not handle.built:
        return
    account = handle.account_id()
    where = log_queries(handle)
    AuditLogQueries(handle.scope, "audit-queries", AuditLogQueriesProps(
        account_id=account, region=region, organization_id=handle.value("organization_id"),
        trail_bucket_name=handle.value("log_bucket_name"),
        account_ids=[handle.account_id(a.key) for a in org.accounts], regions=list(org.allowed_regions),
        lookback_days=org.controls.log_retention_days, key_alias=f"alias/{org.name}-log-queries",
        results_bucket_name=where.results_bucket,
        access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
        workgroup_name=where.workgroup, database_name=where.database, provider=handle.provider(region)))
