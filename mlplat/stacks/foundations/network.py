"""Placement of the hub-and-spoke network (module 1), in the home region only.

The network account owns the Transit Gateway and shares it with the organization; the shared
services account holds the hub VPC with the central interface endpoints and the Route 53 Profile
that makes them resolvable; every account whose network role is ``spoke`` gets a VPC attached to
the gateway that routes only the hub's CIDR there. Accounts with role ``none`` get no VPC.

Reads ``organization_arn``, ``organization_id`` and ``log_bucket_arn`` exported by the stacks before this
one; exports ``transit_gateway_id`` (network stack) and ``dns_profile_id`` (shared services stack), and
keeps each spoke's VPC for the placements that put workloads in it (same stack).
Stacks depend network -> hub -> spokes and never back: the gateway accepts attachments on its own,
so it needs nothing from the VPCs attached to it.
"""

from __future__ import annotations

import ipaddress

from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.network.endpoint_hub import EndpointHub, EndpointHubProps
    from mlplat.modules.foundations.network.spoke_vpc import SpokeVpc, SpokeVpcProps
    from mlplat.modules.foundations.network.transit_hub import TransitHub, TransitHubProps

    org, shared = stacks.org, stacks.shared
    network = org.network
    region = org.home_region

    transit = stacks.for_account(network.transit_account)
    if transit.built:
        transit.provider(region)  # the default provider every resource here uses
        transit_hub = TransitHub(transit.scope, "transit-hub", TransitHubProps(
            name=f"{org.name}-transit-gateway",
            amazon_side_asn=network.transit_gateway_asn,
            principal=transit.value("organization_arn"),
            flow_log_destination_arn=transit.value("log_bucket_arn"),
        ))
        transit.export("transit_gateway_id", transit_hub.transit_gateway_id)

    hub = stacks.for_account(network.hub_account)
    hub_cidr = stacks.hub_cidr
    spokes = [h for h in stacks.accounts() if h.account.network == "spoke"]
    if hub.built:
        hub.provider(region)
        # the pool, plus any spoke pinned outside it, is where the endpoints' clients are
        clients = ipaddress.collapse_addresses(
            [ipaddress.IPv4Network(network.cidr_pool)]
            + [ipaddress.IPv4Network(_vpc_cidr(h.account.vpc_cidr, h.account.key)) for h in spokes])
        endpoint_hub = EndpointHub(hub.scope, "endpoint-hub", EndpointHubProps(
            name=hub.account.name,
            region=region,
            cidr_block=hub_cidr,
            availability_zones=network.availability_zones,
            transit_gateway_id=hub.value("transit_gateway_id"),
            client_cidr_blocks=[str(block) for block in clients],
            services=list(network.interface_endpoints),
            flow_log_destination_arn=hub.value("log_bucket_arn"),
            principal=hub.value("organization_arn"),
        ))
        hub.export("dns_profile_id", endpoint_hub.dns_profile_id)

    for handle in spokes:
        if not handle.built:
            continue
        account = handle.account
        handle.provider(region)
        shared.spokes[account.key] = SpokeVpc(handle.scope, "spoke-vpc", SpokeVpcProps(
            name=account.name,
            region=region,
            cidr_block=_vpc_cidr(account.vpc_cidr, account.key),
            availability_zones=network.availability_zones,
            transit_gateway_id=handle.value("transit_gateway_id"),
            hub_cidr_block=hub_cidr,
            dns_profile_id=handle.value("dns_profile_id"),
            organization_id=handle.value("organization_id"),
            flow_log_destination_arn=handle.value("log_bucket_arn"),
        ))


def _vpc_cidr(cidr: str | None, key: str) -> str:
    if cidr is None:  # the resolver allocates one to every hub and spoke
        raise RuntimeError(f"account {key!r} has a VPC but no vpc_cidr")
    return cidr
