"""Isolation of ML teams, proven on the synthesized enterprise example (modules 3, 4 and 5).

Account ids of created accounts are references to the organization stack's outputs, named after the
account's key (``...account-fraud-dev_<hash>id``), so a policy that reaches another team's account
shows that team's key; names of groups, roles and buckets carry the team's name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import resources_of, stack_json

ORG = "northbank"
PLATFORM = f"{ORG}-ml-shared-services-prod"
POLICY_FIELDS = {
    "aws_iam_role": "assume_role_policy", "aws_iam_role_policy": "policy", "aws_s3_bucket_policy": "policy",
    "aws_kms_key": "policy", "aws_sagemaker_model_package_group_policy": "resource_policy",
    "aws_sns_topic_policy": "policy",
}


def _path(body: dict[str, Any]) -> str:
    return body["//"]["metadata"]["path"]


def _markers(org, team) -> list[str]:
    """Strings that appear only where a team's own account, group, role or bucket is named."""
    # its accounts' ids and the values their stacks export (the organization's and the platform's outputs)
    marks = [f"{output}_{key}}}" for key in team.accounts.values() for output in ("account_id", "_arn")]
    marks.append(f"_arn_{team.name}}}")
    marks += [f"/{team.model_package_group(u)}" for u in team.use_cases]
    marks += [f"deployment-{team.name}_", f"{team.name}-release-approver", f"{team.name}-deployment-pipeline",
              f"-{team.name}-deploy-", f"alias/{ORG}-{team.name}"]
    return marks


def _team_documents(out: Path, org, team) -> Iterator[tuple[str, str, str]]:
    """(stack, resource, policy text) of every policy the team's roles, buckets, keys and groups carry."""
    for env, key in team.accounts.items():
        stack = org.account(key).name
        document = stack_json(out, stack)
        for kind, field in POLICY_FIELDS.items():
            for name, body in resources_of(document, kind).items():
                yield stack, f"{kind}.{name}", body[field]
    platform = stack_json(out, PLATFORM)
    groups = {team.model_package_group(u) for u in team.use_cases}
    for kind, field in POLICY_FIELDS.items():
        for name, body in resources_of(platform, kind).items():
            path = _path(body)
            mine = f"/deployment-{team.name}/" in path or any(path.endswith(f"/policy-{g}") for g in groups)
            if mine:
                yield PLATFORM, f"{kind}.{name}", body[field]


def test_team_policies_name_no_resource_of_another_team(enterprise) -> None:
    out, org = enterprise
    assert len(org.teams) >= 2
    for team in org.teams:
        documents = list(_team_documents(out, org, team))
        own = _markers(org, team)
        # not vacuous: the team's policies do name the team's own accounts and resources
        assert any(any(m in text for m in own) for _, _, text in documents), team.name
        for other in org.teams:
            if other.name == team.name:
                continue
            foreign = _markers(org, other)
            for stack, resource, text in documents:
                found = [m for m in foreign if m in text]
                assert not found, f"{stack} {resource} of team {team.name} names {other.name}: {found}"


def _statements(text: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(text)["Statement"]}


def _account_keys(principals: Any) -> set[str]:
    values = principals["AWS"]
    values = [values] if isinstance(values, str) else values
    keys = set()
    for value in values:
        match = re.search(r"outputs\.account_id_([a-z0-9-]+)\}", value)
        assert match and value.startswith("arn:aws:iam::") and value.endswith(":root"), value
        keys.add(match.group(1))
    return keys


