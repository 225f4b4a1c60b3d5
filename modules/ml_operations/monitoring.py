"""Alerts of a team's deployed models: an encrypted topic and alarms per use case endpoint."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.ml_operations import defaults


class ModelAlertsProps(Props):
    team: str
    environment: str
    account_id: str
    key_arn: str
    endpoints: list[str]  # endpoint names the deploy template gives: '<team>-<use case>-<environment>'
    topic_name: str = defaults.ALERTS_TOPIC
    provider: Any = None


class ModelAlerts(Construct):
    """An SNS topic under the team key, which only CloudWatch alarms of this account may publish to, and
    for each endpoint an alarm on server errors and one on p90 model latency. The ML engineer persona
    subscribes to the topic (its permission set allows ``sns:Subscribe`` on it)."""

    def __init__(self, scope: Construct, id: str, props: ModelAlertsProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.topic = aws.sns_topic.SnsTopic(self, "topic", name=props.topic_name, kms_master_key_id=props.key_arn,
                                            **provider)
        topic_arn = self.topic.arn
        aws.sns_topic_policy.SnsTopicPolicy(self, "topic-policy", arn=topic_arn, policy=policy_document([
            statement("AccountAlarmsPublish", ["sns:Publish"], [topic_arn], principals={"Service": "cloudwatch.amazonaws.com"},
                      conditions={"StringEquals": {"aws:SourceAccount": props.account_id}}),
            statement("DenyInsecureTransport", ["sns:Publish"], [topic_arn], effect="Deny", principals={"AWS": "*"},
                      conditions={"Bool": {"aws:SecureTransport": "false"}}),
        ]), **provider)
        for endpoint in sorted(props.endpoints):
            dimensions = {"EndpointName": endpoint, "VariantName": defaults.VARIANT_NAME}
            common = dict(namespace="AWS/SageMaker", period=defaults.ALARM_PERIOD_SECONDS,
                          evaluation_periods=defaults.ALARM_EVALUATION_PERIODS, dimensions=dimensions,
                          alarm_actions=[topic_arn], ok_actions=[topic_arn], treat_missing_data="notBreaching")
            aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self, f"{endpoint}-errors", alarm_name=f"{endpoint}-5xx-errors",
                alarm_description=f"Server errors of endpoint {endpoint}", metric_name="Invocation5XXErrors",
                statistic="Sum", comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=defaults.ERROR_ALARM_THRESHOLD, **common, **provider)
            aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self, f"{endpoint}-latency", alarm_name=f"{endpoint}-model-latency",
                alarm_description=f"p90 model latency of endpoint {endpoint}", metric_name="ModelLatency",
                extended_statistic="p90", comparison_operator="GreaterThanThreshold",
                threshold=defaults.LATENCY_ALARM_THRESHOLD_MICROSECONDS, **common, **provider)
        self.topic_arn: str = topic_arn
