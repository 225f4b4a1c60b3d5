"""Central alerts on the teams' endpoints, evaluated in an ML observability account."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.observability import defaults
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps, cloudwatch_alarms_publish


class AlertsKeyProps(Props):
    alias: str  # 'alias/...'
    account_id: str
    provider: Any = None


class AlertsKey(Construct):
    """The KMS key of an observability account's alert topics (a :class:`CustomerKey`: rotation on,
    administered through the account's IAM), which CloudWatch alarms of this account only may use to
    publish."""

    def __init__(self, scope: Construct, id: str, props: AlertsKeyProps) -> None:
        super().__init__(scope, id)
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.alias, description="Alert topics of the ML observability account", account_id=props.account_id,
            policy_statements=[cloudwatch_alarms_publish(props.account_id)],
            provider=props.provider))
        self.arn: str = self.key.arn


class WatchedEndpoint(Props):
    """An endpoint of a team account that the observability account watches."""

    name: str  # '<team>-<use case>-<environment>'
    account_id: str  # the team account it runs in


class TeamAlertsProps(Props):
    team: str
    account_id: str  # the observability account
    key_arn: str  # an AlertsKey
    endpoints: list[WatchedEndpoint] = Field(default_factory=list)
    topic_name: str | None = None  # default '<team>-ml-alerts'
    error_threshold: float = defaults.ERROR_ALARM_THRESHOLD
    latency_threshold_microseconds: float = defaults.LATENCY_ALARM_THRESHOLD_MICROSECONDS
    period_seconds: int = defaults.ALARM_PERIOD_SECONDS
    evaluation_periods: int = defaults.ALARM_EVALUATION_PERIODS
    provider: Any = None


class TeamAlerts(Construct):
    """A team's alert topic in an observability account and cross-account alarms on its endpoints.

    The topic is encrypted with the account's alerts key; its policy lets only CloudWatch alarms of this
    account publish, over TLS. For each endpoint, two alarms read the team account's metrics through the
    OAM link (``account_id`` in the metric query): server errors and p90 model latency, with the thresholds
    of the team account's own alarms. Central operations subscribe to the topic (outside mlplat).
    """

    def __init__(self, scope: Construct, id: str, props: TeamAlertsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.topic = aws.sns_topic.SnsTopic(
            self, "topic", name=props.topic_name or defaults.ALERTS_TOPIC.format(team=props.team),
            kms_master_key_id=props.key_arn, **provider)
        topic_arn = self.topic.arn
        aws.sns_topic_policy.SnsTopicPolicy(self, "topic-policy", arn=topic_arn, policy=policy_document([
            statement("AccountAlarmsPublish", ["sns:Publish"], [topic_arn],
                      principals={"Service": defaults.CLOUDWATCH_PRINCIPAL},
                      conditions={"StringEquals": {"aws:SourceAccount": props.account_id}}),
            statement("DenyInsecureTransport", ["sns:Publish"], [topic_arn], effect="Deny", principals={"AWS": "*"},
                      conditions={"Bool": {"aws:SecureTransport": "false"}}),
        ]), **provider)
        alarm = aws.cloudwatch_metric_alarm
        self.alarm_arns: list[str] = []
        for endpoint in sorted(props.endpoints, key=lambda e: e.name):
            dimensions = {"EndpointName": endpoint.name, "VariantName": defaults.VARIANT_NAME}
            watched = (
                ("errors", "5xx-errors", f"Server errors of endpoint {endpoint.name}", "Invocation5XXErrors", "Sum",
                 "GreaterThanOrEqualToThreshold", props.error_threshold),
                ("latency", "model-latency", f"p90 model latency of endpoint {endpoint.name}", "ModelLatency", "p90",
                 "GreaterThanThreshold", props.latency_threshold_microseconds),
            )
            for key, suffix, description, metric, stat, comparison, threshold in watched:
                resource = alarm.CloudwatchMetricAlarm(
                    self, f"{endpoint.name}-{key}", alarm_name=f"{endpoint.name}-{suffix}", alarm_description=description,
                    comparison_operator=comparison, threshold=threshold, evaluation_periods=props.evaluation_periods,
                    treat_missing_data="notBreaching", alarm_actions=[topic_arn], ok_actions=[topic_arn],
                    metric_query=[alarm.CloudwatchMetricAlarmMetricQuery(
                        id="m1", account_id=endpoint.account_id, return_data=True,
                        metric=alarm.CloudwatchMetricAlarmMetricQueryMetric(
                            namespace=defaults.ENDPOINT_NAMESPACE, metric_name=metric, dimensions=dimensions,
                            stat=stat, period=props.period_seconds))],
                    **provider)
                self.alarm_arns.append(resource.arn)
        self.topic_arn: str = topic_arn
