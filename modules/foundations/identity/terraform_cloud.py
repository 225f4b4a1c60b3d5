"""Terraform Cloud's access to one account: its OIDC provider and a plan and an apply role per workspace."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.foundations.identity import defaults


class WorkspaceRoles(Props):
    """The workspace whose runs reach the account, and the names of its roles by run phase."""

    workspace: str
    role_names: dict[str, str]  # run phase (plan, apply) -> role name


class TerraformCloudAccessProps(Props):
    hostname: str  # app.terraform.io, or a Terraform Enterprise host: the tokens' issuer
    organization: str  # the Terraform Cloud organization
    project: str  # the project holding the workspaces
    workspaces: list[WorkspaceRoles] = Field(min_length=1)
    provider: Any = None


def subject(organization: str, project: str, workspace: str, phase: str) -> str:
    """The ``sub`` claim of a run's identity token: exactly one workspace in one run phase."""
    return f"organization:{organization}:project:{project}:workspace:{workspace}:run_phase:{phase}"


class TerraformCloudAccess(Construct):
    """An IAM OIDC provider for the Terraform Cloud host and, per workspace, a plan and an apply role.

    Secure defaults: each role trusts only identity tokens of that host with the audience
    ``aws.workload.identity`` whose subject names exactly its organization, project, workspace and run
    phase (``StringEquals``, no wildcard), so a plan can never take the apply role, nor another workspace
    either role. The plan role holds ``ReadOnlyAccess`` (a plan refreshes, it writes nothing; the state is
    in Terraform Cloud, not in this account); the apply role holds ``AdministratorAccess``, what the
    execution role has when mlplat runs Terraform itself. Both live under the platform path.
    The thumbprint list is left to IAM, which takes the host's certificate authority itself.
    """

    def __init__(self, scope: Construct, id: str, props: TerraformCloudAccessProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.oidc_provider = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
            self, "oidc-provider", url=f"https://{props.hostname}",
            client_id_list=[defaults.TERRAFORM_CLOUD_AUDIENCE], **provider)
        self.role_arns: dict[tuple[str, str], str] = {}  # (workspace, phase) -> role ARN
        for workspace in props.workspaces:
            for phase in defaults.TERRAFORM_CLOUD_RUN_PHASES:
                name = workspace.role_names[phase]
                trust = policy_document([statement(
                    "TerraformCloudRunAssumes", ["sts:AssumeRoleWithWebIdentity"], None,
                    principals={"Federated": self.oidc_provider.arn},
                    conditions={"StringEquals": {
                        f"{props.hostname}:aud": defaults.TERRAFORM_CLOUD_AUDIENCE,
                        f"{props.hostname}:sub": subject(props.organization, props.project, workspace.workspace, phase),
                    }},
                )])
                role = aws.iam_role.IamRole(
                    self, name, name=name, path=defaults.PLATFORM_IAM_PATH, assume_role_policy=trust,
                    description=f"Terraform Cloud {phase} runs of workspace {workspace.workspace}", **provider)
                aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                    self, f"{name}-policy", role=role.name, policy_arn=defaults.TERRAFORM_CLOUD_POLICIES[phase],
                    **provider)
                self.role_arns[(workspace.workspace, phase)] = role.arn
