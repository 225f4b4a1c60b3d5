"""What the deployment and runtime roles of a team's test and prod accounts may do: module 5's action lists, once.

The pipeline's action role may only run CloudFormation on the team's endpoint stacks with the
deployment role; the deployment role may only create models with the team's VPC config and network
isolation, endpoint configurations with the team's key and allowed instance types, endpoints,
scaling, alarms and monitoring schedules, and pass only the team's model and monitor roles.
"""

from __future__ import annotations

from typing import Any

from mlplat.modules.base import Props, statement
from mlplat.modules.ml_development.grants import (
    ECR_LOGIN,
    ECR_PULL,
    KEY_READ,
    KEY_USE,
    LOGS_WRITE,
    REGISTRY_READ,
    VPC_INTERFACES,
    VPC_READ,
    package_arns,
)

STACK_ACTIONS = (
    "cloudformation:CreateChangeSet", "cloudformation:CreateStack", "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack", "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet", "cloudformation:GetTemplate",
    "cloudformation:SetStackPolicy", "cloudformation:UpdateStack",
)
TEMPLATE_VALIDATION = ("cloudformation:ValidateTemplate",)
ARTIFACT_READ = ("s3:GetObject", "s3:GetObjectVersion")
CREATE_MODEL = ("sagemaker:CreateModel",)
CREATE_ENDPOINT_CONFIG = ("sagemaker:CreateEndpointConfig",)
ENDPOINT_LIFECYCLE = (
    "sagemaker:AddTags", "sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:DeleteEndpointConfig",
    "sagemaker:DeleteModel", "sagemaker:DeleteTags", "sagemaker:DescribeEndpoint",
    "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:ListTags", "sagemaker:UpdateEndpoint",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
)
MONITORING = (
    "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateModelQualityJobDefinition",
    "sagemaker:CreateMonitoringSchedule", "sagemaker:DeleteDataQualityJobDefinition",
    "sagemaker:DeleteModelQualityJobDefinition", "sagemaker:DeleteMonitoringSchedule",
    "sagemaker:DescribeDataQualityJobDefinition", "sagemaker:DescribeModelQualityJobDefinition",
    "sagemaker:DescribeMonitoringSchedule", "sagemaker:StartMonitoringSchedule", "sagemaker:StopMonitoringSchedule",
    "sagemaker:UpdateMonitoringSchedule",
)
SCALING = (
    "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
    "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
)
SCALING_ROLE = ("iam:CreateServiceLinkedRole",)
SCALING_SERVICE = "sagemaker.application-autoscaling.amazonaws.com"
ALARMS = ("cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm")
DATA_CAPTURE_WRITE = ("s3:PutObject",)
METRICS_WRITE = ("cloudwatch:PutMetricData",)
ENVIRONMENT_PARAMETERS = ("ssm:GetParameter", "ssm:GetParameters")
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
CLOUDFORMATION_SERVICE = "cloudformation.amazonaws.com"


class DeploymentScope(Props):
    """The team's resources in one test or prod account, and the platform's that the roles read."""

    team: str
    account_id: str
    region: str
    key_arn: str
    bucket_arn: str
    vpc_id: str
    subnet_ids: list[str]
    security_group_ids: list[str]
    instance_types: list[str]
    use_case_stacks: list[str]  # '<team>-<use case>-endpoint'
    central_model_package_group_arns: list[str]
    deployment_bucket_arn: str  # the team's pipeline artifacts, in the ML platform account
    deployment_key_arn: str
    model_source_bucket_arn: str | None  # the team's dev bucket, where trained models are (None: no dev)
    model_source_key_arn: str | None
    image_repository_arns: list[str]
    deployment_role_arn: str
    model_execution_role_arn: str
    model_monitor_role_arn: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


def _central_packages(scope: DeploymentScope) -> list[str]:
    return list(scope.central_model_package_group_arns) + package_arns(scope.central_model_package_group_arns)


def _environment_parameters(scope: DeploymentScope) -> dict[str, Any]:
    # the deploy template's parameters of type AWS::SSM::Parameter::Value are resolved with the caller's rights
    return statement("EnvironmentParameters", ENVIRONMENT_PARAMETERS, [scope.arn("ssm", "parameter/mlplat/*")])


def deployment_action(scope: DeploymentScope) -> list[dict[str, Any]]:
    """The role the team's pipeline assumes: CloudFormation on the team's endpoint stacks, nothing else."""
    stacks = [scope.arn("cloudformation", f"stack/{name}/*") for name in scope.use_case_stacks]
    return [
        _environment_parameters(scope),
        statement("EndpointStacks", STACK_ACTIONS, stacks),
        statement("ValidateTemplates", TEMPLATE_VALIDATION),
        statement("PassDeploymentRole", ["iam:PassRole"], [scope.deployment_role_arn],
                  conditions={"StringEquals": {"iam:PassedToService": CLOUDFORMATION_SERVICE}}),
        statement("PipelineArtifacts", ARTIFACT_READ, [f"{scope.deployment_bucket_arn}/*"]),
        statement("PipelineArtifactsKey", KEY_READ, [scope.deployment_key_arn]),
    ]


