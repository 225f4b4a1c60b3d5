"""Who is alerted about a team's or a line of business's spend, and the tag policy's size limit, at resolve time."""

from __future__ import annotations

import json

import pytest

from mlplat.resolve import resolve
from mlplat.spec import SpecError, parse

HEAD = """
version: 1
organization:
  name: acme
  management_account_id: "111122223333"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
  account_email: "aws+{account}@acme.example"
"""


def _org(body: str):
    return resolve(parse(HEAD + body))


def test_team_without_lead_budget_or_finops_is_alerted_at_its_accounts_root_emails() -> None:
    org = _org("""
lines_of_business: [{name: retail, cost_center: CC-1}]
teams:
  - name: churn
    line_of_business: retail
    members: [{user: dana, persona: ml-team-lead}, {user: eve@acme.example, persona: data-scientist}]
""")
    (team,) = org.cost.teams
    # dana's user name is no email and she gave none; eve is no lead
    assert team.alert_emails == ("aws+acme-churn-dev@acme.example", "aws+acme-churn-test@acme.example",
                                 "aws+acme-churn-prod@acme.example")
    (lob,) = org.cost.lines_of_business
    assert lob.alert_emails == team.alert_emails


def test_leads_with_an_email_are_alerted_and_finops_only_without_them() -> None:
    org = _org("""
lines_of_business: [{name: retail, cost_center: CC-1, owners: [exec@acme.example]}]
teams:
  - name: churn
    line_of_business: retail
    members: [{user: dana, persona: ml-team-lead, email: dana@acme.example}]
  - name: fraud
    line_of_business: retail
cost:
  alert_emails: [finops@acme.example]
  environment_shares: {dev: 10, prod: 90}
""")
    teams = {t.name: t.alert_emails for t in org.cost.teams}
    assert teams == {"churn": ("dana@acme.example",), "fraud": ("finops@acme.example",)}
    assert org.cost.lines_of_business[0].alert_emails == ("exec@acme.example",)
    budgets = {b.name: b for b in org.budgets}
    assert budgets["account-churn-dev"].monthly_limit_usd == 1000
    assert budgets["account-churn-prod"].monthly_limit_usd == 9000
    assert "account-churn-test" not in budgets  # no share for test: no account budget
    assert budgets["team-fraud"].alert_emails == ("finops@acme.example",)


def test_fails_when_a_line_of_business_falls_back_to_more_than_ten_emails() -> None:
    teams = "\n".join(f"  - {{name: team-{i}, line_of_business: retail}}" for i in range(4))
    with pytest.raises(SpecError) as error:
        _org(f"lines_of_business: [{{name: retail, cost_center: CC-1}}]\nteams:\n{teams}\n")
    (problem,) = error.value.problems
    assert problem.path == "lines_of_business[0].owners"
    assert "teams' cost contacts are 12 emails; AWS alerts at most 10: set owners, or cost.alert_emails" in problem.message


def test_fails_at_resolve_time_when_the_tag_policy_would_exceed_the_quota() -> None:
    teams = "\n".join(f"  - {{name: team-{i:03d}-{'x' * 20}, line_of_business: retail, cost_center: CC-{i:03d}-"
                      f"{'y' * 40}, environments: {{dev: {{}}}}}}" for i in range(120))
    spec = f"""lines_of_business: [{{name: retail, cost_center: CC-1}}]
network: {{cidr_pool: 10.0.0.0/8}}
cost: {{alert_emails: [finops@acme.example]}}
teams:
{teams}
"""
    with pytest.raises(SpecError) as error:
        _org(spec)
    (problem,) = error.value.problems
    assert problem.path == "teams"
    assert problem.message.startswith("the tag policy of Workloads/ML/NonProd would be ")
    assert "AWS Organizations accepts 10,000" in problem.message


def test_tag_policy_lists_enforced_resource_types_when_the_spec_names_them() -> None:
    org = _org("""
lines_of_business: [{name: retail, cost_center: CC-1}]
teams: [{name: churn, line_of_business: retail}]
cost: {tag_policy_enforced_for: [s3:bucket]}
""")
    tags = json.loads(org.cost.tag_policy.content)["tags"]
    assert all(entry["enforced_for"] == {"@@assign": ["s3:bucket"]} for entry in tags.values())
    assert org.cost.tag_policy.targets == ("Workloads/ML/NonProd", "Workloads/ML/Prod")