def test_central_group_policies_allow_exactly_the_team_accounts(enterprise) -> None:
    out, org = enterprise
    policies = resources_of(stack_json(out, PLATFORM), "aws_sagemaker_model_package_group_policy")
    by_group = {body["//"]["metadata"]["path"].rsplit("/policy-", 1)[1]: body for body in policies.values()}
    expected_groups = {t.model_package_group(u) for t in org.teams for u in t.use_cases}
    assert set(by_group) == expected_groups
    for team in org.teams:
        acc = team.accounts
        for use_case in team.use_cases:
            statements = _statements(by_group[team.model_package_group(use_case)]["resource_policy"])
            assert set(statements) == {"TeamRegistersPending", "TeamRegistersReads", "TeamReads", "TeamLeadApproves"}
            register = statements["TeamRegistersPending"]
            assert _account_keys(register["Principal"]) == {acc["dev"], acc["test"]}
            assert register["Action"] == ["sagemaker:CreateModelPackage"]
            # nobody registers a package that is approved already
            assert register["Condition"] == {"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}
            assert _account_keys(statements["TeamRegistersReads"]["Principal"]) == {acc["dev"], acc["test"]}
            assert _account_keys(statements["TeamReads"]["Principal"]) == {acc["test"], acc["prod"]}
            assert _account_keys(statements["TeamLeadApproves"]["Principal"]) == {acc["dev"]}
            assert statements["TeamLeadApproves"]["Action"] == ["sagemaker:UpdateModelPackage"]
            assert "sagemaker:UpdateModelPackage" not in statements["TeamReads"]["Action"]


def test_every_studio_domain_is_vpc_only_with_kms_in_its_own_spoke(enterprise) -> None:
    out, org = enterprise
    for team in org.teams:
        document = stack_json(out, org.account(team.accounts["dev"]).name)
        (domain,) = resources_of(document, "aws_sagemaker_domain").values()
        assert domain["app_network_access_type"] == "VpcOnly" and domain["auth_mode"] == "IAM"
        (vpc,) = resources_of(document, "aws_vpc")
        assert domain["vpc_id"] == f"${{aws_vpc.{vpc}.id}}"
        subnets = {f"${{aws_subnet.{name}.id}}" for name in resources_of(document, "aws_subnet")}
        assert set(domain["subnet_ids"]) == subnets and len(subnets) == org.network.availability_zones
        keys = [n for n, b in resources_of(document, "aws_kms_key").items() if "/team-storage/" in _path(b)]
        assert domain["kms_key_id"] == f"${{aws_kms_key.{keys[0]}.arn}}"
        settings = domain["default_user_settings"]
        assert settings["sharing_settings"]["notebook_output_option"] == "Disabled"
        assert domain["domain_settings"]["docker_settings"]["enable_docker_access"] == "DISABLED"
        idle = settings["jupyter_lab_app_settings"]["app_lifecycle_management"]["idle_settings"]
        assert idle == {"lifecycle_management": "ENABLED", "idle_timeout_in_minutes": team.idle_timeout_minutes}


def test_studio_profiles_open_only_for_their_own_user(enterprise) -> None:
    out, org = enterprise
    fraud = org.team("fraud")
    document = stack_json(out, org.account(fraud.accounts["dev"]).name)
    profiles = resources_of(document, "aws_sagemaker_user_profile").values()
    assert {p["tags"]["studiouserid"] for p in profiles} == {m.user for m in fraud.members}
    permission_sets = resources_of(stack_json(out, f"{ORG}-organization"), "aws_ssoadmin_permission_set_inline_policy")
    for body in permission_sets.values():
        for statement in json.loads(body["inline_policy"])["Statement"]:
            if "sagemaker:CreatePresignedDomainUrl" in statement["Action"]:
                assert statement["Condition"] == {"StringEquals": {
                    "sagemaker:ResourceTag/studiouserid": "$${aws:PrincipalTag/studiouserid}"}}
    (attributes,) = resources_of(stack_json(out, f"{ORG}-organization"),
                               "aws_ssoadmin_instance_access_control_attributes").values()
    assert attributes["attribute"] == [{"key": "studiouserid", "value": [{"source": ["$${path:userName}"]}]}]


def test_jobs_run_only_in_the_team_vpc_with_the_team_key(enterprise) -> None:
    out, org = enterprise
    for team in org.teams:
        document = stack_json(out, org.account(team.accounts["dev"]).name)
        (key,) = [n for n, b in resources_of(document, "aws_kms_key").items() if "/team-storage/" in _path(b)]
        (group,) = [n for n, b in resources_of(document, "aws_security_group").items() if "/studio/" in _path(b)]
        subnets = sorted(f"${{aws_subnet.{n}.id}}" for n in resources_of(document, "aws_subnet"))
        policies = [b for b in resources_of(document, "aws_iam_role_policy").values() if "/execution-roles/" in _path(b)]
        assert len(policies) == 3
        for body in policies:
            statements = _statements(body["policy"])
            isolated = statements["IsolatedJobsInTeamVpc"]
            assert isolated["Action"] == ["sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateTrainingJob"]
            condition = isolated["Condition"]
            assert condition["Bool"] == {"sagemaker:NetworkIsolation": "true"}
            assert sorted(condition["ForAllValues:StringEquals"]["sagemaker:VpcSubnets"]) == subnets
            assert condition["ForAllValues:StringEquals"]["sagemaker:VpcSecurityGroupIds"] == [
                f"${{aws_security_group.{group}.id}}"]
            assert condition["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"] == list(team.instance_types)
            assert condition["StringEquals"]["sagemaker:VolumeKmsKey"] == f"${{aws_kms_key.{key}.arn}}"
            assert condition["Null"]["sagemaker:VpcSubnets"] == "false"
            assert "NetworkIsolation" not in json.dumps(statements["JobsInTeamVpc"]["Condition"])


def test_deployment_roles_trust_only_the_team_pipeline_and_approvers_only_its_prod(enterprise) -> None:
    out, org = enterprise
    platform = stack_json(out, PLATFORM)
    for team in org.teams:
        for env in ("test", "prod"):
            document = stack_json(out, org.account(team.accounts[env]).name)
            roles = {b["name"]: b for b in resources_of(document, "aws_iam_role").values()}
            trust = _statements(roles["model-deployment-action"]["assume_role_policy"])["TeamPipelineAssumes"]
            output = f"pipeline_role_arn_{team.name}"
            assert trust["Principal"]["AWS"] == f"${{data.terraform_remote_state.{PLATFORM}.outputs.{output}}}"
            assert re.fullmatch(rf"\$\{{aws_iam_role\.deployment-{re.escape(team.name)}_pipeline-role_[0-9A-F]{{8}}\.arn\}}",
                                platform["output"][output]["value"])
            deploy = _statements(roles["model-deployment"]["assume_role_policy"])["CloudFormationAssumes"]
            assert deploy["Principal"] == {"Service": "cloudformation.amazonaws.com"}
        approver = next(b for b in resources_of(platform, "aws_iam_role").values()
                        if b["name"] == f"{team.name}-release-approver")
        statement = _statements(approver["assume_role_policy"])["TeamProdMlEngineersAssume"]
        assert _account_keys(statement["Principal"]) == {team.accounts["prod"]}
        assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"].endswith(
            ":role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_ml-engineer_*")


