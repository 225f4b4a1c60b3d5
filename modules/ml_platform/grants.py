"""What the ML platform account's roles may do: module 3's action lists, once."""

from __future__ import annotations

from typing import Any

from mlplat.modules.base import statement
from mlplat.modules.ml_development.grants import KEY_READ, KEY_USE, REGISTRY_READ, package_arns

PIPELINE_ARTIFACTS = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject")
BUILDS = ("codebuild:BatchGetBuilds", "codebuild:StartBuild")
APPROVAL = ("codepipeline:GetPipeline", "codepipeline:GetPipelineExecution", "codepipeline:GetPipelineState",
            "codepipeline:ListActionExecutions", "codepipeline:ListPipelineExecutions", "codepipeline:PutApprovalResult")
NOTIFY = ("sns:Publish",)
LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
LAUNCH_STACKS = (
    "cloudformation:CreateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks", "cloudformation:GetTemplateSummary", "cloudformation:SetStackPolicy",
    "cloudformation:UpdateStack", "cloudformation:ValidateTemplate",
)
LAUNCH_SAGEMAKER = (
    "sagemaker:AddTags", "sagemaker:CreateDomain", "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateModel", "sagemaker:CreateModelPackageGroup", "sagemaker:CreatePipeline",
    "sagemaker:CreateUserProfile", "sagemaker:DeleteDomain", "sagemaker:DeleteEndpoint",
    "sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel", "sagemaker:DeleteModelPackageGroup",
    "sagemaker:DeletePipeline", "sagemaker:DeleteTags", "sagemaker:DeleteUserProfile", "sagemaker:Describe*",
    "sagemaker:List*", "sagemaker:UpdateDomain", "sagemaker:UpdateEndpoint", "sagemaker:UpdatePipeline",
    "sagemaker:UpdateUserProfile",
)
LAUNCH_SCALING_AND_ALARMS = (
    "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:Describe*", "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
)
LAUNCH_READS = ("ssm:GetParameters", "ssm:GetParameter")
LAUNCH_VPC = ("ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "elasticfilesystem:CreateFileSystem",
              "elasticfilesystem:CreateMountTarget", "elasticfilesystem:DescribeFileSystems",
              "elasticfilesystem:DescribeMountTargets")


def pipeline(*, deploy_bucket_arn: str, deploy_key_arn: str, source_bucket_arn: str, source_object_arn: str,
             products_key_arn: str,
             build_project_arns: list[str], action_role_arns: list[str], topic_arn: str) -> list[dict[str, Any]]:
    """A team's deployment pipeline: its artifacts, its source, its builds, the team's action roles."""
    return [
        statement("ArtifactsBucket", ["s3:GetBucketVersioning"], [deploy_bucket_arn]),
        statement("Artifacts", PIPELINE_ARTIFACTS, [f"{deploy_bucket_arn}/*"]),
        statement("ArtifactsKey", KEY_USE, [deploy_key_arn]),
        statement("DeployTemplateSourceBucket", ["s3:GetBucketVersioning"], [source_bucket_arn]),
        statement("DeployTemplateSource", ("s3:GetObject", "s3:GetObjectVersion"), [source_object_arn]),
        statement("DeployTemplateKey", KEY_READ, [products_key_arn]),
        statement("Builds", BUILDS, list(build_project_arns)),
        statement("TeamAccountsDeploy", ["sts:AssumeRole"], list(action_role_arns)),
        statement("ApprovalNotifications", NOTIFY, [topic_arn]),
    ]


def resolve_build(*, group_arns: list[str], deploy_bucket_arn: str, deploy_key_arn: str,
                  log_group_arn: str) -> list[dict[str, Any]]:
    """The build that finds the approved package of a use case: read the team's central groups only."""
    return [
        statement("ReadTeamRegistry", REGISTRY_READ, list(group_arns) + package_arns(group_arns)),
        statement("Artifacts", PIPELINE_ARTIFACTS, [f"{deploy_bucket_arn}/*"]),
        statement("ArtifactsKey", KEY_USE, [deploy_key_arn]),
        statement("BuildLogs", LOGS, [log_group_arn, f"{log_group_arn}:*"]),
    ]


def release_approver(pipeline_arns: list[str]) -> list[dict[str, Any]]:
    """Approve (or reject) the prod stage of the team's pipelines, and see their state."""
    resources = sorted({r for a in pipeline_arns for r in (a, f"{a}/*")})
    return [statement("ApproveTeamReleases", APPROVAL, resources)]


def launch(*, account_id: str, region: str, passable_role_arns: list[str], key_arn: str,
           template_bucket_arn: str, products_key_arn: str) -> list[dict[str, Any]]:
    """Service Catalog's launch role in a team dev account: create the products' resources there."""
    own = f"arn:aws:sagemaker:{region}:{account_id}:*"
    return [
        statement("ProductStacks", LAUNCH_STACKS, [f"arn:aws:cloudformation:{region}:{account_id}:stack/SC-*"]),
        statement("ProductTemplates", ["s3:GetObject"], [f"{template_bucket_arn}/*"]),
        statement("ProductTemplatesKey", KEY_READ, [products_key_arn]),
        statement("ProductResources", LAUNCH_SAGEMAKER, [own]),
        statement("EnvironmentParameters", LAUNCH_READS,
                  [f"arn:aws:ssm:{region}:{account_id}:parameter/mlplat/*"]),
        statement("StudioNetworkAndStorage", LAUNCH_VPC),
        statement("EndpointScalingAndAlarms", LAUNCH_SCALING_AND_ALARMS),
        statement("ScalingServiceRole", ["iam:CreateServiceLinkedRole"],
                  [f"arn:aws:iam::{account_id}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*"],
                  conditions={"StringEquals": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}}),
        statement("TeamKey", KEY_USE, [key_arn]),
        statement("PassTeamRoles", ["iam:PassRole"], list(passable_role_arns),
                  conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}),
    ]
