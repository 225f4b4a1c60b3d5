"""The security group of a team's endpoints in test or prod."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props

HTTPS = 443


class EndpointNetworkProps(Props):
    name: str
    vpc_id: str
    endpoint_cidr_blocks: list[str]  # the hub VPC, where the interface endpoints are
    s3_prefix_list_id: str
    provider: Any = None


class EndpointNetwork(Construct):
    """A security group for the team's models and monitoring jobs: traffic among themselves, and HTTPS
    to the central interface endpoints and to S3 through the gateway endpoint, nothing else."""

    def __init__(self, scope: Construct, id: str, props: EndpointNetworkProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        group = aws.security_group.SecurityGroup(
            self, "security-group", name=props.name, vpc_id=props.vpc_id, tags={"Name": props.name},
            description="SageMaker endpoints and jobs: each other, and HTTPS to the VPC endpoints only", **provider)
        sg = self.security_group_id = group.id
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self, "from-itself", security_group_id=sg, referenced_security_group_id=sg, ip_protocol="-1",
            description="Instances of the same endpoints and jobs", **provider)
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, "to-itself", security_group_id=sg, referenced_security_group_id=sg, ip_protocol="-1",
            description="Instances of the same endpoints and jobs", **provider)
        for i, cidr in enumerate(props.endpoint_cidr_blocks):
            aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
                self, f"to-endpoints-{i}", security_group_id=sg, cidr_ipv4=cidr, ip_protocol="tcp", from_port=HTTPS,
                to_port=HTTPS, description="HTTPS to the central VPC endpoints", **provider)
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, "to-s3", security_group_id=sg, prefix_list_id=props.s3_prefix_list_id, ip_protocol="tcp",
            from_port=HTTPS, to_port=HTTPS, description="HTTPS to S3 through the gateway endpoint", **provider)
