"""The body every VPC of the network shares: private subnets, one route table, a Transit Gateway attachment."""

from __future__ import annotations

import ipaddress

from pydantic import field_validator, model_validator

from mlplat.engine import Construct, aws, core
from mlplat.modules.base import Props
from mlplat.modules.foundations.network import defaults


class AttachedVpcProps(Props):
    """What every VPC attached to the Transit Gateway is given: the hub's and each spoke's props extend it."""

    name: str
    region: str
    cidr_block: str
    availability_zones: int
    transit_gateway_id: str
    flow_log_destination_arn: str  # S3 bucket ARN
    # Literal AZ ids (e.g. euw1-az1); default: the lowest zone ids among the zones <region>a to <region>f.
    availability_zone_ids: list[str] | None = None

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        network = ipaddress.IPv4Network(value)
        if network.prefixlen + defaults.SUBNET_SPLIT_BITS > 28:
            raise ValueError(
                f"{value} is too small to hold {defaults.MAX_AVAILABILITY_ZONES} subnets of at least /28")
        return str(network)

    @model_validator(mode="after")
    def _zones(self) -> AttachedVpcProps:
        if not 1 <= self.availability_zones <= defaults.MAX_AVAILABILITY_ZONES:
            raise ValueError(f"availability_zones must be 1 to {defaults.MAX_AVAILABILITY_ZONES}")
        if self.availability_zone_ids is not None and len(self.availability_zone_ids) != self.availability_zones:
            raise ValueError("availability_zone_ids must name one zone id per availability zone")
        return self

    def private_vpc(self, transit_gateway_destinations: list[str]) -> PrivateVpcProps:
        """The props of the VPC body, routing ``transit_gateway_destinations`` to the Transit Gateway."""
        common = {name: getattr(self, name) for name in AttachedVpcProps.model_fields}
        return PrivateVpcProps(**common, transit_gateway_destinations=list(transit_gateway_destinations))


class PrivateVpcProps(AttachedVpcProps):
    transit_gateway_destinations: list[str]  # CIDRs routed to the Transit Gateway


def subnet_cidrs(cidr_block: str, count: int) -> list[str]:
    """The first ``count`` quarters of the VPC CIDR (literal, so the plan shows them)."""
    quarters = ipaddress.IPv4Network(cidr_block).subnets(prefixlen_diff=defaults.SUBNET_SPLIT_BITS)
    return [str(net) for net, _ in zip(quarters, range(count))]


class PrivateVpc(Construct):
    """A private VPC attached to the Transit Gateway, in the home region (networking is home-region only).

    Creates the VPC (DNS support and hostnames), one private subnet per AZ (no public IPs; AZs by
    zone id, see ``defaults.AVAILABILITY_ZONE_LETTERS``), one route table for all subnets routing
    only ``transit_gateway_destinations`` to the Transit Gateway, the gateway attachment in those
    subnets (DNS support, no appliance mode, no IPv6), flow logs of all traffic into the central log
    bucket (60 s, Parquet, hourly Hive-compatible partitions) and the VPC's default security group
    stripped of every rule.
    No internet gateway and no NAT gateway exist: the VPC reaches nothing but what it routes.
    """

    def __init__(self, scope: Construct, id: str, props: PrivateVpcProps) -> None:
        super().__init__(scope, id)
        self.vpc = aws.vpc.Vpc(
            self, "vpc",
            cidr_block=props.cidr_block,
            enable_dns_support=defaults.ENABLE_DNS_SUPPORT,
            enable_dns_hostnames=defaults.ENABLE_DNS_HOSTNAMES,
            tags={"Name": props.name},
        )
        # Without rules, the default security group denies everything; nothing may use it.
        # each attribute read is a round trip to the engine: read once, keep the token
        self.vpc_id = vpc_id = self.vpc.id
        aws.default_security_group.DefaultSecurityGroup(
            self, "default-security-group", vpc_id=vpc_id, tags={"Name": f"{props.name}-default"})

        zone_ids = props.availability_zone_ids
        if zone_ids is None:
            names = [f"{props.region}{letter}" for letter in defaults.AVAILABILITY_ZONE_LETTERS]
            zones = aws.data_aws_availability_zones.DataAwsAvailabilityZones(
                self, "zones",
                filter=[aws.data_aws_availability_zones.DataAwsAvailabilityZonesFilter(name="zone-name", values=names)])
            sorted_ids = core.Fn.sort(zones.zone_ids)
            zone_ids = [core.Fn.element(sorted_ids, i) for i in range(props.availability_zones)]

        self.route_table = aws.route_table.RouteTable(
            self, "route-table", vpc_id=vpc_id, tags={"Name": f"{props.name}-private"})
        self.route_table_id = route_table_id = self.route_table.id
        self.subnets = []
        self.subnet_ids: list[str] = []
        for i, (cidr, zone_id) in enumerate(zip(subnet_cidrs(props.cidr_block, props.availability_zones), zone_ids)):
            subnet = aws.subnet.Subnet(
                self, f"subnet-{i}",
                vpc_id=vpc_id,
                cidr_block=cidr,
                availability_zone_id=zone_id,
                map_public_ip_on_launch=defaults.MAP_PUBLIC_IP_ON_LAUNCH,
                tags={"Name": f"{props.name}-private-{i}"},
            )
            subnet_id = subnet.id
            aws.route_table_association.RouteTableAssociation(
                self, f"subnet-{i}-route-table", subnet_id=subnet_id, route_table_id=route_table_id)
            self.subnets.append(subnet)
            self.subnet_ids.append(subnet_id)

        self.attachment = aws.ec2_transit_gateway_vpc_attachment.Ec2TransitGatewayVpcAttachment(
            self, "transit-gateway-attachment",
            transit_gateway_id=props.transit_gateway_id,
            vpc_id=vpc_id,
            subnet_ids=list(self.subnet_ids),
            tags={"Name": props.name},
            **defaults.TRANSIT_GATEWAY_ATTACHMENT,
        )
        for destination in props.transit_gateway_destinations:
            aws.route.Route(
                self, "route-" + destination.replace(".", "-").replace("/", "-"),
                route_table_id=route_table_id,
                destination_cidr_block=destination,
                transit_gateway_id=props.transit_gateway_id,
                # the gateway accepts routes to it only once this VPC is attached
                depends_on=[self.attachment],
            )

        aws.flow_log.FlowLog(
            self, "flow-log",
            vpc_id=vpc_id,
            traffic_type=defaults.VPC_FLOW_LOG_TRAFFIC_TYPE,
            log_destination=props.flow_log_destination_arn,
            tags={"Name": props.name},
            **defaults.FLOW_LOG,
        )

