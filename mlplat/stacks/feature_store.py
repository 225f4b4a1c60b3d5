"""Placement of the centralized feature store (module 6) in the feature store account, and (called by the
ML placements, which hold the roles) each team account's access to the groups shared with it.

Reads account ids (organization); exports the feature store key's ARN, which the team accounts decrypt the
offline store with.
"""

from __future__ import annotations

from typing import Any

from mlplat.resolve import naming
from mlplat.resolve.model import MlTeam
from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.feature_store.central_store import (
        CentralFeatureStore,
        CentralFeatureStoreProps,
        Feature,
        FeatureGroupSpec,
        SharedAccount,
    )

    org = stacks.org
    if not org.feature_groups:
        return
    region = org.home_region
    handle = stacks.core("feature_store")
    if not handle.built:
        return
    account = handle.account_id()
    teams = {t.name: t for t in org.teams}

    def shared(group: Any, write: bool) -> list[SharedAccount]:
        keys = [teams[a.team].accounts[a.environment] for a in group.access if a.write == write]
        return [SharedAccount(key=key, account_id=handle.account_id(key)) for key in keys]

    store = CentralFeatureStore(handle.scope, "feature-store", CentralFeatureStoreProps(
        account_id=account, region=region, key_alias=f"alias/{org.name}-feature-store",
        bucket_name=naming.feature_store_bucket_name(org.name, account, region),
        access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
        share_prefix=f"{org.name}-features",
        groups=[FeatureGroupSpec(
            name=g.name, description=g.description, record_identifier=g.record_identifier, event_time=g.event_time,
            features=[Feature(name=n, type=t) for n, t in g.features], online=g.online,
            readers=shared(g, False), writers=shared(g, True)) for g in org.feature_groups],
        provider=handle.provider(region)))
    handle.export("feature_store_key_arn", store.key.arn)


def place_team_access(stacks: StackSet, team: MlTeam, environment: str, roles: list[Any]) -> None:
    """The feature groups one team account reads or writes, for its roles (``TeamRole``)."""
    from mlplat.modules.feature_store.team_access import TeamFeatureAccess, TeamFeatureAccessProps

    org = stacks.org
    access = [(g.name, a.write) for g in org.feature_groups for a in g.access
              if a.team == team.name and a.environment == environment]
    if not access:
        return
    handle = stacks.for_account(team.accounts[environment])
    store_account = handle.account_id(org.core("feature_store").key)
    TeamFeatureAccess(handle.scope, "feature-access", TeamFeatureAccessProps(
        region=org.home_region, store_account_id=store_account,
        store_key_arn=handle.value("feature_store_key_arn"),
        store_bucket_name=naming.feature_store_bucket_name(org.name, store_account, org.home_region),
        read=[name for name, write in access if not write], write=[name for name, write in access if write],
        roles=roles, provider=handle.provider()))
