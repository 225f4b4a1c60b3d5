from __future__ import annotations

from pathlib import Path

import pytest

from mlplat import resolve, spec
from mlplat.spec import SpecError, framework

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def minimal():
    return resolve.resolve(spec.load(EXAMPLES / "minimal" / "mlplat.yaml"))


@pytest.fixture(scope="module")
def enterprise():
    return resolve.resolve(spec.load(EXAMPLES / "enterprise" / "mlplat.yaml"))


def test_minimal_spec_yields_every_core_account_and_ou(minimal) -> None:
    roles = {a.role for a in minimal.accounts if a.kind == "core"}
    assert roles == set(framework.CORE_ACCOUNTS)
    assert [ou.path for ou in minimal.organizational_units] == list(framework.ORGANIZATIONAL_UNITS)
    assert [a.key for a in minimal.accounts if a.kind == "team"] == ["churn-dev", "churn-test", "churn-prod"]
    assert len(minimal.stacks) == 1 + len(minimal.accounts)


def test_team_accounts_get_names_emails_ous_and_tags(minimal) -> None:
    prod = minimal.account("churn-prod")
    assert prod.name == "acme-churn-prod"
    assert prod.email == "aws+acme-churn-prod@acme.example"
    assert prod.ou == "Workloads/ML/Prod"
    assert prod.tags == {"cost-center": "CC-1001", "environment": "prod", "line-of-business": "retail",
                         "managed-by": "mlplat", "org": "acme", "team": "churn"}
    assert minimal.account("churn-dev").ou == "Workloads/ML/NonProd"


def test_cidrs_are_unique_inside_the_pool_and_pins_are_kept(enterprise) -> None:
    cidrs = {a.key: a.vpc_cidr for a in enterprise.accounts if a.network != "none"}
    assert cidrs["shared-services"] == "10.0.0.0/22"  # the hub is allocated first
    assert cidrs["fraud-prod"] == "10.8.0.0/22"
    assert len(set(cidrs.values())) == len(cidrs) == 25
    assert all(a.vpc_cidr is None for a in enterprise.accounts if a.network == "none")


def test_groups_follow_persona_scopes(enterprise) -> None:
    groups = {g.group: g for g in enterprise.groups}
    assert groups["fraud-data-scientist"].accounts == ("fraud-dev",)
    assert groups["fraud-ml-engineer"].accounts == ("fraud-dev", "fraud-test", "fraud-prod")
    assert "management" not in groups["northbank-cloud-admin"].accounts
    assert len(groups["northbank-auditor"].accounts) == len(enterprise.members)
    # a custom group of a non-team persona is assigned to every environment of the named teams
    assert len(groups["model-risk-validators"].accounts) == 9
    assert enterprise.groups_external


def test_session_duration_override(enterprise) -> None:
    persona = next(p for p in enterprise.personas if p.name == "data-scientist")
    assert persona.session_duration == "PT10H"


def test_budgets_cover_the_accounts_of_their_scope(enterprise) -> None:
    budgets = {b.name: b for b in enterprise.budgets}
    assert budgets["fraud"].accounts == ("fraud-dev", "fraud-test", "fraud-prod")
    # a line of business's budget: its teams' accounts and its data domains' (what its cost category counts)
    assert budgets["retail-ml"].accounts[0] == "data-customer" and len(budgets["retail-ml"].accounts) == 7


def test_fails_on_unknown_group_account() -> None:
    text = (EXAMPLES / "minimal" / "mlplat.yaml").read_text() + (
        "identity:\n  groups:\n    - name: x\n      persona: auditor\n      accounts: [acme-nope]\n")
    with pytest.raises(SpecError) as error:
        resolve.resolve(spec.parse(text, "m.yaml"))
    assert "identity.groups[0].accounts[0]: 'acme-nope' is not an account; known: acme-churn-dev" in str(error.value)
