"""The SageMaker execution roles of a team account: one per team persona, least privilege."""

from __future__ import annotations

from typing import Any, Callable

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust
from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH
from mlplat.modules.ml_development.grants import SAGEMAKER_SERVICE, TeamScope


def role_arn(account_id: str, name: str) -> str:
    """The ARN of a platform role, known before the role exists (so policies can name each other's roles)."""
    return f"arn:aws:iam::{account_id}:role{PLATFORM_IAM_PATH}{name}"


def sagemaker_trust(account_id: str) -> str:
    """Trusted by SageMaker acting for this account only (confused deputy guard)."""
    return service_trust(SAGEMAKER_SERVICE, account_id, "SageMakerAssumes")


class ExecutionRolesProps(Props):
    scope: TeamScope
    roles: dict[str, str]  # persona -> role name
    grants: dict[str, Callable[[TeamScope], list[dict[str, Any]]]]  # persona -> its statements
    provider: Any = None


class ExecutionRoles(Construct):
    """One IAM role per persona under the platform path, assumed by SageMaker for this account only
    (``aws:SourceAccount``), with the persona's inline policy and no managed policy."""

    def __init__(self, scope: Construct, id: str, props: ExecutionRolesProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.arns: dict[str, str] = {}
        self.names: dict[str, str] = {}  # persona -> the role's name (a reference to the role)
        for persona, name in sorted(props.roles.items()):
            role = aws.iam_role.IamRole(
                self, persona, name=name, path=PLATFORM_IAM_PATH,
                description=f"SageMaker execution role of the {persona} persona",
                assume_role_policy=sagemaker_trust(props.scope.account_id), **provider)
            # each role may pass only itself to SageMaker: no persona runs a job with another's rights
            own = props.scope.model_copy(update={"passable_role_arns": [role_arn(props.scope.account_id, name)]})
            aws.iam_role_policy.IamRolePolicy(
                self, f"{persona}-policy", name=persona, role=role.name,
                policy=policy_document(props.grants[persona](own)), **provider)
            self.arns[persona] = role.arn
            self.names[persona] = role.name
