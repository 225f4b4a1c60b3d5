"""Every value one stack hands to another, declared in one place: its name, its key and the stack that makes it.

A stack that makes a value writes it as a Terraform output (:meth:`StackHandle.export`); a stack that
reads it gets a ``terraform_remote_state`` of the maker's state and the dependency on it
(:meth:`StackHandle.value`). The output names depend only on the resolved organization, never on the
construct that made the value, so a stack can be synthesized without building the stacks it reads:
synth builds any subset of the stacks, in parallel processes or alone, and writes the same files as
when it builds them all.

What is not here crosses no stack, or is known without Terraform: a name, an ARN made of names and
account ids (the central registry's groups, the image repositories), a CIDR of the resolved network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlplat.resolve.model import Org

# the Terraform output of an export: '<name>' or '<name>_<key>' with the key's other characters as '_'
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Export:
    name: str
    key: str | None
    producer: str  # the stack that makes the value

    @property
    def output(self) -> str:
        return self.name if self.key is None else f"{self.name}_{_UNSAFE.sub('_', self.key)}"


def declared(org: Org) -> dict[tuple[str, str | None], Export]:
    """(name, key) -> the export, for every value a stack of ``org`` makes for the others."""
    account_stack = {s.account: s.name for s in org.stacks if s.kind == "account"}
    organization = next(s.name for s in org.stacks if s.kind == "organization")
    found: dict[tuple[str, str | None], Export] = {}

    def add(name: str, producer: str, key: str | None = None) -> None:
        found[(name, key)] = Export(name, key, producer)

    # the organization stack (module 1): the organization, its OUs and the accounts it creates
    for name in ("organization_id", "organization_arn", "organization_root_id"):
        add(name, organization)
    for ou in org.organizational_units:
        add("ou_id", organization, ou.path)
    for account in org.members:
        if account.account_id is None and account.ou is not None:
            add("account_id", organization, account.key)
    # central logging and the network (module 1)
    archive = account_stack[org.core("log_archive").key]
    for name in ("log_bucket_name", "log_bucket_arn", "log_kms_key_arn"):
        add(name, archive)
    add("transit_gateway_id", account_stack[org.network.transit_account])
    add("dns_profile_id", account_stack[org.network.hub_account])
    # the ML platform account (module 3) and each team's deployment pipeline there
    if org.teams:
        platform = account_stack[org.ml_platform_account]
        for name in ("products_bucket_arn", "products_key_arn"):
            add(name, platform)
        for team in deploying_teams(org):
            for name in ("pipeline_role_arn", "deployment_bucket_arn", "deployment_key_arn"):
                add(name, platform, team)
    # each team's dev account (module 4): the bucket and key its test and prod accounts read models from
    for team in org.teams:
        if "dev" in team.accounts:
            for name in ("team_bucket_arn", "team_key_arn"):
                add(name, account_stack[team.accounts["dev"]], team.accounts["dev"])
    # each data domain's lake key (module 2), the governance catalog and the feature store (module 6)
    for domain in org.data_domains:
        add("lake_key_arn", account_stack[domain.account], domain.name)
    if org.data_domains:
        add("data_catalog_key_arn", account_stack[org.core("data_governance").key])
    if org.feature_groups:
        add("feature_store_key_arn", account_stack[org.core("feature_store").key])
    # the ML observability accounts' sinks (module 7)
    for account in org.accounts:
        target = org.observability_account(account.key)
        if target is not None:
            add("observability_sink_arn", account_stack[target], target)
    outputs: dict[tuple[str, str], Export] = {}
    for export in found.values():
        clash = outputs.setdefault((export.producer, export.output), export)
        if clash is not export:
            raise RuntimeError(f"exports {clash} and {export} have the same output {export.output!r}")
    return found


def deploying_teams(org: Org) -> list[str]:
    """The teams with a deployment pipeline: a test or prod account and an instance type it can host."""
    return [t.name for t in org.teams
            if t.endpoint_instance_type and any(env in t.accounts for env in ("test", "prod"))]
