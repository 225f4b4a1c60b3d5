"""The hub-and-spoke network of the enterprise example: Transit Gateway, endpoint hub, isolated spokes.

Synthesized once for the module with the network placement only; the shared values the earlier
placements would set (organization, log archive, account ids) are literal fakes.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlplat import engine, resolve, spec
from mlplat.stacks.context import StackSet

ROOT = Path(__file__).parents[4]
ORG_ID = "o-abc123def4"
ORG_ARN = f"arn:aws:organizations::210987654321:organization/{ORG_ID}"
LOG_BUCKET_ARN = "arn:aws:s3:::northbank-log-archive-fake"
SERVICES = ("sagemaker.api", "sagemaker.runtime", "sagemaker.featurestore-runtime", "studio", "sts", "s3",
            "ecr.api", "ecr.dkr", "kms", "logs", "monitoring", "glue", "servicecatalog")
ZONES = {
    "sagemaker.api": "api.sagemaker.eu-west-1.amazonaws.com",
    "sagemaker.runtime": "runtime.sagemaker.eu-west-1.amazonaws.com",
    "sagemaker.featurestore-runtime": "featurestore-runtime.sagemaker.eu-west-1.amazonaws.com",
    "studio": "studio.eu-west-1.sagemaker.aws",
    "sts": "sts.eu-west-1.amazonaws.com",
    "ecr.api": "api.ecr.eu-west-1.amazonaws.com",
    "ecr.dkr": "dkr.ecr.eu-west-1.amazonaws.com",
    "kms": "kms.eu-west-1.amazonaws.com",
    "logs": "logs.eu-west-1.amazonaws.com",
    "monitoring": "monitoring.eu-west-1.amazonaws.com",
    "glue": "glue.eu-west-1.amazonaws.com",
    "servicecatalog": "servicecatalog.eu-west-1.amazonaws.com",
}


def assume_exports(stacks: StackSet) -> None:
    """What the organization and log archive stacks would export, as literals."""
    for i, account in enumerate(stacks.org.accounts):
        if ("account_id", account.key) in stacks.exports:
            stacks.assume("account_id", f"1000000000{i:02d}", account.key)
    stacks.assume("organization_id", ORG_ID)
    stacks.assume("organization_arn", ORG_ARN)
    stacks.assume("log_bucket_arn", LOG_BUCKET_ARN)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    org = resolve.resolve(spec.load(ROOT / "examples" / "enterprise" / "mlplat.yaml"))
    out = tmp_path_factory.mktemp("network")
    app = engine.new_app(out)
    stacks = StackSet(app, org)
    assume_exports(stacks)

    from mlplat.stacks.foundations import network

    network.place(stacks)
    app.synth()
    return org, stacks, out


def _stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def _resources(document: dict, kind: str) -> list[dict]:
    return list(document.get("resource", {}).get(kind, {}).values())


def _only(document: dict, kind: str) -> dict:
    found = _resources(document, kind)
    assert len(found) == 1, f"{kind}: {len(found)}"
    return found[0]


def _address(document: dict, kind: str, body: dict) -> str:
    name = next(n for n, b in document["resource"][kind].items() if b is body)
    return f"{kind}.{name}"


def test_network_stack_shares_the_transit_gateway_with_the_organization(synth) -> None:
    _, stacks, out = synth
    document = _stack(out, "northbank-network")
    tgw = _only(document, "aws_ec2_transit_gateway")
    assert tgw["amazon_side_asn"] == 64512
    assert tgw["auto_accept_shared_attachments"] == "enable"
    assert tgw["default_route_table_association"] == tgw["default_route_table_propagation"] == "enable"
    assert tgw["dns_support"] == "enable"
    tgw_address = _address(document, "aws_ec2_transit_gateway", tgw)
    share = _only(document, "aws_ram_resource_share")
    assert share["allow_external_principals"] is False
    assert _only(document, "aws_ram_resource_association")["resource_arn"] == f"${{{tgw_address}.arn}}"
    assert _only(document, "aws_ram_principal_association")["principal"] == ORG_ARN
    flow_log = _only(document, "aws_flow_log")
    assert flow_log["transit_gateway_id"] == f"${{{tgw_address}.id}}"
    assert flow_log["log_destination"] == LOG_BUCKET_ARN
    assert "traffic_type" not in flow_log  # the API refuses it for a Transit Gateway
    assert document["output"]["transit_gateway_id"]["value"] == f"${{{tgw_address}.id}}"
    assert stacks.made("transit_gateway_id") and stacks.made("dns_profile_id")


def test_hub_has_one_private_dns_disabled_endpoint_per_service(synth) -> None:
    _, _, out = synth
    document = _stack(out, "northbank-shared-services")
    assert _only(document, "aws_vpc")["cidr_block"] == "10.0.0.0/22"
    endpoints = _resources(document, "aws_vpc_endpoint")
    expected = [f"com.amazonaws.eu-west-1.{s}" for s in SERVICES if s != "studio"]
    expected.append("aws.sagemaker.eu-west-1.studio")
    assert sorted(e["service_name"] for e in endpoints) == sorted(expected)
    for endpoint in endpoints:
        assert endpoint["vpc_endpoint_type"] == "Interface"
        assert endpoint["private_dns_enabled"] is False
        assert len(endpoint["subnet_ids"]) == 3 and len(endpoint["security_group_ids"]) == 1


def test_hub_endpoints_admit_https_from_the_pool_only(synth) -> None:
    _, _, out = synth
    document = _stack(out, "northbank-shared-services")
    group = _only(document, "aws_security_group")
    assert "ingress" not in group and "egress" not in group
    rule = _only(document, "aws_vpc_security_group_ingress_rule")
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
    assert rule["cidr_ipv4"] == "10.0.0.0/12"
    assert rule["description"]
    assert not _resources(document, "aws_vpc_security_group_egress_rule")
    route = _only(document, "aws_route")
    assert route["destination_cidr_block"] == "10.0.0.0/12"
    assert "northbank-network" in route["transit_gateway_id"]


def test_hub_zones_alias_the_endpoints_and_join_the_shared_profile(synth) -> None:
    _, _, out = synth
    document = _stack(out, "northbank-shared-services")
    zones = _resources(document, "aws_route53_zone")
    assert sorted(z["name"] for z in zones) == sorted(ZONES.values())  # none for s3: spokes use their gateway
    for zone in zones:
        assert len(zone["vpc"]) == 1  # private, in the hub VPC
    records = _resources(document, "aws_route53_record")
    by_name = {r["name"]: r for r in records}
    assert sorted(by_name) == sorted([*ZONES.values(), "*.studio.eu-west-1.sagemaker.aws",
                                      "*.dkr.ecr.eu-west-1.amazonaws.com"])
    for record in records:
        assert record["type"] == "A"
        assert record["alias"]["name"].endswith(".dns_entry[0].dns_name}")
        assert record["alias"]["zone_id"].endswith(".dns_entry[0].hosted_zone_id}")
    assert "endpoint-ecr-dkr" in by_name["*.dkr.ecr.eu-west-1.amazonaws.com"]["alias"]["name"]

    profile = _only(document, "aws_route53profiles_profile")
    profile_address = _address(document, "aws_route53profiles_profile", profile)
    associations = _resources(document, "aws_route53profiles_resource_association")
    assert len(associations) == len(zones)
    assert {a["profile_id"] for a in associations} == {f"${{{profile_address}.id}}"}
    assert all(a["resource_arn"].startswith("${aws_route53_zone.") for a in associations)
    assert _only(document, "aws_ram_resource_share")["allow_external_principals"] is False
    assert _only(document, "aws_ram_resource_association")["resource_arn"] == f"${{{profile_address}.arn}}"
    assert _only(document, "aws_ram_principal_association")["principal"] == ORG_ARN


def test_every_spoke_is_an_isolated_vpc_attached_to_the_gateway(synth) -> None:
    org, _, out = synth
    spokes = [a for a in org.accounts if a.network == "spoke"]
    assert len(spokes) == 24  # 6 teams x 3 environments, 3 data domains, feature store, 2 ML shared services
    assert org.account("fraud-prod").vpc_cidr == "10.8.0.0/22"
    manifest = json.loads((out / "manifest.json").read_text())
    for account in spokes:
        name = account.name
        document = _stack(out, name)
        vpc = _only(document, "aws_vpc")
        assert vpc["cidr_block"] == account.vpc_cidr
        network = ipaddress.IPv4Network(account.vpc_cidr)
        subnets = _resources(document, "aws_subnet")
        assert len(subnets) == 3
        assert all(ipaddress.IPv4Network(s["cidr_block"]).subnet_of(network) for s in subnets)
        assert all(s["map_public_ip_on_launch"] is False for s in subnets)
        assert len({s["availability_zone_id"] for s in subnets}) == 3

        route = _only(document, "aws_route")
        assert route["destination_cidr_block"] == "10.0.0.0/22"  # the hub, never the pool or another spoke
        assert set(route) - {"//", "depends_on"} == {"destination_cidr_block", "route_table_id", "transit_gateway_id"}
        attachment = _only(document, "aws_ec2_transit_gateway_vpc_attachment")
        assert attachment["transit_gateway_id"].startswith(
            "${data.terraform_remote_state.northbank-network.outputs.")
        assert route["transit_gateway_id"] == attachment["transit_gateway_id"]
        assert route["depends_on"] == [_address(document, "aws_ec2_transit_gateway_vpc_attachment", attachment)]
        assert len(attachment["subnet_ids"]) == 3

        flow_log = _only(document, "aws_flow_log")
        assert (flow_log["log_destination"], flow_log["traffic_type"], flow_log["max_aggregation_interval"]) == (
            LOG_BUCKET_ARN, "ALL", 60)
        assert flow_log["destination_options"]["file_format"] == "parquet"
        default_group = _only(document, "aws_default_security_group")
        assert "ingress" not in default_group and "egress" not in default_group

        association = _only(document, "aws_route53profiles_association")
        assert "northbank-shared-services" in association["profile_id"]
        assert sorted(manifest["stacks"][name]["dependencies"]) == ["northbank-network", "northbank-shared-services"]


def test_spoke_s3_gateway_endpoint_admits_the_organization_only(synth) -> None:
    _, _, out = synth
    document = _stack(out, "northbank-fraud-prod")
    endpoint = _only(document, "aws_vpc_endpoint")
    assert (endpoint["vpc_endpoint_type"], endpoint["service_name"]) == ("Gateway", "com.amazonaws.eu-west-1.s3")
    assert len(endpoint["route_table_ids"]) == 1
    statements = {s["Sid"]: s for s in json.loads(endpoint["policy"])["Statement"]}
    assert statements["OrganizationPrincipalsToOrganizationBuckets"]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ORG_ID, "aws:ResourceOrgID": ORG_ID}}
    owned = statements["AwsOwnedObjects"]
    assert owned["Action"] == ["s3:GetObject"]
    assert "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*" in owned["Resource"]


def test_no_internet_path_and_no_vpc_without_a_network_role(synth) -> None:
    org, _, out = synth
    for account in org.accounts:
        document = _stack(out, account.name)
        resources = document.get("resource", {})
        for kind in ("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway",
                     "aws_eip"):
            assert kind not in resources, f"{account.name}: {kind}"
        for route in resources.get("aws_route", {}).values():
            assert set(route) - {"//", "depends_on"} == {"destination_cidr_block", "route_table_id",
                                                         "transit_gateway_id"}
        if account.network == "none":
            assert "aws_vpc" not in resources, account.name


def test_checkov_fails_only_the_accepted_auto_accept_of_attachments(synth) -> None:
    from mlplat.scan import scan

    _, _, out = synth
    report = scan(out, waivers=[])
    assert not report.parsing_errors
    assert [(f.stack, f.check_id) for f in report.failed] == [("northbank-network", "CKV_AWS_331")]


def test_subnets_are_the_first_quarters_of_the_vpc() -> None:
    from mlplat.modules.foundations.network.private_vpc import subnet_cidrs

    assert subnet_cidrs("10.0.4.0/22", 3) == ["10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24"]
    assert subnet_cidrs("10.0.4.0/22", 2) == ["10.0.4.0/24", "10.0.5.0/24"]  # a third AZ adds, never re-cuts


def test_private_dns_names_follow_each_service() -> None:
    from mlplat.modules.foundations.network.endpoint_hub import endpoint_service_name, private_dns_names

    assert private_dns_names("ecr.api", "eu-west-1") == ("api.ecr.eu-west-1.amazonaws.com",)
    assert private_dns_names("s3", "eu-west-1") == ()
    assert private_dns_names("ssm", "eu-west-1") == ("ssm.eu-west-1.amazonaws.com",)
    assert endpoint_service_name("studio", "eu-central-1") == "aws.sagemaker.eu-central-1.studio"
    assert endpoint_service_name("glue", "eu-central-1") == "com.amazonaws.eu-central-1.glue"


def test_fails_vpc_too_small_for_four_subnets() -> None:
    from mlplat.modules.foundations.network.private_vpc import PrivateVpcProps

    with pytest.raises(ValidationError, match="too small"):
        PrivateVpcProps(name="x", region="eu-west-1", cidr_block="10.0.0.0/27", availability_zones=2,
                        transit_gateway_id="tgw-1", transit_gateway_destinations=[], flow_log_destination_arn="arn")


def test_fails_zone_ids_that_do_not_match_the_zone_count() -> None:
    from mlplat.modules.foundations.network.private_vpc import PrivateVpcProps

    with pytest.raises(ValidationError, match="one zone id per availability zone"):
        PrivateVpcProps(name="x", region="eu-west-1", cidr_block="10.0.0.0/22", availability_zones=3,
                        availability_zone_ids=["euw1-az1"], transit_gateway_id="tgw-1",
                        transit_gateway_destinations=[], flow_log_destination_arn="arn")


def test_hub_routes_back_to_a_spoke_pinned_outside_the_pool(tmp_path) -> None:
    text = (ROOT / "examples" / "minimal" / "mlplat.yaml").read_text() + (
        "    environments:\n      dev: {}\n      prod:\n        vpc_cidr: 192.168.8.0/22\n")
    org = resolve.resolve(spec.parse(text))
    app = engine.new_app(tmp_path)
    stacks = StackSet(app, org)
    assume_exports(stacks)

    from mlplat.stacks.foundations import network

    network.place(stacks)
    app.synth()
    hub = _stack(tmp_path, "acme-shared-services")
    routes = sorted(r["destination_cidr_block"] for r in _resources(hub, "aws_route"))
    assert routes == ["10.0.0.0/12", "192.168.8.0/22"]
    assert sorted(r["cidr_ipv4"] for r in _resources(hub, "aws_vpc_security_group_ingress_rule")) == [
        "10.0.0.0/12", "192.168.8.0/22"]
    assert _only(_stack(tmp_path, "acme-churn-prod"), "aws_vpc")["cidr_block"] == "192.168.8.0/22"
    assert "aws_vpc" in _stack(tmp_path, "acme-churn-dev")["resource"]
