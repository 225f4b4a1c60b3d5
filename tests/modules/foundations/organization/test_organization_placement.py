"""The organization stack of the examples: OU tree, member accounts, SCPs, delegated administrators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat import engine, resolve, spec
from mlplat.modules.foundations.organization.naming import construct_id
from mlplat.resolve.model import Org
from mlplat.stacks.context import StackSet
from mlplat.stacks.foundations import organization

ROOT = Path(__file__).parents[4]
ADOPTED_ID = "123456789012"
ADOPTED = f"""
version: 1
organization:
  name: acme
  management_account_id: "111122223333"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
  account_email: "aws+{{account}}@acme.example"
lines_of_business:
  - name: retail
    cost_center: CC-1001
teams:
  - name: churn
    line_of_business: retail
    environments:
      dev:
        account_id: "{ADOPTED_ID}"
      prod: {{}}
"""


class Synthesized:
    def __init__(self, org: Org, stacks: StackSet, document: dict) -> None:
        self.org, self.stacks, self.document = org, stacks, document
        self.resources: dict[str, dict[str, dict]] = document["resource"]

    def by_path(self, resource_type: str, construct: str) -> tuple[str, dict]:
        """The (Terraform name, body) of the resource whose construct path ends with ``construct``."""
        for name, body in self.resources[resource_type].items():
            if body["//"]["metadata"]["path"].endswith(f"/{construct}"):
                return name, body
        raise KeyError(f"{resource_type} {construct}")


def _synthesize(org: Org, out: Path) -> Synthesized:
    app = engine.new_app(out)
    stacks = StackSet(app, org)
    organization.place(stacks)
    app.synth()
    name = stacks.organization.name
    return Synthesized(org, stacks, json.loads((out / "stacks" / name / "cdk.tf.json").read_text()))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, Synthesized]:
    result = {}
    for example in ("minimal", "enterprise"):
        org = resolve.resolve(spec.load(ROOT / "examples" / example / "mlplat.yaml"))
        result[example] = _synthesize(org, tmp_path_factory.mktemp(example))
    result["adopted"] = _synthesize(resolve.resolve(spec.parse(ADOPTED)), tmp_path_factory.mktemp("adopted"))
    return result


EXAMPLES = ("minimal", "enterprise")


@pytest.mark.parametrize("example", EXAMPLES)
def test_organization_has_all_features_and_trusted_services(synthesized, example: str) -> None:
    (body,) = synthesized[example].resources["aws_organizations_organization"].values()
    assert body["feature_set"] == "ALL"
    assert body["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    assert body["lifecycle"]["prevent_destroy"] is True
    assert {"cloudtrail.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
            "guardduty.amazonaws.com", "securityhub.amazonaws.com", "access-analyzer.amazonaws.com",
            "macie.amazonaws.com", "sso.amazonaws.com", "ram.amazonaws.com", "servicecatalog.amazonaws.com"} == set(
                body["aws_service_access_principals"])
    assert len(synthesized[example].resources["aws_ram_sharing_with_organization"]) == 1


@pytest.mark.parametrize("example", EXAMPLES)
def test_ous_are_nested_under_their_parents(synthesized, example: str) -> None:
    result = synthesized[example]
    (org_name,) = result.resources["aws_organizations_organization"]
    assert len(result.resources["aws_organizations_organizational_unit"]) == len(result.org.organizational_units)
    for ou in result.org.organizational_units:
        _, body = result.by_path("aws_organizations_organizational_unit", construct_id("ou", ou.path))
        assert body["name"] == ou.name
        if ou.parent is None:
            assert body["parent_id"] == f"${{aws_organizations_organization.{org_name}.roots[0].id}}"
        else:
            parent, _ = result.by_path("aws_organizations_organizational_unit", construct_id("ou", ou.parent))
            assert body["parent_id"] == f"${{aws_organizations_organizational_unit.{parent}.id}}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_member_account_is_present_and_never_closed(synthesized, example: str) -> None:
    result = synthesized[example]
    accounts = result.resources["aws_organizations_account"]
    assert len(accounts) == len(result.org.members)
    for account in result.org.members:
        name, body = result.by_path("aws_organizations_account", construct_id("account", account.key))
        ou, _ = result.by_path("aws_organizations_organizational_unit", construct_id("ou", account.ou))
        assert (body["name"], body["email"]) == (account.name, account.email)
        assert body["parent_id"] == f"${{aws_organizations_organizational_unit.{ou}.id}}"
        assert body["close_on_deletion"] is False
        assert body["role_name"] == result.org.execution_role
        assert body["iam_user_access_to_billing"] == "DENY"
        assert body["lifecycle"] == {"prevent_destroy": True,
                                     "ignore_changes": ["role_name", "iam_user_access_to_billing"]}
        assert body["tags"] == account.tags
        output = result.document["output"][f"account_id_{account.key}"]  # the id is exported
        assert output["value"] == f"${{aws_organizations_account.{name}.id}}"
    assert "import" not in result.document


def test_adopted_account_is_imported_and_keeps_its_id(synthesized) -> None:
    result = synthesized["adopted"]
    name, _ = result.by_path("aws_organizations_account", "account-churn-dev")
    assert result.document["import"] == [{"id": ADOPTED_ID, "to": f"aws_organizations_account.{name}"}]
    assert result.stacks.organization.account_id("churn-dev") == ADOPTED_ID
    assert "account_id_churn-dev" not in result.document["output"]  # a literal: nothing to export


@pytest.mark.parametrize("example", EXAMPLES)
def test_shared_organization_values_are_exported(synthesized, example: str) -> None:
    result = synthesized[example]
    outputs = result.document["output"]
    assert {"organization_id", "organization_arn", "organization_root_id"} <= set(outputs)
    created = {a.key for a in result.org.members if a.account_id is None}
    assert {k.removeprefix("account_id_") for k in outputs if k.startswith("account_id_")} == created
    assert {k for k in outputs if k.startswith("ou_id_")} == {
        "ou_id_" + ou.path.replace("/", "_") for ou in result.org.organizational_units}


@pytest.mark.parametrize("example", EXAMPLES)
def test_scps_are_minified_json_within_the_size_limit(synthesized, example: str) -> None:
    result = synthesized[example]
    policies = result.resources["aws_organizations_policy"]
    used = {name for ou in result.org.organizational_units for name in ou.service_control_policies}
    assert {body["name"] for body in policies.values()} == {f"{result.org.name}-{n}" for n in used}
    for body in policies.values():
        assert body["type"] == "SERVICE_CONTROL_POLICY"
        document = json.loads(body["content"])
        assert body["content"] == json.dumps(document, separators=(",", ":"))
        assert len(body["content"]) <= 5120, body["name"]
        assert document["Version"] == "2012-10-17"
        assert all(s["Effect"] == "Deny" for s in document["Statement"])


@pytest.mark.parametrize("example", EXAMPLES)
def test_attachments_per_ou_match_the_resolved_controls(synthesized, example: str) -> None:
    result = synthesized[example]
    policy_names = {name: body["name"].removeprefix(f"{result.org.name}-")
                    for name, body in result.resources["aws_organizations_policy"].items()}
    ou_paths = {result.by_path("aws_organizations_organizational_unit", construct_id("ou", ou.path))[0]: ou.path
                for ou in result.org.organizational_units}
    attached: dict[str, set[str]] = {}
    for body in result.resources["aws_organizations_policy_attachment"].values():
        policy = body["policy_id"].split(".")[1]
        target = body["target_id"].split(".")[1]
        attached.setdefault(ou_paths[target], set()).add(policy_names[policy])
    expected = {ou.path: set(ou.service_control_policies) for ou in result.org.organizational_units
                if ou.service_control_policies}
    assert attached == expected
    assert max(len(p) for p in attached.values()) <= 4
    assert len(result.resources["aws_organizations_policy_attachment"]) == sum(len(p) for p in expected.values())


def _scp(result: Synthesized, name: str) -> dict:
    for body in result.resources["aws_organizations_policy"].values():
        if body["name"] == f"{result.org.name}-{name}":
            return json.loads(body["content"])
    raise KeyError(name)


def test_scp_parameters_come_from_the_organization(synthesized) -> None:
    result = synthesized["enterprise"]
    execution = "arn:aws:iam::*:role/OrganizationAccountAccessRole"
    (region,) = _scp(result, "region-restriction")["Statement"]
    assert region["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["eu-central-1", "eu-west-1"]
    assert region["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [execution, "arn:aws:iam::*:role/BreakGlassAdmin"]
    assert "iam:*" in region["NotAction"] and "kms:*" not in region["NotAction"]
    baseline = {s["Sid"]: s for s in _scp(result, "baseline-guardrails")["Statement"]}
    assert baseline["DenyLeaveOrganization"]["Action"] == "organizations:LeaveOrganization"
    assert baseline["DenyRootUser"]["Condition"] == {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
    protected = baseline["ProtectSecurityServices"]
    assert {"cloudtrail:StopLogging", "config:StopConfigurationRecorder", "guardduty:DeleteDetector",
            "securityhub:DisableSecurityHub", "access-analyzer:DeleteAnalyzer", "ec2:DisableEbsEncryptionByDefault",
            "s3:PutAccountPublicAccessBlock"} <= set(protected["Action"])
    assert protected["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": execution}}
    buckets = _scp(result, "protect-log-archive")["Statement"][0]
    assert buckets["Resource"] == ["arn:aws:s3:::northbank-log-archive-*", "arn:aws:s3:::northbank-log-archive-*/*"]
    imds = {s["Sid"]: s for s in _scp(result, "require-imdsv2")["Statement"]}
    assert imds["RequireImdsv2"]["Condition"] == {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}
    sagemaker = {s["Sid"]: s for s in _scp(result, "sagemaker-guardrails")["Statement"]}
    assert sagemaker["RequireVpcOnlyDomain"]["Condition"] == {
        "StringNotEquals": {"sagemaker:AppNetworkAccessType": "VpcOnly"}}
    assert "sagemaker:CreateTrainingJob" in sagemaker["RequireVpcSubnets"]["Action"]
    assert "sagemaker:CreateEndpointConfig" in sagemaker["RequireVolumeKmsKey"]["Action"]


def test_security_services_are_delegated_in_every_region(synthesized) -> None:
    result = synthesized["enterprise"]
    (org_name,) = result.resources["aws_organizations_organization"]
    tooling, _ = result.by_path("aws_organizations_account", "account-security-tooling")
    admin = f"${{aws_organizations_account.{tooling}.id}}"
    for resource_type in ("aws_guardduty_organization_admin_account", "aws_securityhub_organization_admin_account"):
        admins = result.resources[resource_type].values()
        assert sorted(b.get("provider", "home") for b in admins) == ["aws.eu-central-1", "home"]
        assert all(b["admin_account_id"] == admin for b in admins)
        assert all(f"aws_organizations_organization.{org_name}" in b["depends_on"] for b in admins)
    assert all(b["enable"] is True for b in result.resources["aws_guardduty_detector"].values())
    assert len(result.resources["aws_securityhub_account"]) == 2
    delegated = {b["service_principal"]: b for b in result.resources["aws_organizations_delegated_administrator"].values()}
    assert sorted(delegated) == ["access-analyzer.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
                                 "config.amazonaws.com", "servicecatalog.amazonaws.com"]
    catalog = delegated.pop("servicecatalog.amazonaws.com")
    assert all(b["account_id"] == admin for b in delegated.values())
    # Service Catalog is administered by the ML platform account, which shares the ML portfolio with the OUs
    platform, _ = result.by_path("aws_organizations_account", "account-ml-shared-services-prod")
    assert catalog["account_id"] == f"${{aws_organizations_account.{platform}.id}}"
    (access,) = result.resources["aws_servicecatalog_organizations_access"].values()
    assert access["enabled"] is True


def test_fails_when_scp_too_large(tmp_path) -> None:
    from mlplat.modules.foundations.organization.service_control_policies import ServiceControlPolicyError

    roles = "".join(f"\n    - BreakGlassRole{i:03d}" for i in range(200))
    text = ADOPTED + f"controls:\n  region_exempt_roles:{roles}\n"
    stacks = StackSet(engine.new_app(tmp_path), resolve.resolve(spec.parse(text)))
    with pytest.raises(ServiceControlPolicyError, match=r"'region-restriction' is [\d,]+ characters once minified; "
                                                        r"AWS Organizations accepts at most 5,120"):
        organization.place(stacks)


def test_fails_when_an_ou_gets_more_than_four_policies(tmp_path) -> None:
    from mlplat.modules.foundations.organization.service_control_policies import (
        PolicyAttachment,
        ScpParameters,
        ServiceControlPolicies,
        ServiceControlPoliciesProps,
        ServiceControlPolicyError,
        template_names,
    )

    names = template_names()[:5]
    assert len(names) == 5
    stack = engine.core.TerraformStack(engine.new_app(tmp_path), "scp")
    props = ServiceControlPoliciesProps(
        name_prefix="acme", policies={n: n for n in names},
        attachments=[PolicyAttachment(target="Workloads", target_id="ou-1", policy=n) for n in names],
        parameters=ScpParameters(allowed_regions=["eu-west-1"], execution_role_name="Exec",
                                 log_archive_bucket_pattern="acme-log-archive-*"),
    )
    with pytest.raises(ServiceControlPolicyError, match="more than 4 service control policies attached to Workloads"):
        ServiceControlPolicies(stack, "scp", props)


def test_fails_for_a_policy_without_template() -> None:
    from mlplat.modules.foundations.organization.service_control_policies import (
        ScpParameters,
        ServiceControlPolicyError,
        render_service_control_policy,
    )

    parameters = ScpParameters(allowed_regions=["eu-west-1"], execution_role_name="Exec",
                               log_archive_bucket_pattern="acme-log-archive-*")
    with pytest.raises(ServiceControlPolicyError,
                       match="'deny-everything' has no template; known: baseline-guardrails"):
        render_service_control_policy("deny-everything", parameters)
