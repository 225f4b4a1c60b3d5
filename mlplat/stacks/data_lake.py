"""Placement of the data lake foundations (module 2): each data domain's lake, the central governance
catalog, and (called by the ML placements, which hold the roles) each team account's access.

Reads account ids (organization); exports each domain's lake key ARN, which the governance account's
data access roles use, and the governance catalog's key ARN, which the team accounts read
the catalog's metadata with.
"""

from __future__ import annotations

from typing import Any

from mlplat.resolve import naming
from mlplat.resolve.model import DataDomain, MlTeam, Org
from mlplat.stacks.context import StackHandle, StackSet


def governance_role_arn(org: Org, reader: StackHandle, domain: DataDomain) -> str:
    from mlplat.modules.data_lake.governance import data_access_role_name
    from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH

    account = reader.account_id(org.core("data_governance").key)
    return f"arn:aws:iam::{account}:role{PLATFORM_IAM_PATH}{data_access_role_name(domain.name)}"


def lake_buckets(org: Org, reader: StackHandle, domain: DataDomain) -> dict[str, str]:
    """zone -> bucket name of a domain's lake, as ``reader`` names it."""
    account = reader.account_id(domain.account)
    return {z.name: naming.lake_bucket_name(org.name, domain.name, z.name, account) for z in domain.zones}


def place(stacks: StackSet) -> None:
    from mlplat.modules.data_lake.domain_lake import DomainLake, DomainLakeProps, ZoneSpec
    from mlplat.modules.data_lake.governance import (
        DataGovernance,
        DataGovernanceProps,
        GovernedDomain,
        GovernedZone,
        TagGrant,
    )

    org = stacks.org
    if not org.data_domains:
        return
    region = org.home_region
    governance = stacks.core("data_governance")
    for domain in org.data_domains:
        handle = stacks.for_account(domain.account)
        if not handle.built:
            continue
        account = handle.account_id()
        buckets = lake_buckets(org, handle, domain)
        lake = DomainLake(handle.scope, "data-lake", DomainLakeProps(
            domain=domain.name, account_id=account, region=region, key_alias=f"alias/{org.name}-{domain.name}-lake",
            access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
            zones=[ZoneSpec(name=z.name, bucket_name=buckets[z.name], retention_days=z.retention_days) for z in domain.zones],
            admin_role_arns=[_execution_role(org, account)], governance_account_id=handle.account_id(governance.account.key),
            governance_role_arn=governance_role_arn(org, handle, domain), provider=handle.provider(region)))
        handle.export("lake_key_arn", lake.key_arn, domain.name)
    if not governance.built:
        return
    governance_id = governance.account_id()
    domains = []
    for domain in org.data_domains:
        account = governance.account_id(domain.account)
        buckets = lake_buckets(org, governance, domain)
        domains.append(GovernedDomain(
            name=domain.name, account_id=account, key_arn=governance.value("lake_key_arn", domain.name),
            classification=domain.classification,
            zones=[GovernedZone(name=z.name, bucket_name=buckets[z.name], database_name=domain.database_name(z.name))
                   for z in domain.zones]))
    teams = {t.name: t for t in org.teams}
    grants = [TagGrant(account=teams[g.team].accounts[env], account_id=governance.account_id(teams[g.team].accounts[env]),
                       domain=domain.name,
                       zones=list(g.zones), classifications=list(g.classifications))
              for domain in org.data_domains for g in domain.grants for env in g.environments]
    readers = [d.account_id for d in domains] + [g.account_id for g in grants]
    catalog = DataGovernance(governance.scope, "data-governance", DataGovernanceProps(
        account_id=governance_id, region=region, key_alias=f"alias/{org.name}-data-catalog",
        admin_role_arns=[_execution_role(org, governance_id)], classifications=list(org.classifications),
        domains=domains, grants=grants, catalog_reader_account_ids=readers, provider=governance.provider(region)))
    governance.export("data_catalog_key_arn", catalog.key.arn)


def place_team_access(stacks: StackSet, team: MlTeam, environment: str, roles: list[Any]) -> None:
    """The governed data one team account reads, for its roles (``TeamRole``: key, name token, ARN token)."""
    from mlplat.modules.data_lake.team_access import GrantedData, TeamDataAccess, TeamDataAccessProps

    org = stacks.org
    granted = [GrantedData(domain=d.name, zones=list(g.zones), classifications=list(g.classifications),
                           databases=[d.database_name(z) for z in g.zones])
               for d in org.data_domains for g in d.grants if g.team == team.name and environment in g.environments]
    if not granted:
        return
    handle = stacks.for_account(team.accounts[environment])
    account = handle.account_id()
    TeamDataAccess(handle.scope, "governed-data", TeamDataAccessProps(
        account_id=account, region=org.home_region,
        governance_account_id=handle.account_id(org.core("data_governance").key),
        catalog_key_arn=handle.value("data_catalog_key_arn"), admin_role_arns=[_execution_role(org, account)],
        roles=roles, granted=granted, provider=handle.provider()))


def _execution_role(org: Org, account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{org.execution_role}"
