"""Detective controls as synthesized for the examples: AWS Config organization rules and conformance packs,
Security Hub central configuration and Macie, all from the security tooling account and the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlplat.modules.foundations.detective import catalog
from conftest import example_spec, resources_of, stack_json

ORGANIZATION_OUTPUT = "${data.terraform_remote_state.%s-organization.outputs."


@pytest.fixture(scope="module")
def minimal(synthesized) -> tuple[Path, Any]:
    from mlplat import api

    return synthesized("minimal"), api.validate(example_spec("minimal"))


def stacks_of(out: Path) -> dict[str, dict[str, Any]]:
    names = json.loads((out / "manifest.json").read_text())["stacks"]
    return {name: stack_json(out, name) for name in names}


def region_of(body: dict[str, Any], org: Any) -> str:
    provider = body.get("provider", "aws")
    return org.home_region if provider == "aws" else provider.removeprefix("aws.")


def test_every_catalogue_rule_runs_in_every_allowed_region_from_security_tooling_only(enterprise) -> None:
    out, org = enterprise
    security = f"{org.name}-security-tooling"
    for name, document in stacks_of(out).items():
        if name != security:
            assert not resources_of(document, "aws_config_organization_managed_rule"), name
            assert not resources_of(document, "aws_config_organization_conformance_pack"), name
    deployed = {(region_of(body, org), body["name"]): body
                for body in resources_of(stack_json(out, security), "aws_config_organization_managed_rule").values()}
    expected = {(region, f"{org.name}-{rule.name}"): rule for rule in catalog.config_rules()
                for region in org.allowed_regions if region == org.home_region or not rule.global_only}
    assert set(deployed) == set(expected)
    assert len(org.allowed_regions) == 2 and any(r.global_only for r in catalog.config_rules())
    for key, rule in expected.items():
        body = deployed[key]
        assert body["rule_identifier"] == rule.identifier
        assert body.get("resource_types_scope", []) == list(rule.scope)
        assert "excluded_accounts" not in body  # every account, the administrator and the management account included


def test_conformance_packs_follow_the_spec_frameworks(enterprise, minimal) -> None:
    out, org = enterprise
    assert org.controls.compliance_frameworks == ("pci-dss",)
    packs = resources_of(stack_json(out, f"{org.name}-security-tooling"), "aws_config_organization_conformance_pack")
    by_region = {region_of(body, org): body for body in packs.values()}
    assert sorted(by_region) == sorted(org.allowed_regions)
    (pack,) = catalog.conformance_packs(("pci-dss",))
    for region, body in by_region.items():
        assert body["name"] == f"{org.name}-pci-dss"
        identifiers = set(re.findall(r'SourceIdentifier: "([A-Z0-9_]+)"', body["template_body"]))
        home = region == org.home_region
        assert identifiers == {r.identifier for r in pack.rules if home or not r.global_only}
    out, org = minimal
    assert org.controls.compliance_frameworks == ()
    assert not resources_of(stack_json(out, f"{org.name}-security-tooling"), "aws_config_organization_conformance_pack")


def _security_hub(out: Path, org: Any) -> dict[str, dict[str, Any]]:
    document = stack_json(out, f"{org.name}-security-tooling")
    kinds = ("aws_securityhub_organization_configuration", "aws_securityhub_finding_aggregator",
             "aws_securityhub_configuration_policy", "aws_securityhub_configuration_policy_association")
    found = {}
    for kind in kinds:
        (name, body), = resources_of(document, kind).items()
        assert region_of(body, org) == org.home_region
        found[kind] = {**body, "address": f"{kind}.{name}"}
    assert not resources_of(document, "aws_securityhub_standards_subscription")  # the policy enables the standards
    return found


@pytest.mark.parametrize("example", ["enterprise", "minimal"])
def test_security_hub_is_configured_centrally_with_the_expected_standards(example, enterprise, minimal) -> None:
    out, org = enterprise if example == "enterprise" else minimal
    hub = _security_hub(out, org)
    central = hub["aws_securityhub_organization_configuration"]
    assert central["organization_configuration"] == {"configuration_type": "CENTRAL"}
    assert central["auto_enable"] is False and central["auto_enable_standards"] == "NONE"
    aggregator = hub["aws_securityhub_finding_aggregator"]
    assert central["depends_on"] == [aggregator["address"]]  # AWS requires the aggregator first
    linked = sorted(set(org.allowed_regions) - {org.home_region})
    if linked:
        assert aggregator["linking_mode"] == "SPECIFIED_REGIONS" and aggregator["specified_regions"] == linked
    else:
        assert aggregator["linking_mode"] == "NO_REGIONS" and "specified_regions" not in aggregator
    policy = hub["aws_securityhub_configuration_policy"]["configuration_policy"]
    standards = {"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/3.0.0"}
    if example == "enterprise":
        standards.add("pci-dss/v/4.0.1")
    assert policy["service_enabled"] is True
    assert sorted(policy["enabled_standard_arns"]) == sorted(
        f"arn:aws:securityhub:{org.home_region}::standards/{s}" for s in standards)
    assert policy["security_controls_configuration"] == {"disabled_control_identifiers": []}
    association = hub["aws_securityhub_configuration_policy_association"]
    assert association["policy_id"] == "${%s.id}" % hub["aws_securityhub_configuration_policy"]["address"]
    target = association["target_id"]
    assert target.startswith(ORGANIZATION_OUTPUT % org.name) and target.endswith("organization_root_id}")


def _account_ids(out: Path, org: Any) -> dict[str, str]:
    """account key -> the reference the security tooling stack makes to its id."""
    document = stack_json(out, f"{org.name}-organization")
    ids = {}
    for name, body in resources_of(document, "aws_organizations_account").items():
        key = body["//"]["metadata"]["path"].rsplit("/account-", 1)[1]
        ids[key] = f"{ORGANIZATION_OUTPUT % org.name}account_id_{key}}}"
    return ids


def test_macie_is_delegated_to_security_tooling_in_the_home_region(enterprise) -> None:
    out, org = enterprise
    organization = stack_json(out, f"{org.name}-organization")
    (admin,) = resources_of(organization, "aws_macie2_organization_admin_account").values()
    (tooling,) = [n for n, b in resources_of(organization, "aws_organizations_account").items()
                  if b["//"]["metadata"]["path"].endswith("/account-security-tooling")]
    assert admin["admin_account_id"] == f"${{aws_organizations_account.{tooling}.id}}"
    assert "provider" not in admin  # the home region
    (organization_resource,) = resources_of(organization, "aws_organizations_organization").values()
    assert "macie.amazonaws.com" in organization_resource["aws_service_access_principals"]
    document = stack_json(out, f"{org.name}-security-tooling")
    (configuration,) = resources_of(document, "aws_macie2_organization_configuration").values()
    assert configuration["auto_enable"] is True
    ids = _account_ids(out, org)
    members = resources_of(document, "aws_macie2_member").values()
    assert sorted(m["account_id"] for m in members) == sorted(
        ids[a.key] for a in org.members if a.role != "security_tooling")
    assert all(m["status"] == "ENABLED" and m["invite"] is False for m in members)
    assert {region_of(b, org) for kind in ("aws_macie2_member", "aws_macie2_classification_job",
                                           "aws_macie2_organization_configuration")
            for b in resources_of(document, kind).values()} == {org.home_region}


def _data_buckets(out: Path, org: Any) -> set[tuple[str, str]]:
    """(account id reference, bucket name) of every lake and team bucket the other stacks create."""
    ids = _account_ids(out, org)
    lake = {d.account for d in org.data_domains}
    teams = {key for team in org.teams for key in team.accounts.values()}
    found = set()
    for key in lake | teams:
        document = stack_json(out, f"{org.name}-{key}")
        for body in resources_of(document, "aws_s3_bucket").values():
            name = body["bucket"]
            is_lake = key in lake and any(name.startswith(f"{org.name}-{d.name}-") for d in org.data_domains)
            is_team = key in teams and name.startswith(f"{org.name}-ml-")
            if is_lake or is_team:
                found.add((ids[key], name))
    return found


def test_macie_jobs_inspect_exactly_the_lake_and_team_buckets(enterprise) -> None:
    out, org = enterprise
    jobs = resources_of(stack_json(out, f"{org.name}-security-tooling"), "aws_macie2_classification_job").values()
    targeted = {(definition["account_id"], bucket) for job in jobs
                for definition in job["s3_job_definition"]["bucket_definitions"] for bucket in definition["buckets"]}
    expected = _data_buckets(out, org)
    assert len(expected) > len({d.account for d in org.data_domains}) and targeted == expected
    for job in jobs:
        assert job["job_type"] == "SCHEDULED" and job["schedule_frequency"] == {"daily_schedule": True}
        assert job["initial_run"] is True and job["sampling_percentage"] == 100
        assert job["depends_on"][0].startswith("aws_macie2_member.")


def test_security_tooling_is_applied_after_every_other_account(enterprise) -> None:
    out, org = enterprise
    manifest = json.loads((out / "manifest.json").read_text())["stacks"]
    security = f"{org.name}-security-tooling"
    assert set(manifest[security]["dependencies"]) == set(manifest) - {security}
    assert all(security not in entry["dependencies"] for entry in manifest.values())


# Managed rules that AWS Config evaluates on its schedule: it refuses a scope on them.
PERIODIC = {"VPC_FLOW_LOGS_ENABLED", "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED",
            "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS", "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
            "KMS_CMK_NOT_SCHEDULED_FOR_DELETION", "CW_LOGGROUP_RETENTION_PERIOD_CHECK", "CLOUD_TRAIL_ENABLED",
            "IAM_ROOT_ACCESS_KEY_CHECK", "EC2_EBS_ENCRYPTION_BY_DEFAULT"}


def test_periodic_rules_carry_no_scope_and_rules_wait_for_the_administrators_recorder(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, f"{org.name}-security-tooling")
    statuses = {region_of(body, org): f"aws_config_configuration_recorder_status.{name}"
                for name, body in resources_of(document, "aws_config_configuration_recorder_status").items()}
    assert set(statuses) == set(org.allowed_regions)
    rules = resources_of(document, "aws_config_organization_managed_rule").values()
    packs = resources_of(document, "aws_config_organization_conformance_pack").values()
    for body in [*rules, *packs]:
        assert body["depends_on"] == [statuses[region_of(body, org)]], body["name"]
    for body in rules:
        if body["rule_identifier"] in PERIODIC:
            assert "resource_types_scope" not in body, body["name"]
    scoped = {r.identifier for p in catalog.conformance_packs(("pci-dss", "nist-800-53")) for r in p.rules if r.scope}
    assert not scoped & PERIODIC and scoped  # the packs' templates follow the same catalogue


def test_macie_may_decrypt_the_watched_buckets_through_s3_with_its_own_accounts_role_only(enterprise) -> None:
    out, org = enterprise
    watched = {d.account for d in org.data_domains} | {k for t in org.teams for e, k in t.accounts.items() if e == "dev"}
    for key in sorted(watched):
        document = stack_json(out, f"{org.name}-{key}")
        account = document["provider"]["aws"][0]["allowed_account_ids"][0]
        found = []
        for body in resources_of(document, "aws_kms_key").values():
            for st in json.loads(body["policy"])["Statement"]:
                if st["Sid"] == "MacieDiscoversThroughS3":
                    found.append(st)
        assert found, key
        for st in found:
            assert st["Action"] == ["kms:Decrypt"] and st["Principal"] == {"AWS": "*"}
            assert st["Condition"]["ArnEquals"] == {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/aws-service-role/"
                                                    "macie.amazonaws.com/AWSServiceRoleForAmazonMacie"}
            assert st["Condition"]["StringEquals"]["aws:PrincipalAccount"] == account
            assert st["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{org.home_region}.amazonaws.com"
