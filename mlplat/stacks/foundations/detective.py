"""Placement of the organization's detective controls in the security tooling account (the delegated
administrator of AWS Config multi-account setup and of Macie): AWS Config organization rules and
conformance packs in every allowed region, Macie in the home region, all read from the catalogue.

Reads the account ids (organization). The security tooling stack is applied after every other account
stack: AWS Config deploys the organization rules into every account, and a rule fails in an account
whose configuration recorder (in that account's stack) does not exist yet; Macie's jobs name buckets
that the data lake and team stacks create.
"""

from __future__ import annotations

from collections.abc import Callable

from mlplat.resolve import naming
from mlplat.resolve.model import Org
from mlplat.stacks.context import StackSet


def watched_buckets(org: Org, account_id: Callable[[str], str]) -> dict[str, list[str]]:
    """account key -> the buckets Macie inspects for sensitive data: each data domain's lake buckets (one per
    zone) and the ML bucket of each team account that has one (dev, and test and prod when the team deploys)."""
    buckets: dict[str, list[str]] = {}
    for domain in org.data_domains:
        account = account_id(domain.account)
        buckets[domain.account] = [naming.lake_bucket_name(org.name, domain.name, z.name, account)
                                   for z in domain.zones]
    for team in org.teams:
        for environment, key in team.accounts.items():
            if environment == "dev" or team.endpoint_instance_type is not None:
                buckets[key] = [naming.team_bucket_name(org.name, account_id(key), org.home_region)]
    return buckets


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.detective import catalog
    from mlplat.modules.foundations.detective.config_rules import (
        OrganizationConfigRules,
        OrganizationConfigRulesProps,
        OrganizationConformancePacks,
        OrganizationConformancePacksProps,
    )
    from mlplat.modules.foundations.detective.macie import (
        MacieBuckets,
        MacieMember,
        MacieOrganization,
        MacieOrganizationProps,
    )

    org = stacks.org
    security = stacks.core("security_tooling")
    if not security.built:
        return
    for handle in stacks.accounts():
        if handle is not security:
            security.scope.add_dependency(handle.scope)  # every account's recorder, every data bucket

    rules = list(catalog.config_rules())
    packs = list(catalog.conformance_packs(org.controls.compliance_frameworks))
    for region in security.regions():
        home = region == org.home_region
        provider = security.provider(region)
        recording = [stacks.shared.config_recorders[(security.account.key, region)]]
        OrganizationConfigRules(security.scope, f"config-rules-{region}", OrganizationConfigRulesProps(
            name_prefix=org.name, region=region, home_region=home, rules=rules, depends_on=recording,
            provider=provider))
        if packs:
            OrganizationConformancePacks(
                security.scope, f"conformance-packs-{region}", OrganizationConformancePacksProps(
                    name_prefix=org.name, region=region, home_region=home, packs=packs, depends_on=recording,
                    provider=provider))

    buckets = watched_buckets(org, security.account_id)
    MacieOrganization(security.scope, "macie", MacieOrganizationProps(
        job_name_prefix=f"{org.name}-sensitive-data",
        members=[MacieMember(key=a.key, account_id=security.account_id(a.key), email=a.email)
                 for a in org.members if a.key != security.account.key],
        buckets=[MacieBuckets(key=key, account_id=security.account_id(key), buckets=names)
                 for key, names in sorted(buckets.items())],
        provider=security.provider(org.home_region),
    ))
