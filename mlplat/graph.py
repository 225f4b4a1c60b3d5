"""The stacks of an organization and their dependencies, known without synthesizing.

The rules below say which stacks read values from which others; they mirror what the placements
do with shared values (a test checks them against the dependencies the engine records in
``manifest.json``), so that ``mlplat graph`` can answer without starting the CDK engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mlplat.resolve.model import Account, Org


@dataclass(frozen=True)
class StackNode:
    name: str
    account: str
    ou: str | None
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class StackGraph:
    org: str
    nodes: tuple[StackNode, ...]

    def waves(self) -> list[list[str]]:
        """Stacks grouped by the order they can be applied in (each wave after the one before)."""
        remaining = {n.name: set(n.depends_on) for n in self.nodes}
        done: set[str] = set()
        result = []
        while remaining:
            wave = sorted(name for name, deps in remaining.items() if deps <= done)
            if not wave:
                raise ValueError(f"dependency cycle among {sorted(remaining)}")
            result.append(wave)
            done.update(wave)
            for name in wave:
                del remaining[name]
        return result

    def to_text(self) -> str:
        lines = [f"{self.org}: {len(self.nodes)} stacks in {len(self.waves())} waves"]
        by_name = {n.name: n for n in self.nodes}
        for i, wave in enumerate(self.waves(), start=1):
            lines.append(f"wave {i}:")
            for name in wave:
                node = by_name[name]
                after = f"  after {', '.join(node.depends_on)}" if node.depends_on else ""
                lines.append(f"  {name}  [{node.ou or 'root'}]{after}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({"organization": self.org, "waves": self.waves(),
                           "stacks": [{"name": n.name, "account": n.account, "ou": n.ou,
                                       "depends_on": list(n.depends_on)} for n in self.nodes]}, indent=2) + "\n"

    def to_dot(self) -> str:
        lines = [f'digraph "{self.org}" {{', "  rankdir=LR;"]
        for node in self.nodes:
            lines.append(f'  "{node.name}";')
            for dependency in node.depends_on:
                lines.append(f'  "{dependency}" -> "{node.name}";')
        lines.append("}")
        return "\n".join(lines) + "\n"


def _reads_account_id(account: Account) -> bool:
    """Account stacks name their account id in the provider; unless given, it comes from the organization stack."""
    return account.kind != "management" and account.account_id is None


def stack_graph(org: Org) -> StackGraph:
    names = {s.account: s.name for s in org.stacks if s.kind == "account"}
    organization = next(s.name for s in org.stacks if s.kind == "organization")
    # with Terraform Cloud: after the organization stack (the role ARNs of its variables name the account
    # ids), before every account stack (its workspace must exist before the stack's first init)
    tfc_bootstrap = next((s.name for s in org.stacks if s.kind == "tfc_bootstrap"), None)
    log_archive = names[org.core("log_archive").key]
    network = names[org.network.transit_account]
    hub = names[org.network.hub_account]
    ml_platform = names[org.ml_platform_account]
    team_of = {key: team for team in org.teams for key in team.accounts.values()}
    governance = names[org.core("data_governance").key]
    feature_store = names[org.core("feature_store").key]
    teams = {team.name: team for team in org.teams}

    def with_roles(team: str, env: str) -> set[str]:
        """The team's account of ``env`` if the ML placements give it roles: dev always, test and prod
        only with a deployment pipeline (an endpoint instance type)."""
        member = teams[team]
        return {member.accounts[env]} if env == "dev" or member.endpoint_instance_type is not None else set()

    # team accounts whose roles use features: the feature store key; that read governed data: the catalog key
    featured = {key for g in org.feature_groups for a in g.access for key in with_roles(a.team, a.environment)}
    reading = {key for d in org.data_domains for g in d.grants for env in g.environments
               for key in with_roles(g.team, env)}
    domain_stacks = {names[d.account] for d in org.data_domains}
    security = names[org.core("security_tooling").key]
    cost_accounts = {key for budget in org.budgets for key in budget.accounts} | {
        key for owner in (*org.cost.teams, *org.cost.lines_of_business) for key in owner.accounts}
    nodes = []
    for stack in org.stacks:
        deps: set[str] = set()
        if stack.kind == "account":
            account = org.account(stack.account)
            if _reads_account_id(account) or account.key == org.core("log_archive").key:
                deps.add(organization)  # account id; the log archive also reads the organization id
            if stack.name != log_archive:
                deps.add(log_archive)  # Config delivery (and trail, flow logs) into the log archive
            if account.network in ("hub", "spoke"):
                deps.add(network)  # Transit Gateway attachment
            if account.network == "spoke":
                deps.add(hub)  # Route 53 Profile of the central endpoints
            if account.network != "none" or account.key == org.network.transit_account:
                deps.add(organization)  # RAM principal is the organization ARN
            if account.kind == "management" and any(_reads_account_id(org.account(key)) for key in cost_accounts):
                deps.add(organization)  # budgets and cost categories name the ids of the accounts they cover
            team = team_of.get(account.key)
            if team is not None and account.environment == "dev":
                deps.add(ml_platform)  # the products bucket and key its launch role reads
            if team is not None and account.environment in ("test", "prod"):
                deps.add(ml_platform)  # the team's pipeline role and deployment bucket and key
                if "dev" in team.accounts:
                    deps.add(names[team.accounts["dev"]])  # the dev bucket and key of the trained models
            if stack.name == governance and domain_stacks:
                deps |= domain_stacks  # each domain's key, which its data access role uses
            if account.key in reading:
                deps.add(governance)
            if account.key in featured:
                deps.add(feature_store)  # the feature store key its roles decrypt the offline store with
            if stack.name == security:
                # detective controls: AWS Config deploys the organization rules into every account, whose
                # recorders must exist first, and Macie's jobs name the data buckets; Security Hub's policy
                # is associated with the organization root. No stack may therefore read from this one.
                deps |= set(names.values()) | {organization}
            observability = org.observability_account(account.key)
            if observability is not None:
                deps.add(names[observability])  # the sink its OAM link points to
            if tfc_bootstrap is not None:
                deps.add(tfc_bootstrap)  # its workspace
            node_ou = account.ou
        else:
            if stack.kind == "tfc_bootstrap":
                deps.add(organization)
            node_ou = None
        deps.discard(stack.name)
        nodes.append(StackNode(name=stack.name, account=stack.account, ou=node_ou, depends_on=tuple(sorted(deps))))
    return StackGraph(org=org.name, nodes=tuple(nodes))
