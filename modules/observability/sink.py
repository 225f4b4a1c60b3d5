"""The receiving end of CloudWatch cross-account observability in an ML observability account."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.observability import defaults


class ObservabilitySinkProps(Props):
    name: str
    organization_id: str
    source_account_ids: list[str] = Field(min_length=1)  # the accounts that link to this sink
    resource_types: list[str] = Field(default_factory=lambda: list(defaults.RESOURCE_TYPES))
    provider: Any = None


class ObservabilitySink(Construct):
    """An OAM sink (the monitoring account's end of CloudWatch cross-account observability) and its policy.

    The sink policy lets only the named source accounts, and only while they belong to the organization
    (``aws:PrincipalOrgID``), create or update a link, and only for metrics, log groups and traces: a link
    asking for any other resource type is refused. ``arn`` is read through the policy, so that links wait
    until the policy admits them.
    """

    def __init__(self, scope: Construct, id: str, props: ObservabilitySinkProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.sink = aws.oam_sink.OamSink(self, "sink", name=props.name, **provider)
        sources = [f"arn:{defaults.PARTITION}:iam::{a}:root" for a in props.source_account_ids]
        self.policy = aws.oam_sink_policy.OamSinkPolicy(
            self, "policy", sink_identifier=self.sink.arn, policy=policy_document([statement(
                "OrganizationSourcesLink", defaults.LINK_ACTIONS, "*", principals={"AWS": sources},
                conditions={"StringEquals": {"aws:PrincipalOrgID": props.organization_id},
                            "ForAllValues:StringEquals": {"oam:ResourceTypes": sorted(props.resource_types)}},
            )]), **provider)
        self.arn: str = self.policy.sink_identifier
