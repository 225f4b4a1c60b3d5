"""Placement of the data lake foundations (module 2) in every data domain account."""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.data_lake.domain_lake import DomainLake, DomainLakeProps, ZoneSpec

    org = stacks.org
    region = org.home_region
    for domain in org.data_domains:
        handle = stacks.for_account(domain.account)
        account = handle.account_id()
        DomainLake(handle.scope, "data-lake", DomainLakeProps(
            domain=domain.name, account_id=account, region=region, key_alias=f"alias/{org.name}-{domain.name}-lake",
            access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
            zones=[ZoneSpec(name=z.name, bucket_name=naming.lake_bucket_name(org.name, domain.name, z.name, account),
                            database_name=domain.database_name(z.name), retention_days=z.retention_days)
                   for z in domain.zones],
            admin_role_arns=[f"arn:aws:iam::{account}:role/{org.execution_role}"],
            provider=handle.provider(region)))
