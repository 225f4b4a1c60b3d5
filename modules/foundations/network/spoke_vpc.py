"""A workload account's VPC: isolated from the other spokes, reaching AWS through the hub and S3 directly."""

from __future__ import annotations

from mlplat.engine import Construct, aws
from mlplat.modules.base import policy_document, statement
from mlplat.modules.foundations.network import defaults
from mlplat.modules.foundations.network.private_vpc import AttachedVpcProps, PrivateVpc


class SpokeVpcProps(AttachedVpcProps):
    hub_cidr_block: str  # the only destination routed to the Transit Gateway
    dns_profile_id: str  # the Route 53 Profile of the central endpoints
    organization_id: str  # S3 gateway endpoint: principals and buckets of this organization only
    # AWS-owned objects readable through the S3 gateway endpoint; default: defaults.AWS_OWNED_OBJECT_ARNS.
    aws_owned_object_arns: list[str] | None = None


def s3_endpoint_policy(organization_id: str, aws_owned_object_arns: list[str]) -> str:
    """Organization identities to organization buckets, plus reads of the listed AWS-owned objects."""
    return policy_document([
        statement("OrganizationPrincipalsToOrganizationBuckets", ["s3:*"], "*", principals={"AWS": "*"},
                  conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id,
                                               "aws:ResourceOrgID": organization_id}}),
        # No principal condition: ECR layers come through URLs presigned by ECR and package
        # repositories are read anonymously.
        statement("AwsOwnedObjects", ["s3:GetObject"], sorted(aws_owned_object_arns), principals={"AWS": "*"}),
    ])


class SpokeVpc(Construct):
    """A spoke VPC of a workload account, in the home region only.

    Creates a :class:`PrivateVpc` that routes only the hub VPC's CIDR to the Transit Gateway, so a
    spoke reaches the central endpoints and never another spoke (the other spokes' CIDRs have no
    route, in either direction). Adds an S3 gateway endpoint on the route table (gateway endpoints
    cannot be reached across a Transit Gateway) whose policy admits only the organization's
    principals, acting on the organization's buckets or reading the AWS-owned objects ML workloads
    need (ECR image layers, Amazon Linux repositories, JumpStart artifacts); and associates the
    central Route 53 Profile so the AWS service names resolve to the hub's endpoints.
    """

    def __init__(self, scope: Construct, id: str, props: SpokeVpcProps) -> None:
        super().__init__(scope, id)
        self.network = PrivateVpc(self, "network", props.private_vpc([props.hub_cidr_block]))
        owned = props.aws_owned_object_arns
        if owned is None:
            owned = [arn.format(region=props.region) for arn in defaults.AWS_OWNED_OBJECT_ARNS]
        self.s3_endpoint = aws.vpc_endpoint.VpcEndpoint(
            self, "s3-gateway-endpoint",
            vpc_id=self.network.vpc_id,
            service_name=defaults.ENDPOINT_SERVICE_NAME.format(region=props.region, service="s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.network.route_table_id],
            policy=s3_endpoint_policy(props.organization_id, owned),
            tags={"Name": f"{props.name}-s3"},
        )
        aws.route53_profiles_association.Route53ProfilesAssociation(
            self, "dns-profile",
            name=props.name,
            profile_id=props.dns_profile_id,
            resource_id=self.network.vpc_id,
            tags={"Name": props.name},
        )

    @property
    def vpc_id(self) -> str:
        return self.network.vpc_id

    @property
    def subnet_ids(self) -> list[str]:
        return self.network.subnet_ids

    @property
    def s3_prefix_list_id(self) -> str:
        """The prefix list of S3 behind the gateway endpoint, for security group rules."""
        return self.s3_endpoint.prefix_list_id
