"""What each built-in persona may do beyond its AWS managed policies: the inline policy of its permission set.

Every action list lives here, once. Statements allow only; the service control policies already deny what
no persona may do (leaving VPC-only SageMaker, turning off security services, ...), so nothing is repeated.
Permission sets are shared by every team, so resources are scoped by what the platform's accounts hold
(one team environment per account) and by naming: the organization's buckets, roles under the platform path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlplat.modules.base import policy_document, statement
from mlplat.modules.foundations.identity import defaults

# The IAM policy variable, escaped for Terraform (which would read ${...} as one of its own interpolations).
PRINCIPAL_ACCOUNT = "$${aws:PrincipalAccount}"
# Every Identity Center session carries the signed-in user's name as the principal tag studiouserid; a
# Studio user profile tagged with the same value is the only one the session may open.
STUDIO_USER_TAG = "studiouserid"
ACCESS_CONTROL_ATTRIBUTES = {STUDIO_USER_TAG: "$${path:userName}"}
STUDIO_USER_MATCH = {f"sagemaker:ResourceTag/{STUDIO_USER_TAG}": f"$${{aws:PrincipalTag/{STUDIO_USER_TAG}}}"}
RELEASE_APPROVER_ROLE = "arn:aws:iam::{account}:role/mlplat/*-release-approver"
ALERTS_TOPIC = "arn:aws:sns:*:{account}:ml-alerts"
RELEASE_APPROVALS_TOPIC = "arn:aws:sns:*:{account}:*-release-approvals"

SAGEMAKER_READ = ("sagemaker:Describe*", "sagemaker:GetSearchSuggestions", "sagemaker:List*", "sagemaker:Search")
STUDIO_ACCESS = ("sagemaker:CreatePresignedDomainUrl",)
CLOUDWATCH_READ = (
    "cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard", "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics", "cloudwatch:ListDashboards", "cloudwatch:ListMetrics",
    "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents",
    "logs:GetQueryResults", "logs:StartQuery", "logs:StopQuery",
)
# SageMaker projects are provisioned from the platform's Service Catalog portfolio.
PROJECTS = (
    "sagemaker:CreateProject", "sagemaker:DeleteProject", "sagemaker:UpdateProject",
    "servicecatalog:DescribeProduct", "servicecatalog:DescribeProductView", "servicecatalog:DescribeProvisionedProduct",
    "servicecatalog:DescribeProvisioningParameters", "servicecatalog:DescribeRecord", "servicecatalog:ListLaunchPaths",
    "servicecatalog:ProvisionProduct", "servicecatalog:SearchProducts", "servicecatalog:SearchProvisionedProducts",
    "servicecatalog:TerminateProvisionedProduct", "servicecatalog:UpdateProvisionedProduct",
)
PIPELINE_RUNS = (
    "sagemaker:RetryPipelineExecution", "sagemaker:StartPipelineExecution", "sagemaker:StopPipelineExecution",
)
PIPELINE_AUTHORING = ("sagemaker:CreatePipeline", "sagemaker:DeletePipeline", "sagemaker:UpdatePipeline")
MODEL_APPROVAL = ("sagemaker:UpdateModelPackage",)
EXPERIMENTS = (
    "sagemaker:AddTags", "sagemaker:AssociateTrialComponent", "sagemaker:CreateExperiment",
    "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob",
    "sagemaker:CreateTrial", "sagemaker:CreateTrialComponent", "sagemaker:DisassociateTrialComponent",
    "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob",
    "sagemaker:UpdateExperiment", "sagemaker:UpdateTrial", "sagemaker:UpdateTrialComponent",
)
# describing and listing feature groups comes with SAGEMAKER_READ
FEATURE_STORE_READ = ("sagemaker:BatchGetRecord", "sagemaker:GetRecord")
ENDPOINTS = (
    "sagemaker:AddTags", "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:CreateModel",
    "sagemaker:DeleteEndpoint", "sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel", "sagemaker:InvokeEndpoint",
    "sagemaker:UpdateEndpoint", "sagemaker:UpdateEndpointWeightsAndCapacities",
)
MODEL_REGISTRY = ("sagemaker:CreateModelPackage",)
MODEL_CARDS = (
    "sagemaker:CreateModelCard", "sagemaker:CreateModelCardExportJob", "sagemaker:DeleteModelCard",
    "sagemaker:UpdateModelCard",
)
DATA_READ_WRITE = (
    "s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
    "s3:PutObject",
)
KMS_THROUGH_SERVICES = ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey")
KMS_SERVICES = ("s3.*.amazonaws.com", "sagemaker.*.amazonaws.com")
DATA_CATALOG_READ = (
    "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable",
    "glue:GetTables", "glue:SearchTables", "lakeformation:GetDataAccess",
)
ECR_LOGIN = ("ecr:GetAuthorizationToken",)
ECR_PUSH_PULL = (
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
    "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:ListImages",
    "ecr:PutImage", "ecr:UploadLayerPart",
)
DELIVERY_READ = ("codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject", "codepipeline:ListPipelines")
DELIVERY = (
    "codepipeline:GetPipeline", "codepipeline:GetPipelineExecution", "codepipeline:GetPipelineState",
    "codepipeline:ListPipelineExecutions", "codepipeline:PutApprovalResult", "codepipeline:RetryStageExecution",
    "codepipeline:StartPipelineExecution", "codepipeline:StopPipelineExecution",
)
IAM_PLATFORM_ROLES = (
    "iam:AddRoleToInstanceProfile", "iam:CreateInstanceProfile", "iam:CreateRole", "iam:DeleteInstanceProfile",
    "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PassRole", "iam:PutRolePolicy",
    "iam:RemoveRoleFromInstanceProfile", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole", "iam:UpdateRoleDescription",
)
IAM_PLATFORM_POLICIES = (
    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
)
# Attaching these to a platform role would make its holder an administrator of the account.
ESCALATING_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")
# Auditors query the organization trail with Athena in the log archive account.
ATHENA_QUERIES = (
    "athena:BatchGetNamedQuery", "athena:BatchGetQueryExecution", "athena:GetNamedQuery", "athena:GetQueryExecution",
    "athena:GetQueryResults", "athena:GetQueryRuntimeStatistics", "athena:GetWorkGroup", "athena:ListNamedQueries",
    "athena:ListQueryExecutions", "athena:StartQueryExecution", "athena:StopQueryExecution",
)
ATHENA_CATALOG = (
    "athena:GetDataCatalog", "athena:GetDatabase", "athena:GetTableMetadata", "athena:ListDatabases",
    "athena:ListTableMetadata",
)
ATHENA_LIST = ("athena:ListDataCatalogs", "athena:ListWorkGroups")
GLUE_TABLE_READ = (
    "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables",
)
QUERY_RESULTS_OBJECTS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject")
QUERY_RESULTS_BUCKET = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
KMS_THROUGH_S3 = ("kms:Decrypt", "kms:GenerateDataKey")


def _arn(service: str, resource: str, account: str = "*") -> str:
    return f"arn:aws:{service}:*:{account}:{resource}"


def _iam_arn(kind: str) -> str:
    return f"arn:aws:iam::*:{kind}{defaults.PLATFORM_IAM_PATH}*"


def _sagemaker_read() -> dict[str, Any]:
    return statement("SageMakerRead", SAGEMAKER_READ)


def _studio() -> dict[str, Any]:
    return statement("StudioAccessToOwnProfile", STUDIO_ACCESS, [_arn("sagemaker", "user-profile/*/*", PRINCIPAL_ACCOUNT)],
                     conditions={"StringEquals": STUDIO_USER_MATCH})


def _cloudwatch_read() -> dict[str, Any]:
    return statement("CloudWatchRead", CLOUDWATCH_READ)


def _pass_own_execution_role(persona: str) -> dict[str, Any]:
    """A team persona passes only its own Studio execution role (``/mlplat/studio-<persona>``) to SageMaker."""
    return statement("PassOwnExecutionRole", ["iam:PassRole"],
                     [f"arn:aws:iam::{PRINCIPAL_ACCOUNT}:role{defaults.PLATFORM_IAM_PATH}studio-{persona}"],
                     conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})


def _protect_studio_user_tag() -> dict[str, Any]:
    return statement("ProtectStudioUserTag", ["sagemaker:AddTags", "sagemaker:DeleteTags"], "*", effect="Deny",
                     conditions={"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [STUDIO_USER_TAG]}})


def _team_data(bucket_prefix: str) -> list[dict[str, Any]]:
    buckets = [f"arn:aws:s3:::{bucket_prefix}-*", "arn:aws:s3:::sagemaker-*"]
    return [
        statement("TeamDataReadWrite", DATA_READ_WRITE, buckets + [f"{b}/*" for b in buckets],
                  conditions={"StringEquals": {"aws:ResourceAccount": PRINCIPAL_ACCOUNT}}),
        statement("KeysThroughServices", KMS_THROUGH_SERVICES, [_arn("kms", "key/*")],
                  conditions={"StringLike": {"kms:ViaService": list(KMS_SERVICES)}}),
    ]


@dataclass(frozen=True)
class LogQueries:
    """Where the organization trail is queried: the log archive account's Athena workgroup and Glue database,
    the trail's files and the bucket of query results."""

    account_id: str
    region: str
    workgroup: str
    database: str
    trail_bucket: str
    trail_prefix: str  # 'AWSLogs/<organization id>/'
    results_bucket: str


