"""The roles of a team's test or prod account: deployment by the team's pipeline, and the endpoints' runtime."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement
from mlplat.modules.ml_development import defaults as dev_defaults
from mlplat.modules.ml_development.execution_roles import PLATFORM_IAM_PATH, sagemaker_trust
from mlplat.modules.ml_operations import defaults, grants


class DeploymentRolesProps(Props):
    scope: grants.DeploymentScope
    pipeline_role_arn: str  # the team's pipeline role in the ML platform account: the only one trusted
    provider: Any = None


class DeploymentRoles(Construct):
    """Four roles under the platform path.

    * ``model-deployment-action``: trusted only by the team's deployment pipeline role; runs
      CloudFormation on the team's endpoint stacks with the deployment role, reads the pipeline's
      artifacts.
    * ``model-deployment``: trusted by CloudFormation for this account only; creates the endpoint
      stack's resources within the team's VPC, key and instance types.
    * ``model-execution`` and ``model-monitor``: trusted by SageMaker for this account only; what a
      model and its monitoring jobs read and write.
    """

    def __init__(self, scope: Construct, id: str, props: DeploymentRolesProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        team = props.scope
        pipeline_trust = policy_document([statement(
            "TeamPipelineAssumes", ["sts:AssumeRole"], None, principals={"AWS": props.pipeline_role_arn})])
        cloudformation_trust = service_trust(grants.CLOUDFORMATION_SERVICE, team.account_id, "CloudFormationAssumes")
        roles = (
            (defaults.DEPLOYMENT_ACTION_ROLE, pipeline_trust, grants.deployment_action(team),
             "Assumed by the team's deployment pipeline to deploy endpoint stacks"),
            (defaults.DEPLOYMENT_ROLE, cloudformation_trust, grants.deployment(team),
             "CloudFormation's role for the team's endpoint stacks"),
            (defaults.MODEL_EXECUTION_ROLE, sagemaker_trust(team.account_id),
             grants.model_execution(team, dev_defaults.MODELS_PREFIX, dev_defaults.DATA_CAPTURE_PREFIX),
             "The role the team's deployed models run as"),
            (defaults.MODEL_MONITOR_ROLE, sagemaker_trust(team.account_id),
             grants.model_monitor(team, dev_defaults.DATA_CAPTURE_PREFIX, dev_defaults.MONITORING_PREFIX),
             "The role the team's model monitoring jobs run as"),
        )
        self.arns: dict[str, str] = {}
        self.names: dict[str, str] = {}  # role name -> a reference to it
        for name, trust, statements, description in roles:
            role = aws.iam_role.IamRole(self, name, name=name, path=PLATFORM_IAM_PATH, description=description,
                                        assume_role_policy=trust, **provider)
            aws.iam_role_policy.IamRolePolicy(self, f"{name}-policy", name=name, role=role.name,
                                              policy=policy_document(statements), **provider)
            self.arns[name] = role.arn
            self.names[name] = role.name
