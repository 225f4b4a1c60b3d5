"""The central interface endpoints in the shared services account, resolvable from every spoke."""

from __future__ import annotations

from pydantic import field_validator

from mlplat.engine import Construct, aws
from mlplat.modules.foundations.network import defaults
from mlplat.modules.foundations.network.organization_share import OrganizationShare, OrganizationShareProps
from mlplat.modules.foundations.network.private_vpc import AttachedVpcProps, PrivateVpc


class EndpointHubProps(AttachedVpcProps):
    # Where the clients are (the CIDR pool, and any spoke pinned outside it): routed back, allowed in on 443.
    client_cidr_blocks: list[str]
    services: list[str]  # after com.amazonaws.<region>. (``studio`` for aws.sagemaker.<region>.studio)
    principal: str  # the organization's ARN: who receives the Route 53 Profile
    # Per service, the DNS names to serve (the first is the hosted zone); () for none.
    private_dns_names: dict[str, list[str]] = {}

    @field_validator("services")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("services must not repeat")
        return value


def endpoint_service_name(service: str, region: str) -> str:
    template = defaults.ENDPOINT_SERVICE_NAMES.get(service, defaults.ENDPOINT_SERVICE_NAME)
    return template.format(region=region, service=service)


def private_dns_names(service: str, region: str) -> tuple[str, ...]:
    """The names clients of ``service`` call, the hosted zone's first; empty when it gets no zone."""
    if service in defaults.PRIVATE_DNS_NAMES:
        return tuple(name.format(region=region) for name in defaults.PRIVATE_DNS_NAMES[service])
    return (".".join(reversed(service.split("."))) + f".{region}.amazonaws.com",)


def _slug(text: str) -> str:
    return text.replace(".", "-").replace("/", "-").replace("*", "wildcard")


class EndpointHub(Construct):
    """The hub VPC with the organization's interface endpoints, in the home region only.

    Creates a :class:`PrivateVpc` routing ``client_cidr_blocks`` back to the Transit Gateway; a
    security group admitting HTTPS from ``client_cidr_blocks`` only, with no egress rule (endpoints
    answer, they never call out); one interface endpoint per service in every subnet with private DNS
    disabled; per service, a private hosted zone with alias records to the endpoint (apex, plus a
    wildcard where clients call per-resource names: Studio domains, ECR registries); a Route 53
    Profile holding every zone, shared with the organization through RAM (no external principals),
    so that a spoke associating it resolves the services' public names to the central endpoints.
    S3 gets its endpoint but no zone: spokes use their own gateway endpoint for S3.
    """

    def __init__(self, scope: Construct, id: str, props: EndpointHubProps) -> None:
        super().__init__(scope, id)
        self.network = PrivateVpc(self, "network", props.private_vpc(list(props.client_cidr_blocks)))
        vpc_id = self.network.vpc_id

        self.security_group = aws.security_group.SecurityGroup(
            self, "endpoints-security-group",
            name=f"{props.name}-endpoints",
            description="Central interface endpoints: HTTPS from the organization's VPCs only",
            vpc_id=vpc_id,
            tags={"Name": f"{props.name}-endpoints"},
        )
        for cidr in props.client_cidr_blocks:
            aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
                self, "endpoints-https-in-" + _slug(cidr),
                security_group_id=self.security_group.id,
                description=f"HTTPS from the organization's VPCs in {cidr}",
                ip_protocol="tcp",
                from_port=defaults.HTTPS_PORT,
                to_port=defaults.HTTPS_PORT,
                cidr_ipv4=cidr,
                tags={"Name": f"{props.name}-endpoints-https-in"},
            )

        profile_name = f"{props.name}-endpoints"
        self.profile = aws.route53_profiles_profile.Route53ProfilesProfile(
            self, "dns-profile", name=profile_name, tags={"Name": profile_name})
        OrganizationShare(self, "dns-profile-share", OrganizationShareProps(
            name=profile_name, resource_arn=self.profile.arn, principal=props.principal))

        self.endpoints = {}
        for service in props.services:
            slug = _slug(service)
            endpoint = aws.vpc_endpoint.VpcEndpoint(
                self, f"endpoint-{slug}",
                vpc_id=vpc_id,
                service_name=endpoint_service_name(service, props.region),
                vpc_endpoint_type="Interface",
                private_dns_enabled=False,
                subnet_ids=self.network.subnet_ids,
                security_group_ids=[self.security_group.id],
                tags={"Name": f"{props.name}-{slug}"},
            )
            self.endpoints[service] = endpoint
            names = props.private_dns_names.get(service)
            names = tuple(names) if names is not None else private_dns_names(service, props.region)
            if not names:
                continue
            zone = aws.route53_zone.Route53Zone(
                self, f"zone-{slug}",
                name=names[0],
                comment=f"{service} through the central interface endpoint",
                vpc=[aws.route53_zone.Route53ZoneVpc(vpc_id=vpc_id)],
                tags={"Name": names[0]},
            )
            entry = endpoint.dns_entry.get(0)
            for name in names:
                suffix = "" if name == names[0] else "-" + _slug(name.removesuffix("." + names[0]))
                aws.route53_record.Route53Record(
                    self, f"record-{slug}{suffix}",
                    zone_id=zone.zone_id,
                    name=name,
                    type="A",
                    alias={"name": entry.dns_name, "zone_id": entry.hosted_zone_id, "evaluate_target_health": True},
                )
            aws.route53_profiles_resource_association.Route53ProfilesResourceAssociation(
                self, f"dns-profile-{slug}",
                name=slug,
                profile_id=self.profile.id,
                resource_arn=zone.arn,
            )

    @property
    def dns_profile_id(self) -> str:
        return self.profile.id

    @property
    def vpc_id(self) -> str:
        return self.network.vpc_id