def test_deployment_role_creates_only_isolated_models_and_encrypted_endpoints(enterprise) -> None:
    out, org = enterprise
    for team in org.teams:
        document = stack_json(out, org.account(team.accounts["prod"]).name)
        policy = next(b for b in resources_of(document, "aws_iam_role_policy").values() if b["name"] == "model-deployment")
        statements = _statements(policy["policy"])
        models = statements["ModelsInTeamVpcIsolated"]
        assert models["Action"] == ["sagemaker:CreateModel"]
        assert models["Condition"]["Bool"] == {"sagemaker:NetworkIsolation": "true"}
        configs = statements["EndpointConfigsWithTeamKey"]["Condition"]
        (key,) = [n for n, b in resources_of(document, "aws_kms_key").items() if "/team-storage/" in _path(b)]
        assert configs["StringEquals"] == {"sagemaker:VolumeKmsKey": f"${{aws_kms_key.{key}.arn}}"}
        everything = {a for s in statements.values() for a in s["Action"]}
        assert not {a for a in everything if a.endswith(":*") or a == "*"}


def test_ml_bus_and_images_are_open_to_the_ml_ous_of_the_organization_only(enterprise) -> None:
    out, _ = enterprise
    platform = stack_json(out, PLATFORM)
    (bus_policy,) = resources_of(platform, "aws_cloudwatch_event_bus_policy").values()
    policies = [bus_policy["policy"]] + [b["policy"] for b in resources_of(platform, "aws_ecr_repository_policy").values()]
    assert len(policies) == 3
    for text in policies:
        for statement in json.loads(text)["Statement"]:
            if statement["Principal"] == {"AWS": "*"}:
                condition = statement["Condition"]
                assert "organization" in condition["StringEquals"]["aws:PrincipalOrgID"]
                paths = condition["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"]
                assert paths and all("/ou-" not in p and p.endswith("/*") for p in paths)


def test_no_persona_can_pass_another_personas_role_or_retag_a_studio_profile(enterprise) -> None:
    out, org = enterprise
    for team in org.teams:
        document = stack_json(out, org.account(team.accounts["dev"]).name)
        roles = {n: b for n, b in resources_of(document, "aws_iam_role").items() if "/execution-roles/" in _path(b)}
        policies = [b for b in resources_of(document, "aws_iam_role_policy").values() if "/execution-roles/" in _path(b)]
        for body in policies:
            statements = _statements(body["policy"])
            (passed,) = statements["PassOwnRole"]["Resource"]
            assert passed.endswith(f":role/mlplat/studio-{body['name']}")
            deny = statements["ProtectStudioUserTag"]
            assert deny["Effect"] == "Deny" and deny["Condition"] == {
                "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": ["studiouserid"]}}
        assert len(roles) == len(policies) == 3
    inline = resources_of(stack_json(out, f"{ORG}-organization"), "aws_ssoadmin_permission_set_inline_policy")
    for body in inline.values():
        statements = json.loads(body["inline_policy"])["Statement"]
        for statement in statements:
            if statement["Action"] == ["iam:PassRole"]:
                assert all(":role/mlplat/studio-" in r for r in statement["Resource"]), statement
