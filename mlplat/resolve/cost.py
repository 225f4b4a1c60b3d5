"""Cost and reporting, resolved: every team's and team account's budget, who is alerted about the spend of a
team or a line of business, the cost categories' names and the tag policy of the OUs holding the teams.

Who is alerted about a team: its ml-team-lead members (their email, or their user name when it is an email
address) and the alert emails of the team's budget; without any, ``cost.alert_emails``; without those, the
root emails of the team's accounts, which every organization reads. About a line of business: its owners
and the alert emails of its budgets; else ``cost.alert_emails``; else its teams' contacts.

Problems that show only once values are derived (a budget name mlplat needs that the spec already uses,
more alert emails than AWS takes, a tag policy larger than AWS Organizations accepts) are reported against
the spec field that produced them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mlplat.resolve.model import Account, Budget, Cost, CostOwner, TagPolicy
from mlplat.spec.models import Spec
from mlplat.spec.report import Collector
from mlplat.spec.types import EMAIL_MAX, EMAIL_RE
from mlplat.spec.validators import MAX_ALERT_EMAILS  # AWS Budgets notifications and anomaly subscriptions

# The tag keys the platform puts on every account's resources (the providers' default tags), by what they name.
TEAM_TAG = "team"
LINE_OF_BUSINESS_TAG = "line-of-business"
ENVIRONMENT_TAG = "environment"
COST_CENTER_TAG = "cost-center"
COST_TAGS: dict[str, str] = {
    "team": TEAM_TAG,
    "line_of_business": LINE_OF_BUSINESS_TAG,
    "environment": ENVIRONMENT_TAG,
    "cost_center": COST_CENTER_TAG,
}

LEAD_PERSONA = "ml-team-lead"
TAG_POLICY_MAX_CHARACTERS = 10000  # AWS Organizations quota of a tag policy document


def member_email(user: str, email: str | None) -> str | None:
    """Where a member is alerted: the given email, else the user name when it is an email address."""
    if email:
        return email
    return user if len(user) <= EMAIL_MAX and EMAIL_RE.match(user) else None


def tag_policy_document(values: dict[str, Iterable[str]], enforced_for: Iterable[str] = ()) -> str:
    """The minified tag policy: each key with its exact case and allowed values, and where tagging with another
    value is refused; the same values always give the same bytes."""
    enforced = sorted(set(enforced_for))
    tags: dict[str, Any] = {}
    for key in sorted(values):
        entry: dict[str, Any] = {"tag_key": {"@@assign": key}, "tag_value": {"@@assign": sorted(set(values[key]))}}
        if enforced:
            entry["enforced_for"] = {"@@assign": enforced}
        tags[key] = entry
    return json.dumps({"tags": tags}, separators=(",", ":"))


def category_name(org_name: str, what: str) -> str:
    """A cost category's name: letters, digits and underscores only, so that it is also its key, unchanged,
    in the cost_category column of the cost and usage export."""
    return f"{org_name.replace('-', '_')}_{what}"


def _unique(emails: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for email in emails:
        if email.lower() not in seen:
            seen.add(email.lower())
            result.append(email)
    return result


class CostResolver:
    """Budgets and cost settings of one spec, given its resolved accounts."""

    def __init__(self, spec: Spec, report: Collector, default_value: str) -> None:
        self.spec = spec
        self.report = report
        self.cost = spec.cost
        self.default_value = default_value
        # the team's own budget: the first that names the team (the validators refuse a second one)
        self.team_budgets: dict[str, tuple[int, Any]] = {}
        for i, budget in enumerate(spec.budgets):
            if budget.team is not None and budget.line_of_business is None:
                self.team_budgets.setdefault(budget.team, (i, budget))

    def run(self, accounts: list[Account]) -> tuple[tuple[Budget, ...], Cost]:
        teams = self._teams(accounts)
        budgets = self._budgets(accounts, {t.name: t for t in teams})
        org = self.spec.organization
        return budgets, Cost(
            team_category=category_name(org.name, "ml_team"),
            line_of_business_category=category_name(org.name, "line_of_business"),
            default_category_value=self.default_value,
            teams=teams,
            lines_of_business=self._lines_of_business(accounts, {t.name: t for t in teams}),
            anomaly_threshold_usd=self.cost.anomaly_threshold_usd,
            activate_allocation_tags=self.cost.activate_allocation_tags,
            tag_keys=dict(COST_TAGS),
            tag_policy=self._tag_policy(accounts),
        )

    # -- who is alerted -------------------------------------------------------------------------

    def _teams(self, accounts: list[Account]) -> tuple[CostOwner, ...]:
        result = []
        for i, team in enumerate(self.spec.teams):
            keys = tuple(a.key for a in accounts if a.kind == "team" and a.team == team.name)
            own = self.team_budgets.get(team.name)
            leads = [member_email(m.user, m.email) for m in team.members if m.persona == LEAD_PERSONA]
            emails = _unique(list(own[1].alert_emails if own else []) + [e for e in leads if e])
            if len(emails) > MAX_ALERT_EMAILS:
                path = ("budgets", own[0], "alert_emails") if own else ("teams", i, "members")
                self.report.add(path, f"team {team.name!r} is alerted at {len(emails)} emails (its budget's alert_emails "
                                f"and its ml-team-lead members); AWS alerts at most {MAX_ALERT_EMAILS}")
            emails = emails or list(self.cost.alert_emails) or [a.email for a in accounts if a.key in keys]
            result.append(CostOwner(name=team.name, accounts=keys, alert_emails=tuple(emails)))
        return tuple(result)

    def _lines_of_business(self, accounts: list[Account], teams: dict[str, CostOwner]) -> tuple[CostOwner, ...]:
        result = []
        for i, lob in enumerate(self.spec.lines_of_business):
            keys = tuple(a.key for a in accounts if a.line_of_business == lob.name and a.kind in ("team", "data_domain"))
            if not keys:
                continue
            budgets = [b for b in self.spec.budgets if b.line_of_business == lob.name and b.team is None]
            emails = _unique(list(lob.owners) + [e for b in budgets for e in b.alert_emails])
            emails = emails or list(self.cost.alert_emails)
            if not emails:
                members = [t for t in self.spec.teams if t.line_of_business == lob.name]
                emails = _unique(e for t in members for e in teams[t.name].alert_emails) or [
                    a.email for a in accounts if a.key in keys]
                if len(emails) > MAX_ALERT_EMAILS:
                    self.report.add(("lines_of_business", i, "owners"), f"line of business {lob.name!r} names no owners, "
                                    f"and its teams' cost contacts are {len(emails)} emails; AWS alerts at most "
                                    f"{MAX_ALERT_EMAILS}: set owners, or cost.alert_emails")
            elif len(emails) > MAX_ALERT_EMAILS:
                self.report.add(("lines_of_business", i, "owners"), f"line of business {lob.name!r} is alerted at "
                                f"{len(emails)} emails (its owners and its budgets' alert_emails); AWS alerts at most "
                                f"{MAX_ALERT_EMAILS}")
            result.append(CostOwner(name=lob.name, accounts=keys, alert_emails=tuple(emails)))
        return tuple(result)

    # -- budgets --------------------------------------------------------------------------------

    def _budgets(self, accounts: list[Account], teams: dict[str, CostOwner]) -> tuple[Budget, ...]:
        owners = {lob.name: lob.owners for lob in self.spec.lines_of_business}
        result = []
        for i, budget in enumerate(self.spec.budgets):
            # a line of business's budget covers what its cost category counts: its teams' and data domains' accounts
            if budget.team:
                keys = tuple(a.key for a in accounts if a.kind == "team" and a.team == budget.team)
            else:
                keys = tuple(a.key for a in accounts if a.kind in ("team", "data_domain")
                             and a.line_of_business == budget.line_of_business)
            if budget.team is not None and budget.team in teams:
                emails = teams[budget.team].alert_emails
            else:
                emails = tuple(_unique(list(budget.alert_emails) + list(owners.get(budget.line_of_business or "", []))))
                if len(emails) > MAX_ALERT_EMAILS:
                    self.report.add(("budgets", i, "alert_emails"), f"budget {budget.name!r} is alerted at {len(emails)} "
                                    "emails (its alert_emails and its line of business's owners); AWS alerts at most "
                                    f"{MAX_ALERT_EMAILS}")
            result.append(Budget(name=budget.name, accounts=keys, monthly_limit_usd=budget.monthly_limit_usd,
                                 alert_thresholds=tuple(budget.alert_thresholds), alert_emails=emails,
                                 team=budget.team))
        by_key = {a.key: a for a in accounts}
        shares = self.cost.environment_shares
        for team in self.spec.teams:
            owner = teams[team.name]
            own = self.team_budgets.get(team.name)
            limit = own[1].monthly_limit_usd if own else self.cost.team_monthly_limit_usd
            thresholds = tuple(own[1].alert_thresholds if own else self.cost.alert_thresholds)
            if own is None:
                result.append(Budget(name=f"team-{team.name}", accounts=owner.accounts, monthly_limit_usd=limit,
                                     alert_thresholds=thresholds, alert_emails=owner.alert_emails, team=team.name))
            for key in owner.accounts:
                share = shares.get(by_key[key].environment)  # type: ignore[call-overload]
                if share is None:
                    continue
                result.append(Budget(name=f"account-{key}", accounts=(key,), monthly_limit_usd=round(limit * share / 100, 2),
                                     alert_thresholds=thresholds, alert_emails=owner.alert_emails, team=team.name,
                                     account=key))
        spec_names = {b.name: i for i, b in enumerate(self.spec.budgets)}
        for made in result[len(self.spec.budgets):]:
            if made.name in spec_names:
                what = f"account {made.account}" if made.account else f"team {made.team}"
                self.report.add(("budgets", spec_names[made.name], "name"),
                                f"{made.name!r} is the name of the budget mlplat makes for {what}; choose another")
        return tuple(result)

    # -- tag policy -----------------------------------------------------------------------------

    def _tag_policy(self, accounts: list[Account]) -> TagPolicy | None:
        targets = sorted({a.ou for a in accounts if a.kind == "team" and a.ou})
        if not targets:
            return None
        # the policy is inherited by the OUs beneath its targets: every account there must comply
        governed = [a for a in accounts if a.ou and any(a.ou == t or a.ou.startswith(f"{t}/") for t in targets)]
        values = {key: sorted({a.tags[key] for a in governed}) for key in COST_TAGS.values()}
        content = tag_policy_document(values, self.cost.tag_policy_enforced_for)
        if len(content) > TAG_POLICY_MAX_CHARACTERS:
            self.report.add(("teams",), f"the tag policy of {', '.join(targets)} would be {len(content):,} characters; "
                            f"AWS Organizations accepts {TAG_POLICY_MAX_CHARACTERS:,}. It lists the allowed values of "
                            f"{', '.join(sorted(values))} ({sum(len(v) for v in values.values())} values): use shorter "
                            "team, line of business or cost center names, or fewer cost centers")
        return TagPolicy(targets=tuple(targets), content=content)
