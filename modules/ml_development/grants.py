"""What the roles of a team's dev account may do: every action list of module 4, once.

Each statement names the team's own resources (its bucket, key, VPC, subnets, security group, model
package groups in the local and central registries, its roles) or the platform's shared read-only
ones (the ECR repositories); nothing is granted on a pattern that could match another team's
resource. Jobs that SageMaker runs on a role's behalf are allowed only with the team's VPC config,
the team's KMS key and an allowed instance type (IAM conditions, on top of the sagemaker-guardrails
SCP); training and tuning jobs also only with network isolation.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.modules.base import Props, statement

SAGEMAKER_READ = ("sagemaker:Describe*", "sagemaker:GetSearchSuggestions", "sagemaker:List*", "sagemaker:Search")
STUDIO_APPS = (
    "sagemaker:AddTags", "sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:DeleteApp",
    "sagemaker:DeleteSpace", "sagemaker:UpdateSpace",
)
# The tag that ties a Studio profile to its user is the platform's alone: nobody adds, changes or removes it.
STUDIO_USER_TAG = "studiouserid"
TAGGING = ("sagemaker:AddTags", "sagemaker:DeleteTags")
# SageMaker projects from the platform's Service Catalog portfolio, started from Studio.
PROJECTS = (
    "sagemaker:CreateProject", "sagemaker:DeleteProject", "sagemaker:DescribeProject", "sagemaker:ListProjects",
    "sagemaker:UpdateProject", "servicecatalog:DescribeProduct", "servicecatalog:DescribeProductView",
    "servicecatalog:DescribeProvisionedProduct", "servicecatalog:DescribeProvisioningParameters",
    "servicecatalog:DescribeRecord", "servicecatalog:ListLaunchPaths", "servicecatalog:ProvisionProduct",
    "servicecatalog:SearchProducts", "servicecatalog:TerminateProvisionedProduct",
    "servicecatalog:UpdateProvisionedProduct",
)
# Jobs whose requests carry VPC, KMS, instance type and network isolation condition keys.
ISOLATED_JOBS = ("sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateTrainingJob")
VPC_JOBS = ("sagemaker:CreateProcessingJob",)
JOB_CONTROL = (
    "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob",
)
EXPERIMENTS = (
    "sagemaker:AssociateTrialComponent", "sagemaker:CreateExperiment", "sagemaker:CreateTrial",
    "sagemaker:CreateTrialComponent", "sagemaker:DeleteExperiment", "sagemaker:DeleteTrial",
    "sagemaker:DeleteTrialComponent", "sagemaker:DisassociateTrialComponent", "sagemaker:UpdateExperiment",
    "sagemaker:UpdateTrial", "sagemaker:UpdateTrialComponent",
)
PIPELINE_RUNS = (
    "sagemaker:RetryPipelineExecution", "sagemaker:SendPipelineExecutionStepFailure",
    "sagemaker:SendPipelineExecutionStepSuccess", "sagemaker:StartPipelineExecution",
    "sagemaker:StopPipelineExecution",
)
PIPELINE_AUTHORING = ("sagemaker:CreatePipeline", "sagemaker:DeletePipeline", "sagemaker:UpdatePipeline")
REGISTER_MODEL = ("sagemaker:CreateModelPackage",)
APPROVE_MODEL = ("sagemaker:UpdateModelPackage",)
REGISTRY_READ = ("sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
                 "sagemaker:ListModelPackages")
MLFLOW = ("sagemaker-mlflow:*",)
MLFLOW_URL = ("sagemaker:CreatePresignedMlflowTrackingServerUrl",)
BUCKET_LIST = ("s3:GetBucketLocation", "s3:ListBucket")
OBJECT_READ_WRITE = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject")
OBJECT_READ = ("s3:GetObject",)
KEY_USE = ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
           "kms:ReEncrypt*")
KEY_READ = ("kms:Decrypt", "kms:DescribeKey")
ECR_LOGIN = ("ecr:GetAuthorizationToken",)
ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
LOGS_WRITE = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
METRICS_WRITE = ("cloudwatch:PutMetricData",)
VPC_READ = (
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
)
VPC_INTERFACES = ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                  "ec2:DeleteNetworkInterfacePermission")
PASS_ROLE = ("iam:PassRole",)
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
# the promotion build copies an approved package into the central registry
PROMOTION_SOURCE = ("sagemaker:DescribeModelPackage",)


def package_arns(group_arns: list[str]) -> list[str]:
    """The ARNs of the packages of these model package groups (``.../model-package/<group>/*``)."""
    return [arn.replace(":model-package-group/", ":model-package/") + "/*" for arn in group_arns]


class TeamScope(Props):
    """The team's own resources in one account, which its roles' statements name."""

    account_id: str
    region: str
    bucket_arn: str
    key_arn: str
    vpc_id: str
    subnet_ids: list[str]
    security_group_ids: list[str]
    local_model_package_groups: list[str]  # names, in this account
    central_model_package_group_arns: list[str]  # the team's groups in the central registry
    image_repository_arns: list[str]  # the platform's ECR repositories (pull only)
    passable_role_arns: list[str]  # roles of this team that may be passed to SageMaker
    instance_types: list[str]
    mlflow_tracking_server_arn: str | None = None
    studio_domain_arn: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    def local_group_arns(self) -> list[str]:
        return [self.arn("sagemaker", f"model-package-group/{g}") for g in self.local_model_package_groups]

    def local_package_arns(self) -> list[str]:
        return [self.arn("sagemaker", f"model-package/{g}/*") for g in self.local_model_package_groups]

    def central_package_arns(self) -> list[str]:
        return package_arns(self.central_model_package_group_arns)


def _job_conditions(scope: TeamScope, *, isolated: bool) -> dict[str, dict[str, Any]]:
    conditions: dict[str, dict[str, Any]] = {
        "ForAllValues:StringEquals": {
            "sagemaker:VpcSubnets": list(scope.subnet_ids),
            "sagemaker:VpcSecurityGroupIds": list(scope.security_group_ids),
            "sagemaker:InstanceTypes": list(scope.instance_types),
        },
        "StringEquals": {"sagemaker:VolumeKmsKey": scope.key_arn, "sagemaker:OutputKmsKey": scope.key_arn},
        # the keys must be present: a request without a VPC config or keys does not match
        "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VolumeKmsKey": "false",
                 "sagemaker:OutputKmsKey": "false"},
    }
    if isolated:
        conditions["Bool"] = {"sagemaker:NetworkIsolation": "true"}
    return conditions


def data_scientist(scope: TeamScope) -> list[dict[str, Any]]:
    """Experiment in Studio and run jobs and pipelines inside the team's VPC, with the team's key."""
    own = scope.arn("sagemaker", "*")
    statements = [
        statement("SageMakerRead", SAGEMAKER_READ),
        statement("StudioApps", STUDIO_APPS, [scope.arn("sagemaker", "app/*"), scope.arn("sagemaker", "space/*")],
                  conditions={"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["system", *scope.instance_types]}}),
        statement("IsolatedJobsInTeamVpc", ISOLATED_JOBS, [own], conditions=_job_conditions(scope, isolated=True)),
        statement("JobsInTeamVpc", VPC_JOBS, [own], conditions=_job_conditions(scope, isolated=False)),
        statement("JobControl", JOB_CONTROL, [own]),
        statement("Experiments", EXPERIMENTS, [own]),
        statement("PipelineRuns", PIPELINE_RUNS, [scope.arn("sagemaker", "pipeline/*")]),
        # a package arrives pending: only the lead approves it (ApproveTeamModels)
        statement("RegisterInLocalRegistry", REGISTER_MODEL, scope.local_group_arns() + scope.local_package_arns(),
                  conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}),
        statement("ReadCentralRegistry", REGISTRY_READ,
                  list(scope.central_model_package_group_arns) + scope.central_package_arns()),
        statement("TeamBucketList", BUCKET_LIST, [scope.bucket_arn]),
        statement("TeamBucketObjects", OBJECT_READ_WRITE, [f"{scope.bucket_arn}/*"]),
        statement("TeamKey", KEY_USE, [scope.key_arn]),
        statement("EcrLogin", ECR_LOGIN),
        statement("PullPlatformImages", ECR_PULL, list(scope.image_repository_arns)),
        statement("Logs", LOGS_WRITE, [scope.arn("logs", "log-group:/aws/sagemaker/*")]),
        statement("Metrics", METRICS_WRITE, conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}),
        statement("VpcRead", VPC_READ),
        statement("VpcInterfaces", VPC_INTERFACES,
                  conditions={"ArnEquals": {"ec2:Vpc": scope.arn("ec2", f"vpc/{scope.vpc_id}")}}),
        statement("PassOwnRole", PASS_ROLE, list(scope.passable_role_arns),
                  conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER_SERVICE}}),
        protect_studio_user_tag(),
    ]
    if scope.mlflow_tracking_server_arn:
        statements += [statement("ExperimentTracking", MLFLOW, [scope.mlflow_tracking_server_arn]),
                       statement("ExperimentTrackingUi", MLFLOW_URL, [scope.mlflow_tracking_server_arn])]
    return statements


def protect_studio_user_tag() -> dict[str, Any]:
    """Deny adding, changing or removing the tag that ties a Studio profile to its user."""
    return statement("ProtectStudioUserTag", TAGGING, "*", effect="Deny",
                     conditions={"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [STUDIO_USER_TAG]}})


def ml_team_lead(scope: TeamScope) -> list[dict[str, Any]]:
    """A data scientist's rights, plus approving the team's packages and starting SageMaker projects."""
    return data_scientist(scope) + [
        statement("ApproveTeamModels", APPROVE_MODEL, scope.local_package_arns() + scope.central_package_arns()),
        statement("Projects", PROJECTS),
    ]


def ml_engineer(scope: TeamScope) -> list[dict[str, Any]]:
    """A data scientist's rights, plus authoring the team's SageMaker pipelines."""
    return data_scientist(scope) + [
        statement("PipelineAuthoring", PIPELINE_AUTHORING, [scope.arn("sagemaker", "pipeline/*")]),
    ]


PERSONA_GRANTS = {"data-scientist": data_scientist, "ml-team-lead": ml_team_lead, "ml-engineer": ml_engineer}


def promotion(scope: TeamScope, log_group_arn: str) -> list[dict[str, Any]]:
    """Copy an approved package of the local registry into the team's groups of the central registry."""
    return [
        statement("ReadApprovedPackage", PROMOTION_SOURCE + REGISTRY_READ,
                  scope.local_group_arns() + scope.local_package_arns()),
        statement("RegisterInCentralRegistry", REGISTER_MODEL + REGISTRY_READ,
                  list(scope.central_model_package_group_arns) + scope.central_package_arns()),
        statement("BuildLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), [log_group_arn, f"{log_group_arn}:*"]),
        statement("TeamKey", KEY_READ + ("kms:GenerateDataKey*",), [scope.key_arn]),
        statement("VpcRead", VPC_READ),
        statement("VpcInterfaces", VPC_INTERFACES,
                  conditions={"ArnEquals": {"ec2:Vpc": scope.arn("ec2", f"vpc/{scope.vpc_id}")}}),
    ]


def mlflow(scope: TeamScope, artifact_prefix: str) -> list[dict[str, Any]]:
    """The tracking server stores its artifacts under one prefix of the team bucket."""
    return [
        statement("ListArtifacts", BUCKET_LIST, [scope.bucket_arn],
                  conditions={"StringLike": {"s3:prefix": [f"{artifact_prefix}*"]}}),
        statement("Artifacts", OBJECT_READ_WRITE, [f"{scope.bucket_arn}/{artifact_prefix}*"]),
        statement("TeamKey", KEY_READ + ("kms:GenerateDataKey*",), [scope.key_arn]),
        statement("RegisterModels", REGISTER_MODEL, scope.local_group_arns() + scope.local_package_arns(),
                  conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}),
    ]
