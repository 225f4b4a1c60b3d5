"""The security group of a spoke's ML workloads: each other, and HTTPS to the VPC endpoints only."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.network import defaults


class WorkloadSecurityGroupProps(Props):
    name: str
    description: str
    vpc_id: str
    endpoint_cidr_blocks: list[str]  # where the interface endpoints are (the hub VPC)
    s3_prefix_list_id: str  # the spoke's S3 gateway endpoint
    provider: Any = None


class WorkloadSecurityGroup(Construct):
    """A security group whose members reach each other (any protocol: Studio apps and their EFS,
    distributed jobs, endpoint instances) and, outside the group, only HTTPS to the central interface
    endpoints and to S3 through the gateway endpoint. Nothing else, in or out."""

    def __init__(self, scope: Construct, id: str, props: WorkloadSecurityGroupProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        group = aws.security_group.SecurityGroup(
            self, "security-group", name=props.name, vpc_id=props.vpc_id, description=props.description,
            tags={"Name": props.name}, **provider)
        sg = self.security_group_id = group.id
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self, "from-itself", security_group_id=sg, referenced_security_group_id=sg, ip_protocol="-1",
            description="Members of the group", **provider)
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, "to-itself", security_group_id=sg, referenced_security_group_id=sg, ip_protocol="-1",
            description="Members of the group", **provider)
        https = defaults.HTTPS_PORT
        for i, cidr in enumerate(props.endpoint_cidr_blocks):
            aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
                self, f"to-endpoints-{i}", security_group_id=sg, cidr_ipv4=cidr, ip_protocol="tcp", from_port=https,
                to_port=https, description="HTTPS to the central VPC endpoints", **provider)
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, "to-s3", security_group_id=sg, prefix_list_id=props.s3_prefix_list_id, ip_protocol="tcp",
            from_port=https, to_port=https, description="HTTPS to S3 through the gateway endpoint", **provider)
