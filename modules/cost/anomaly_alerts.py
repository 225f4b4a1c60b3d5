"""Cost anomaly detection for one value of a cost category (a team, a line of business), alerting by email."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults


class CostAnomalyAlertsProps(Props):
    name: str  # of the monitor and of the subscription
    cost_category: str  # the category's name (a reference to it, so that the monitor waits for it)
    value: str
    emails: list[str] = Field(min_length=1, max_length=10)
    threshold_usd: float = Field(gt=0)
    provider: Any = None


class CostAnomalyAlerts(Construct):
    """A CUSTOM ``aws_ce_anomaly_monitor`` over one cost category value and its ``aws_ce_anomaly_subscription``.

    The subscription sends a daily email digest of the anomalies whose total impact reaches the threshold
    (in US dollars) to the given people. Email needs no topic or key in the management account; Cost
    Anomaly Detection reaches people directly.
    """

    def __init__(self, scope: Construct, id: str, props: CostAnomalyAlertsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        specification = {"And": None, "CostCategories": {"Key": props.cost_category, "MatchOptions": None,
                                                         "Values": [props.value]},
                         "Dimensions": None, "Not": None, "Or": None, "Tags": None}
        self.monitor = aws.ce_anomaly_monitor.CeAnomalyMonitor(
            self, "monitor", name=props.name, monitor_type=defaults.ANOMALY_MONITOR_TYPE,
            monitor_specification=json.dumps(specification, separators=(",", ":")), **provider)
        subscription = aws.ce_anomaly_subscription
        subscription.CeAnomalySubscription(
            self, "subscription", name=props.name, frequency=defaults.ANOMALY_FREQUENCY,
            monitor_arn_list=[self.monitor.arn],
            subscriber=[subscription.CeAnomalySubscriptionSubscriber(type=defaults.ANOMALY_SUBSCRIBER_TYPE, address=e)
                        for e in props.emails],
            threshold_expression=subscription.CeAnomalySubscriptionThresholdExpression(
                dimension=subscription.CeAnomalySubscriptionThresholdExpressionDimension(
                    key=defaults.ANOMALY_THRESHOLD_KEY, match_options=[defaults.ANOMALY_THRESHOLD_MATCH],
                    values=[f"{props.threshold_usd:g}"])),
            **provider)
