"""Identity Center in the organization stack: permission sets per persona, groups and account assignments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat import engine, resolve, spec
from mlplat.modules.foundations.identity import grants
from mlplat.resolve.model import Org
from mlplat.stacks.context import StackSet
from mlplat.stacks.foundations import organization

ROOT = Path(__file__).parents[4]
EXAMPLES = ("minimal", "enterprise")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, tuple[Org, dict]]:
    result = {}
    for example in EXAMPLES:
        org = resolve.resolve(spec.load(ROOT / "examples" / example / "mlplat.yaml"))
        out = tmp_path_factory.mktemp(example)
        app = engine.new_app(out)
        stacks = StackSet(app, org)
        organization.place(stacks)
        app.synth()
        document = json.loads((out / "stacks" / stacks.organization.name / "cdk.tf.json").read_text())
        result[example] = (org, document)
    return result


def _instance_arn(document: dict) -> str:
    (instances,) = document["data"]["aws_ssoadmin_instances"]
    return f"${{element(tolist(data.aws_ssoadmin_instances.{instances}.arns), 0)}}"


def _by_name(resources: dict[str, dict], key: str) -> dict[str, dict]:
    return {body[key]: body for body in resources.values()}


@pytest.mark.parametrize("example", EXAMPLES)
def test_one_permission_set_per_persona(synthesized, example: str) -> None:
    org, document = synthesized[example]
    permission_sets = _by_name(document["resource"]["aws_ssoadmin_permission_set"], "name")
    assert set(permission_sets) == {p.name for p in org.personas}
    for persona in org.personas:
        body = permission_sets[persona.name]
        assert body["session_duration"] == persona.session_duration
        assert body["description"] == persona.description
        assert body["instance_arn"] == _instance_arn(document)
        assert "relay_state" not in body
    if example == "enterprise":
        assert permission_sets["data-scientist"]["session_duration"] == "PT10H"


@pytest.mark.parametrize("example", EXAMPLES)
def test_managed_and_inline_policies_per_persona(synthesized, example: str) -> None:
    org, document = synthesized[example]
    resources = document["resource"]
    names = {f"${{aws_ssoadmin_permission_set.{key}.arn}}": body["name"]
             for key, body in resources["aws_ssoadmin_permission_set"].items()}
    managed: dict[str, set[str]] = {}
    for body in resources["aws_ssoadmin_managed_policy_attachment"].values():
        managed.setdefault(names[body["permission_set_arn"]], set()).add(body["managed_policy_arn"])
    assert managed == {p.name: {f"arn:aws:iam::aws:policy/{m}" for m in p.managed_policies}
                       for p in org.personas if p.managed_policies}
    inline = {names[b["permission_set_arn"]]: json.loads(b["inline_policy"])
              for b in resources["aws_ssoadmin_permission_set_inline_policy"].values()}
    assert set(inline) == {"ml-team-lead", "data-scientist", "ml-engineer", "platform-admin", "governance-officer",
                           "auditor"}
    for name, policy in inline.items():
        for statement in policy["Statement"]:
            # the one denial: nobody touches the tag that ties a Studio profile to its user
            if statement["Effect"] == "Deny":
                assert statement["Sid"] == "ProtectStudioUserTag" and name in {"ml-team-lead", "data-scientist",
                                                                                "ml-engineer"}, name
                continue
            assert statement["Effect"] == "Allow", name
            assert not any(a == "*" or a.endswith(":*") for a in statement["Action"]), (name, statement["Sid"])
    platform = {s["Sid"]: s for s in inline["platform-admin"]["Statement"]}
    assert platform["PlatformRoles"]["Resource"] == ["arn:aws:iam::*:role/mlplat/*",
                                                     "arn:aws:iam::*:instance-profile/mlplat/*"]
    assert not any("CreateUser" in a for s in platform.values() for a in s["Action"])
    scientist = {s["Sid"]: s for s in inline["data-scientist"]["Statement"]}
    assert scientist["TeamDataReadWrite"]["Resource"][0] == f"arn:aws:s3:::{org.name}-*"
    assert scientist["TeamDataReadWrite"]["Condition"] == {
        "StringEquals": {"aws:ResourceAccount": "$${aws:PrincipalAccount}"}}
    lead = {s["Sid"]: s for s in inline["ml-team-lead"]["Statement"]}
    assert lead["ModelApproval"]["Action"] == ["sagemaker:UpdateModelPackage"]
    governance = {s["Sid"]: s for s in inline["governance-officer"]["Statement"]}
    assert len(governance["CentralModelApproval"]["Condition"]["StringEquals"]["aws:ResourceAccount"]) == 2


@pytest.mark.parametrize("example", EXAMPLES)
def test_one_assignment_per_group_and_account(synthesized, example: str) -> None:
    org, document = synthesized[example]
    assignments = document["resource"]["aws_ssoadmin_account_assignment"].values()
    assert len(assignments) == sum(len(g.accounts) for g in org.groups)
    accounts = document["resource"]["aws_organizations_account"]
    targets = {f"${{aws_organizations_account.{key}.id}}" for key in accounts}
    for body in assignments:
        assert body["principal_type"] == "GROUP" and body["target_type"] == "AWS_ACCOUNT"
        assert body["target_id"] in targets
        assert body["instance_arn"] == _instance_arn(document)


def test_groups_are_created_in_identity_center(synthesized) -> None:
    org, document = synthesized["minimal"]
    groups = _by_name(document["resource"]["aws_identitystore_group"], "display_name")
    assert set(groups) == {g.group for g in org.groups}
    assert "aws_identitystore_group" not in document["data"]


def test_external_groups_are_looked_up_by_display_name(synthesized) -> None:
    org, document = synthesized["enterprise"]
    assert org.groups_external
    assert "aws_identitystore_group" not in document["resource"]
    lookups = document["data"]["aws_identitystore_group"].values()
    assert {b["alternate_identifier"]["unique_attribute"]["attribute_value"] for b in lookups} == {
        g.group for g in org.groups}
    assert all(b["alternate_identifier"]["unique_attribute"]["attribute_path"] == "DisplayName" for b in lookups)
    assert all(b["principal_id"].startswith("${data.aws_identitystore_group.")
               for b in document["resource"]["aws_ssoadmin_account_assignment"].values())


def test_personas_without_grants_have_managed_policies_only() -> None:
    assert grants.inline_policy("auditor", bucket_prefix="acme") is None
    assert grants.inline_policy("cloud-admin", bucket_prefix="acme") is None
    assert grants.inline_policy("fraud-analyst", bucket_prefix="acme") is None


def test_fails_when_a_permission_set_name_is_too_long(tmp_path) -> None:
    from mlplat.modules.foundations.identity.identity_center import IdentityCenter, IdentityCenterProps, PermissionSet

    stack = engine.core.TerraformStack(engine.new_app(tmp_path), "identity")
    props = IdentityCenterProps(
        permission_sets=[PermissionSet(name="x" * 33, description="too long", session_duration="PT1H")],
        groups={}, groups_external=False, account_assignments=[],
    )
    with pytest.raises(ValueError, match="longer than 32 characters: x{33}"):
        IdentityCenter(stack, "identity-center", props)
