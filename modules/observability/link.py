"""The sending end of CloudWatch cross-account observability in an ML workload account."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.observability import defaults


class ObservabilityLinkProps(Props):
    sink_arn: str  # the observability account's sink
    label_template: str = defaults.LINK_LABEL_TEMPLATE
    resource_types: list[str] = Field(default_factory=lambda: list(defaults.RESOURCE_TYPES))
    metric_filter: str = defaults.LINK_METRIC_FILTER
    log_group_filter: str = defaults.LINK_LOG_GROUP_FILTER
    provider: Any = None


class ObservabilityLink(Construct):
    """An OAM link from this account to an observability account's sink.

    Shares metrics, log groups and X-Ray traces, labelled with the account's name, and of those only the
    ML telemetry the filters let through (SageMaker's and its CI/CD's metric namespaces and log groups):
    the account's other logs and metrics stay in the account. The link is made by this account; the
    sink's policy decides whether it is accepted.
    """

    def __init__(self, scope: Construct, id: str, props: ObservabilityLinkProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        oam = aws.oam_link
        self.link = oam.OamLink(
            self, "link", sink_identifier=props.sink_arn, label_template=props.label_template,
            resource_types=sorted(props.resource_types),
            link_configuration=oam.OamLinkLinkConfiguration(
                metric_configuration=oam.OamLinkLinkConfigurationMetricConfiguration(filter=props.metric_filter),
                log_group_configuration=oam.OamLinkLinkConfigurationLogGroupConfiguration(
                    filter=props.log_group_filter)),
            **provider)
        self.arn: str = self.link.arn
