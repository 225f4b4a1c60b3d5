"""A team's CloudWatch dashboard in an ML observability account, over the metrics its accounts share."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.observability import defaults


class DashboardAccount(Props):
    """One of the team's accounts linked to this observability account."""

    label: str  # what the dashboard calls it: '<team> <environment>'
    account_id: str
    endpoints: list[str] = Field(default_factory=list)  # endpoint names the account runs


class TeamDashboardProps(Props):
    dashboard_name: str
    region: str
    accounts: list[DashboardAccount] = Field(min_length=1)
    alarm_arns: list[str] = Field(default_factory=list)  # the team's alarms in this account, shown first
    period_seconds: int = defaults.DASHBOARD_PERIOD_SECONDS
    provider: Any = None


class TeamDashboard(Construct):
    """A CloudWatch dashboard of one team, built from the metrics its accounts share through their links.

    For each account: training and processing jobs' CPU, memory and GPU utilization (searched per host,
    since jobs are named at run time), and for each endpoint its invocations with 4XX and 5XX errors, its
    model latency (p50, p90, p99) and its instances' CPU, memory, GPU and disk utilization. Every metric
    and search names the account it reads (``accountId``, ``:aws.AccountId``), so the dashboard shows
    exactly the team's accounts and nothing of another team's. The body is deterministic JSON.
    """

    def __init__(self, scope: Construct, id: str, props: TeamDashboardProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.body = dashboard_body(props)
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self, "dashboard", dashboard_name=props.dashboard_name, dashboard_body=self.body, **provider)
        self.arn: str = self.dashboard.dashboard_arn


def dashboard_body(props: TeamDashboardProps) -> str:
    """The dashboard's JSON: widgets in rows of three, a full-width header per account."""
    layout = _Layout()
    if props.alarm_arns:
        layout.full({"type": "alarm", "properties": {"title": "Alarms", "alarms": list(props.alarm_arns)}},
                     height=defaults.DASHBOARD_WIDGET_HEIGHT // 2)
    for account in props.accounts:
        layout.full({"type": "text", "properties": {"markdown": f"## {account.label} ({account.account_id})"}}, height=1)
        for title, namespace in defaults.JOB_NAMESPACES.items():
            for group, metrics in defaults.JOB_METRIC_GROUPS.items():
                searches = [{"id": f"e{i}", "expression": _search(namespace, metric, account.account_id,
                                                                   props.period_seconds), "label": metric}
                            for i, metric in enumerate(metrics, start=1)]
                layout.add(_graph(f"{title}: {group} (%)", searches, props))
        for endpoint in sorted(account.endpoints):
            dimensions = ["EndpointName", endpoint, "VariantName", defaults.VARIANT_NAME]
            traffic = [[defaults.ENDPOINT_NAMESPACE, m, *dimensions, {"accountId": account.account_id, "stat": "Sum"}]
                       for m in defaults.ENDPOINT_TRAFFIC_METRICS]
            latency = [[defaults.ENDPOINT_NAMESPACE, defaults.ENDPOINT_LATENCY_METRIC, *dimensions,
                        {"accountId": account.account_id, "stat": s, "label": f"{s} model latency"}]
                       for s in defaults.ENDPOINT_LATENCY_STATISTICS]
            instances = [[defaults.ENDPOINT_INSTANCE_NAMESPACE, m, *dimensions,
                          {"accountId": account.account_id, "stat": "Average"}]
                         for m in defaults.ENDPOINT_INSTANCE_METRICS]
            layout.add(_graph(f"{endpoint}: invocations and errors", traffic, props))
            layout.add(_graph(f"{endpoint}: model latency (microseconds)", latency, props))
            layout.add(_graph(f"{endpoint}: instances (%)", instances, props))
    return json.dumps({"widgets": layout.widgets}, sort_keys=True, separators=(",", ":"))


def _search(namespace: str, metric: str, account_id: str, period: int) -> str:
    return (f"SEARCH('{{\"{namespace}\",Host}} MetricName=\"{metric}\" :aws.AccountId=\"{account_id}\"', "
            f"'Average', {period})")


def _graph(title: str, metrics: list[Any], props: TeamDashboardProps) -> dict[str, Any]:
    return {"type": "metric", "properties": {
        "title": title, "region": props.region, "view": "timeSeries", "stacked": False,
        "period": props.period_seconds, "metrics": [[m] if isinstance(m, dict) else m for m in metrics]}}


class _Layout:
    """Places widgets left to right in rows of three, full-width ones on a row of their own."""

    def __init__(self) -> None:
        self.widgets: list[dict[str, Any]] = []
        self.x = 0
        self.y = 0

    def _newline(self) -> None:
        if self.x:
            self.x, self.y = 0, self.y + defaults.DASHBOARD_WIDGET_HEIGHT

    def full(self, widget: dict[str, Any], height: int) -> None:
        self._newline()
        self.widgets.append({**widget, "x": 0, "y": self.y, "width": 24, "height": height})
        self.y += height

    def add(self, widget: dict[str, Any]) -> None:
        width = defaults.DASHBOARD_WIDGET_WIDTH
        self.widgets.append({**widget, "x": self.x, "y": self.y, "width": width,
                             "height": defaults.DASHBOARD_WIDGET_HEIGHT})
        self.x += width
        if self.x >= 24:
            self._newline()