@dataclass(frozen=True)
class GrantContext:
    """What persona grants name: the organization's bucket prefix and the accounts of central services."""

    bucket_prefix: str
    approval_account_ids: Sequence[str] = ()
    ml_platform_account_id: str = "*"
    log_queries: LogQueries | None = None


def _ml_team_lead(ctx: GrantContext) -> list[dict[str, Any]]:
    return [
        _sagemaker_read(),
        _studio(),
        _protect_studio_user_tag(),
        statement("Projects", PROJECTS),
        statement("PipelineRuns", PIPELINE_RUNS, [_arn("sagemaker", "pipeline/*")]),
        # the central registry's resource policy decides which team's packages a lead may approve there
        statement("ModelApproval", MODEL_APPROVAL, [_arn("sagemaker", "model-package/*")]),
        _cloudwatch_read(),
    ]


def _data_scientist(ctx: GrantContext) -> list[dict[str, Any]]:
    return [
        _sagemaker_read(),
        _studio(),
        _protect_studio_user_tag(),
        statement("Experiments", EXPERIMENTS, [_arn("sagemaker", "*")]),
        statement("FeatureStoreRead", FEATURE_STORE_READ, [_arn("sagemaker", "feature-group/*")]),
        _pass_own_execution_role("data-scientist"),
        *_team_data(ctx.bucket_prefix),
        statement("DataCatalogRead", DATA_CATALOG_READ),
    ]