def deployment(scope: DeploymentScope) -> list[dict[str, Any]]:
    """The role CloudFormation deploys endpoint stacks with."""
    own = scope.arn("sagemaker", "*")
    return [
        _environment_parameters(scope),
        statement("ModelsInTeamVpcIsolated", CREATE_MODEL, [scope.arn("sagemaker", "model/*")], conditions={
            "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": list(scope.subnet_ids),
                                          "sagemaker:VpcSecurityGroupIds": list(scope.security_group_ids)},
            "Bool": {"sagemaker:NetworkIsolation": "true"},
            "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"}}),
        statement("EndpointConfigsWithTeamKey", CREATE_ENDPOINT_CONFIG, [scope.arn("sagemaker", "endpoint-config/*")],
                  conditions={"StringEquals": {"sagemaker:VolumeKmsKey": scope.key_arn},
                              "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(scope.instance_types)},
                              "Null": {"sagemaker:VolumeKmsKey": "false"}}),
        statement("Endpoints", ENDPOINT_LIFECYCLE, [own]),
        statement("Monitoring", MONITORING, [own]),
        statement("ReadCentralRegistry", REGISTRY_READ, _central_packages(scope)),
        statement("Scaling", SCALING),
        statement("ScalingServiceRole", SCALING_ROLE, [
            f"arn:aws:iam::{scope.account_id}:role/aws-service-role/{SCALING_SERVICE}/*"],
            conditions={"StringEquals": {"iam:AWSServiceName": SCALING_SERVICE}}),
        # the team's alarms, and those Application Auto Scaling makes for the team's endpoints' target tracking
        statement("Alarms", ALARMS, [scope.arn("cloudwatch", f"alarm:{scope.team}-*"),
                                     scope.arn("cloudwatch", f"alarm:TargetTracking-endpoint/{scope.team}-*")]),
        statement("PassRuntimeRoles", ["iam:PassRole"], [scope.model_execution_role_arn, scope.model_monitor_role_arn],
                  conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER_SERVICE}}),
        statement("TeamKey", KEY_USE, [scope.key_arn]),
    ]


def _runtime_common(scope: DeploymentScope) -> list[dict[str, Any]]:
    return [
        statement("TeamKey", KEY_USE, [scope.key_arn]),
        statement("EcrLogin", ECR_LOGIN),
        statement("Logs", LOGS_WRITE, [scope.arn("logs", "log-group:/aws/sagemaker/*")]),
        statement("Metrics", METRICS_WRITE, conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}),
        statement("VpcRead", VPC_READ),
        statement("VpcInterfaces", VPC_INTERFACES,
                  conditions={"ArnEquals": {"ec2:Vpc": scope.arn("ec2", f"vpc/{scope.vpc_id}")}}),
    ]


def model_execution(scope: DeploymentScope, models_prefix: str, capture_prefix: str) -> list[dict[str, Any]]:
    """The role endpoints' models run as: the team's trained models in, captured data out."""
    trained = [
        statement("ReadTrainedModels", ["s3:GetObject"], [f"{scope.model_source_bucket_arn}/{models_prefix}*"]),
        statement("TrainedModelsKey", KEY_READ, [scope.model_source_key_arn]),
    ] if scope.model_source_bucket_arn and scope.model_source_key_arn else []
    return _runtime_common(scope) + trained + [
        statement("PullPlatformImages", ECR_PULL, list(scope.image_repository_arns)),
        statement("ReadCentralRegistry", REGISTRY_READ, _central_packages(scope)),
        statement("WriteDataCapture", DATA_CAPTURE_WRITE, [f"{scope.bucket_arn}/{capture_prefix}*"]),
    ]


def model_monitor(scope: DeploymentScope, capture_prefix: str, monitoring_prefix: str) -> list[dict[str, Any]]:
    """The role Model Monitor jobs run as: captured data in, reports out."""
    return _runtime_common(scope) + [
        statement("ListTeamBucket", ["s3:ListBucket"], [scope.bucket_arn]),
        statement("ReadDataCapture", ["s3:GetObject"], [f"{scope.bucket_arn}/{capture_prefix}*",
                                                        f"{scope.bucket_arn}/{monitoring_prefix}*"]),
        statement("WriteReports", ["s3:PutObject"], [f"{scope.bucket_arn}/{monitoring_prefix}*"]),
        statement("PullMonitorImages", ECR_PULL, [f"arn:aws:ecr:{scope.region}:*:repository/sagemaker-model-monitor-analyzer"]),
    ]
