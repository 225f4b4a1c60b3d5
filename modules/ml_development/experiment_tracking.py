"""A managed MLflow tracking server in the team's dev account."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document
from mlplat.modules.ml_development import defaults, grants
from mlplat.modules.ml_development.execution_roles import PLATFORM_IAM_PATH, sagemaker_trust


class ExperimentTrackingProps(Props):
    scope: grants.TeamScope
    bucket_name: str  # the team bucket, holding the artifact store
    name: str
    size: str  # Small, Medium, Large
    artifact_prefix: str = defaults.MLFLOW_PREFIX
    provider: Any = None


class ExperimentTracking(Construct):
    """A SageMaker managed MLflow tracking server whose artifact store is a prefix of the team bucket.

    Its role (assumed by SageMaker for this account only) reads and writes that prefix, uses the
    team's key, and registers models in the team's local model package groups, nothing else. It is
    reached through the SageMaker API endpoint; access is the team personas' ``sagemaker-mlflow:*``
    on this server only.
    """

    def __init__(self, scope: Construct, id: str, props: ExperimentTrackingProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        team = props.scope
        role = aws.iam_role.IamRole(
            self, "role", name="mlflow-tracking", path=PLATFORM_IAM_PATH,
            description="The MLflow tracking server's access to its artifact store",
            assume_role_policy=sagemaker_trust(team.account_id), **provider)
        policy = aws.iam_role_policy.IamRolePolicy(
            self, "policy", name="artifact-store", role=role.name,
            policy=policy_document(grants.mlflow(team, props.artifact_prefix)), **provider)
        self.server = aws.sagemaker_mlflow_tracking_server.SagemakerMlflowTrackingServer(
            self, "server", tracking_server_name=props.name, tracking_server_size=props.size,
            artifact_store_uri=f"s3://{props.bucket_name}/{props.artifact_prefix}", role_arn=role.arn,
            automatic_model_registration=True, depends_on=[policy], **provider)
        self.arn: str = self.server.arn