def _ml_engineer(ctx: GrantContext) -> list[dict[str, Any]]:
    return [
        # the release approver role's trust policy admits only the ML engineers of its team's prod account
        statement("ApproveTeamReleases", ["sts:AssumeRole"],
                  [RELEASE_APPROVER_ROLE.format(account=ctx.ml_platform_account_id)]),
        # the topics' policies admit only the team's own accounts (alerts) and prod ML engineers (approvals)
        statement("SubscribeToTeamAlerts", ["sns:Subscribe"], [ALERTS_TOPIC.format(account=PRINCIPAL_ACCOUNT),
                                                               RELEASE_APPROVALS_TOPIC.format(account=ctx.ml_platform_account_id)]),
        _sagemaker_read(),
        _studio(),
        _protect_studio_user_tag(),
        statement("Pipelines", PIPELINE_AUTHORING + PIPELINE_RUNS, [_arn("sagemaker", "pipeline/*")]),
        statement("Endpoints", ENDPOINTS, [_arn("sagemaker", "*")]),
        # packages arrive pending; approving is the team lead's (and, centrally, the governance officer's)
        statement("ModelRegistry", MODEL_REGISTRY, [_arn("sagemaker", "model-package/*"),
                                                    _arn("sagemaker", "model-package-group/*")],
                  conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}),
        _pass_own_execution_role("ml-engineer"),
        statement("EcrLogin", ECR_LOGIN),
        statement("EcrPushPull", ECR_PUSH_PULL, [_arn("ecr", "repository/*")]),
        statement("DeliveryRead", DELIVERY_READ),
        statement("Delivery", DELIVERY, [_arn("codepipeline", "*")]),
        *_team_data(ctx.bucket_prefix),
        _cloudwatch_read(),
    ]


