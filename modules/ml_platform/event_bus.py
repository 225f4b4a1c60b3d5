"""The ML event bus: model package state changes of the organization's ML accounts, kept for audit."""

from __future__ import annotations

import json
from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.ml_platform import defaults


def bus_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account_id}:event-bus/{name}"


class ModelEventBusProps(Props):
    name: str
    account_id: str
    region: str
    organization_id: str
    # organization paths (o-.../r-.../ou-.../) of the OUs whose accounts may put events: the ML OUs
    sender_org_paths: list[str]
    key_arn: str  # the audit log group's key
    provider: Any = None


class ModelEventBus(Construct):
    """A custom EventBridge bus whose policy lets only principals of the organization, in accounts of
    the ML OUs, put events; and an audit log group (KMS, long retention) that receives every model
    package state change arriving on it or on this account's default bus (the central registry's
    approvals), with the log resource policy that lets EventBridge write there and nowhere else."""

    def __init__(self, scope: Construct, id: str, props: ModelEventBusProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.bus = aws.cloudwatch_event_bus.CloudwatchEventBus(self, "bus", name=props.name, kms_key_identifier=props.key_arn,
                                                               **provider)
        self.arn: str = bus_arn(props.region, props.account_id, props.name)
        aws.cloudwatch_event_bus_policy.CloudwatchEventBusPolicy(
            self, "policy", event_bus_name=self.bus.name, policy=policy_document([statement(
                "MlAccountsOfTheOrganizationPut", ["events:PutEvents"], [self.arn], principals={"AWS": "*"},
                conditions={"StringEquals": {"aws:PrincipalOrgID": props.organization_id},
                            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{p}*" for p in props.sender_org_paths]}},
            )]), **provider)
        log_group_name = f"/aws/events/{props.name}-audit"
        self.log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "audit-log", name=log_group_name, retention_in_days=defaults.AUDIT_LOG_RETENTION_DAYS,
            kms_key_id=props.key_arn, **provider)
        log_arn = f"arn:aws:logs:{props.region}:{props.account_id}:log-group:{log_group_name}"
        aws.cloudwatch_log_resource_policy.CloudwatchLogResourcePolicy(
            self, "audit-log-policy", policy_name=f"{props.name}-audit", policy_document=policy_document([statement(
                "EventBridgeWritesAudit", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_arn}:*"],
                principals={"Service": ["delivery.logs.amazonaws.com", "events.amazonaws.com"]},
                conditions={"StringEquals": {"aws:SourceAccount": props.account_id}})]), **provider)
        pattern = json.dumps({"source": [defaults.SAGEMAKER_EVENT_SOURCE],
                              "detail-type": [defaults.MODEL_PACKAGE_STATE_CHANGE]}, sort_keys=True)
        for bus_id, bus_name in (("ml-bus", self.bus.name), ("default-bus", None)):
            rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
                self, f"audit-{bus_id}", name=f"{props.name}-audit", event_bus_name=bus_name, event_pattern=pattern,
                description="Every model package state change, to the audit log", **provider)
            aws.cloudwatch_event_target.CloudwatchEventTarget(
                self, f"audit-{bus_id}-target", rule=rule.name, event_bus_name=bus_name, target_id="audit-log",
                arn=self.log_group.arn, **provider)
        self.audit_log_group_arn: str = log_arn
