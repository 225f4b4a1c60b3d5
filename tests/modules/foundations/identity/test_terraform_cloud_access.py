"""Terraform Cloud's OIDC provider and the plan and apply roles of each workspace, in every account."""

from __future__ import annotations

import json
from typing import Any

from conftest import resources_of, stack_json

AUDIENCE = "aws.workload.identity"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _account_stacks(org) -> list[str]:
    return [s.name for s in org.stacks if s.kind == "account"]


def _roles(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """address -> body of the roles Terraform Cloud runs assume."""
    return {a: r for a, r in resources_of(document, "aws_iam_role").items() if "-tfc-" in r["name"]}


def test_every_account_trusts_the_terraform_cloud_host_once(terraform_cloud) -> None:
    out, org = terraform_cloud
    for name in _account_stacks(org):
        (provider,) = resources_of(stack_json(out, name), "aws_iam_openid_connect_provider").values()
        assert provider["url"] == "https://app.terraform.io"
        assert provider["client_id_list"] == [AUDIENCE]


def test_each_role_trusts_exactly_its_workspace_and_run_phase(terraform_cloud) -> None:
    out, org = terraform_cloud
    seen: list[tuple[str, str]] = []
    for name in _account_stacks(org):
        document = stack_json(out, name)
        (oidc_address,) = resources_of(document, "aws_iam_openid_connect_provider")
        for role in _roles(document).values():
            (statement,) = json.loads(role["assume_role_policy"])["Statement"]
            assert statement["Principal"] == {"Federated": f"${{aws_iam_openid_connect_provider.{oidc_address}.arn}}"}
            assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity"]
            assert "Resource" not in statement  # IAM refuses Resource in a trust policy
            assert statement["Effect"] == "Allow" and set(statement["Condition"]) == {"StringEquals"}
            claims = statement["Condition"]["StringEquals"]
            assert claims["app.terraform.io:aud"] == AUDIENCE and set(claims) == {"app.terraform.io:aud",
                                                                                  "app.terraform.io:sub"}
            prefix, _, rest = claims["app.terraform.io:sub"].partition(":workspace:")
            workspace, _, phase = rest.partition(":run_phase:")
            assert prefix == "organization:acme-tfc:project:acme"
            assert role["name"] == f"{workspace}-tfc-{phase}" and role["path"] == "/mlplat/"
            seen.append((workspace, phase))
    workspaces = [s.name for s in org.stacks if s.kind != "tfc_bootstrap"]
    assert sorted(seen) == sorted((w, p) for w in workspaces for p in ("plan", "apply"))


def test_the_management_account_holds_the_organization_and_management_workspaces_roles(terraform_cloud) -> None:
    out, _ = terraform_cloud
    names = sorted(r["name"] for r in _roles(stack_json(out, "acme-management")).values())
    assert names == ["acme-management-tfc-apply", "acme-management-tfc-plan",
                     "acme-organization-tfc-apply", "acme-organization-tfc-plan"]
    assert not _roles(stack_json(out, "acme-organization"))


def test_plan_roles_cannot_write_and_apply_roles_hold_what_the_execution_role_holds(terraform_cloud) -> None:
    out, org = terraform_cloud
    for name in _account_stacks(org):
        document = stack_json(out, name)
        roles = _roles(document)
        attached: dict[str, list[str]] = {address: [] for address in roles}
        for attachment in resources_of(document, "aws_iam_role_policy_attachment").values():
            address = attachment["role"].removeprefix("${aws_iam_role.").removesuffix(".name}")
            if address in attached:
                attached[address].append(attachment["policy_arn"])
        inline = [p for p in resources_of(document, "aws_iam_role_policy").values()
                  if p["role"].removeprefix("${aws_iam_role.").removesuffix(".name}") in roles]
        assert not inline  # no inline policy: the managed policy is all a role may do
        for address, role in roles.items():
            expected = READ_ONLY if role["name"].endswith("-tfc-plan") else "arn:aws:iam::aws:policy/AdministratorAccess"
            assert attached[address] == [expected]