def _platform_admin(ctx: GrantContext) -> list[dict[str, Any]]:
    escalating = [f"arn:aws:iam::aws:policy/{name}" for name in ESCALATING_MANAGED_POLICIES]
    return [
        statement("PlatformRoles", IAM_PLATFORM_ROLES, [_iam_arn("role"), _iam_arn("instance-profile")]),
        statement("AttachPoliciesToPlatformRoles", ["iam:AttachRolePolicy"], [_iam_arn("role")],
                  conditions={"ArnNotLike": {"iam:PolicyARN": escalating}}),
        statement("PlatformPolicies", IAM_PLATFORM_POLICIES, [_iam_arn("policy")]),
    ]


def _governance_officer(ctx: GrantContext) -> list[dict[str, Any]]:
    approval_conditions = ({"StringEquals": {"aws:ResourceAccount": list(ctx.approval_account_ids)}}
                           if ctx.approval_account_ids else None)
    return [
        _sagemaker_read(),
        statement("ModelCards", MODEL_CARDS, [_arn("sagemaker", "model-card/*")]),
        statement("CentralModelApproval", MODEL_APPROVAL, [_arn("sagemaker", "model-package/*")],
                  conditions=approval_conditions),
    ]


def _auditor(ctx: GrantContext) -> list[dict[str, Any]]:
    """Athena queries over the organization trail, in the log archive account only (SecurityAudit and
    ViewOnlyAccess read configuration, not log files)."""
    q = ctx.log_queries
    if q is None:
        return []
    trail = f"arn:aws:s3:::{q.trail_bucket}"
    results = f"arn:aws:s3:::{q.results_bucket}"
    return [
        statement("AuditWorkgroupQueries", ATHENA_QUERIES, [f"arn:aws:athena:{q.region}:{q.account_id}:workgroup/{q.workgroup}"]),
        statement("AuditCatalog", ATHENA_CATALOG, [f"arn:aws:athena:{q.region}:{q.account_id}:datacatalog/AwsDataCatalog"]),
        statement("AthenaList", ATHENA_LIST),
        statement("AuditTables", GLUE_TABLE_READ, [f"arn:aws:glue:{q.region}:{q.account_id}:catalog",
                                                   f"arn:aws:glue:{q.region}:{q.account_id}:database/{q.database}",
                                                   f"arn:aws:glue:{q.region}:{q.account_id}:table/{q.database}/*"]),
        statement("TrailFilesRead", ["s3:GetObject"], [f"{trail}/{q.trail_prefix}*"]),
        statement("TrailFilesList", ["s3:ListBucket"], [trail],
                  conditions={"StringLike": {"s3:prefix": [f"{q.trail_prefix}*"]}}),
        statement("TrailBucketLocation", ["s3:GetBucketLocation"], [trail]),
        statement("QueryResultsObjects", QUERY_RESULTS_OBJECTS, [f"{results}/*"]),
        statement("QueryResultsBucket", QUERY_RESULTS_BUCKET, [results]),
        # the log archive key (trail files) and the query results' key, used only through S3
        statement("KeysThroughS3", KMS_THROUGH_S3, [f"arn:aws:kms:{q.region}:{q.account_id}:key/*"],
                  conditions={"StringEquals": {"kms:ViaService": f"s3.{q.region}.amazonaws.com"}}),
    ]


PersonaGrants = Callable[[GrantContext], list[dict[str, Any]]]

# Built-in personas with an inline policy; cloud-admin has its managed policy only, and auditor adds to
# its managed policies only where the organization's logs are queried.
GRANTS: dict[str, PersonaGrants] = {
    "ml-team-lead": _ml_team_lead,
    "data-scientist": _data_scientist,
    "ml-engineer": _ml_engineer,
    "platform-admin": _platform_admin,
    "governance-officer": _governance_officer,
    "auditor": _auditor,
}


def inline_policy(persona: str, *, bucket_prefix: str, approval_account_ids: Sequence[str] = (),
                  ml_platform_account_id: str = "*", log_queries: LogQueries | None = None) -> str | None:
    """The inline policy document of a built-in persona's permission set, or None when it has none.

    ``bucket_prefix`` names the organization's buckets (``<prefix>-*``) that team personas read and write in
    their own account; ``approval_account_ids`` limits where a governance officer approves model packages
    (the ML shared services accounts holding the central registry); ``log_queries`` is where auditors query
    the organization trail.
    """
    grants = GRANTS.get(persona)
    if grants is None:
        return None
    statements = grants(GrantContext(bucket_prefix, tuple(approval_account_ids), ml_platform_account_id, log_queries))
    return policy_document(statements) if statements else None
