"""The organization's Transit Gateway, owned by the network account and shared with every account."""

from __future__ import annotations

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.network import defaults
from mlplat.modules.foundations.network.organization_share import OrganizationShare, OrganizationShareProps


class TransitHubProps(Props):
    name: str
    amazon_side_asn: int
    principal: str  # the organization's ARN: who may attach
    flow_log_destination_arn: str | None = None  # S3 bucket ARN for the gateway's flow logs
    auto_accept_shared_attachments: str = defaults.TRANSIT_GATEWAY["auto_accept_shared_attachments"]


class TransitHub(Construct):
    """A Transit Gateway in the home region (networking is home-region only), shared with the organization.

    Creates the gateway (private ASN, DNS support, default route table association and propagation,
    no VPN ECMP or multicast), a RAM share of it with the organization (no external principals) and,
    when a destination is given, flow logs of the gateway (all traffic, 60 s, Parquet, hourly
    Hive-compatible partitions) into the central log bucket.

    Attachments from organization accounts are accepted automatically: accepting them here would
    need their ids in this stack, which would then depend on every spoke that depends on it.
    Routing stays isolating because each spoke routes only the hub's CIDR to the gateway.
    ``transit_gateway_id`` is the gateway's id for the spokes and the hub.
    """

    def __init__(self, scope: Construct, id: str, props: TransitHubProps) -> None:
        super().__init__(scope, id)
        settings = {**defaults.TRANSIT_GATEWAY, "auto_accept_shared_attachments": props.auto_accept_shared_attachments}
        self.transit_gateway = aws.ec2_transit_gateway.Ec2TransitGateway(
            self, "transit-gateway",
            description=f"{props.name}: hub of the organization's VPCs",
            amazon_side_asn=props.amazon_side_asn,
            tags={"Name": props.name},
            **settings,
        )
        OrganizationShare(self, "share", OrganizationShareProps(
            name=props.name, resource_arn=self.transit_gateway.arn, principal=props.principal))
        if props.flow_log_destination_arn is not None:
            aws.flow_log.FlowLog(
                self, "flow-log",
                transit_gateway_id=self.transit_gateway.id,
                log_destination=props.flow_log_destination_arn,
                tags={"Name": props.name},
                **defaults.FLOW_LOG,
            )

    @property
    def transit_gateway_id(self) -> str:
        return self.transit_gateway.id
