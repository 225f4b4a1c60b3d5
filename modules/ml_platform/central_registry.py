"""The central model registry: one model package group per team use case, shared with that team only."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement, unique

REGISTER = ("sagemaker:CreateModelPackage",)
APPROVE = ("sagemaker:UpdateModelPackage",)
READ = ("sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages")


class TeamRegistry(Props):
    team: str
    groups: list[str]  # model package group names
    registering_account_ids: list[str]  # the team's dev and test accounts
    reading_account_ids: list[str]  # the team's test and prod accounts
    approving_account_ids: list[str]  # the team's dev account (its lead approves there)


class CentralModelRegistryProps(Props):
    account_id: str
    region: str
    teams: list[TeamRegistry]
    provider: Any = None


def group_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{account_id}:model-package-group/{name}"


class CentralModelRegistry(Construct):
    """Model package groups of every team's use cases, each with a resource policy that names accounts
    of that team only: its dev and test accounts register packages, its test and prod accounts read
    them, its dev account (where its lead works) approves them. No principal outside those accounts,
    no wildcard principal."""

    def __init__(self, scope: Construct, id: str, props: CentralModelRegistryProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.group_arns: dict[str, str] = {}
        for team in props.teams:
            for name in team.groups:
                group = aws.sagemaker_model_package_group.SagemakerModelPackageGroup(
                    self, f"group-{name}", model_package_group_name=name,
                    model_package_group_description=f"Central registry of {name} (team {team.team})",
                    tags={"team": team.team}, **provider)
                arn = group_arn(props.region, props.account_id, name)
                packages = f"arn:aws:sagemaker:{props.region}:{props.account_id}:model-package/{name}/*"

                def roots(ids: list[str]) -> dict[str, Any]:
                    return {"AWS": unique(f"arn:aws:iam::{i}:root" for i in ids)}

                statements = [
                    # a package arrives pending: approval is a separate act (TeamLeadApproves, or the
                    # governance officer in this account)
                    statement("TeamRegistersPending", REGISTER, [arn, packages],
                              principals=roots(team.registering_account_ids),
                              conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}),
                    statement("TeamRegistersReads", READ, [arn, packages], principals=roots(team.registering_account_ids)),
                    statement("TeamReads", READ, [arn, packages], principals=roots(team.reading_account_ids)),
                ]
                if team.approving_account_ids:
                    statements.append(statement("TeamLeadApproves", APPROVE, [packages],
                                                principals=roots(team.approving_account_ids)))
                aws.sagemaker_model_package_group_policy.SagemakerModelPackageGroupPolicy(
                    self, f"policy-{name}", model_package_group_name=group.model_package_group_name,
                    resource_policy=policy_document(statements), **provider)
                self.group_arns[name] = arn
