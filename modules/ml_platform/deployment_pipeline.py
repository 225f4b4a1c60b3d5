"""A team's deployment pipelines: an approved model of the central registry, to test, then prod on approval."""

from __future__ import annotations

import json
from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement, unique
from mlplat.modules.ml_development.execution_roles import PLATFORM_IAM_PATH, role_arn
from mlplat.modules.ml_platform import defaults, grants
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps

CODEPIPELINE = "codepipeline.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"
EVENTS = "events.amazonaws.com"
S3_SERVICE = "s3.{region}.amazonaws.com"

# Finds the newest approved package of the use case's central group and writes one CloudFormation
# template configuration per environment for the deploy template.
RESOLVE_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - >-
        PACKAGE=$(aws sagemaker list-model-packages --model-package-group-name "$MODEL_PACKAGE_GROUP"
        --model-approval-status Approved --sort-by CreationTime --sort-order Descending --max-results 1
        --query 'ModelPackageSummaryList[0].ModelPackageArn' --output text)
      - test -n "$PACKAGE" && test "$PACKAGE" != None
      - >-
        for env in $ENVIRONMENTS; do
        jq -n --arg package "$PACKAGE" --arg env "$env" --arg project "$ENDPOINT_BASE_NAME"
        --arg instance "$ENDPOINT_INSTANCE_TYPE"
        '{Parameters: {ModelPackageArn: $package, EnvironmentName: $env, SageMakerProjectName: $project,
        InstanceType: $instance}}'
        > "$env.json"; done
artifacts:
  files:
    - '*.json'
"""


class Environment(Props):
    name: str  # test or prod
    account_id: str
    key_arn: str | None = None


class TeamDeploymentPipelineProps(Props):
    org: str
    team: str
    account_id: str
    region: str
    use_cases: dict[str, str]  # use case -> its base name: the central group, pipeline and endpoint stack
    endpoint_instance_type: str  # one of the team's instance types that the deploy template can host
    environments: list[Environment]  # in order: test first, then prod
    bucket_name: str
    access_logs_bucket: str
    source_bucket_arn: str
    source_bucket_name: str
    source_object_key: str
    source_key_arn: str
    deploy_template_file: str
    prod_approvers: str  # ARN pattern of the roles that may assume the release approver role
    provider: Any = None


class TeamDeploymentPipeline(Construct):
    """Everything one team's model deployments run on, in the ML platform account.

    A team key and artifact bucket (readable, through S3, by the team's test and prod accounts only), a
    pipeline role, a notification topic for approvals, and per use case: a CodeBuild project that
    finds the newest approved package of the use case's central group, and a CodePipeline (V2, queued)
    with the stages source (the deploy template), resolve, deploy to test, manual approval, deploy to
    prod. Each deploy stage assumes the team's ``model-deployment-action`` role in that account and
    deploys the stack ``<team>-<use case>-endpoint`` with its ``model-deployment`` role. An
    EventBridge rule on this account's default bus starts the pipeline when a package of the use
    case's group is approved. A ``<team>-release-approver`` role, which only the ML engineer persona
    of the team's prod account may assume, approves the prod stage.
    """

    def __init__(self, scope: Construct, id: str, props: TeamDeploymentPipelineProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        team, region, account = props.team, props.region, props.account_id
        readers = unique(e.account_id for e in props.environments)
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=f"alias/{props.org}-{team}-deploy", description=f"Deployment artifacts of team {team}",
            account_id=account, provider=props.provider, policy_statements=[
                statement("TeamAccountsReadArtifacts", ["kms:Decrypt", "kms:DescribeKey"], "*",
                          principals={"AWS": [f"arn:aws:iam::{a}:root" for a in readers]},
                          conditions={"StringEquals": {"kms:ViaService": S3_SERVICE.format(region=region)}}),
                statement("ApprovalNotifications", ["kms:Decrypt", "kms:GenerateDataKey*"], "*",
                          principals={"Service": CODEPIPELINE},
                          conditions={"StringEquals": {"aws:SourceAccount": account}}),
            ]))
        key_arn = self.key.arn
        bucket_arn = f"arn:aws:s3:::{props.bucket_name}"
        self.bucket = PrivateBucket(self, "artifacts", PrivateBucketProps(
            bucket_name=props.bucket_name, account_id=account, kms_key_arn=key_arn,
            access_logs_bucket=props.access_logs_bucket, provider=props.provider, policy_statements=[
                statement("TeamAccountsReadArtifacts", ["s3:GetObject", "s3:GetObjectVersion"], [f"{bucket_arn}/*"],
                          principals={"AWS": [f"arn:aws:iam::{a}:root" for a in readers]})]))
        topic = aws.sns_topic.SnsTopic(self, "approvals", name=f"{team}-release-approvals", kms_master_key_id=key_arn,
                                       **provider)

        pipeline_role_name = f"{team}-deployment-pipeline"
        action_roles = [role_arn(e.account_id, "model-deployment-action") for e in props.environments]
        log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "build-logs", name=f"/aws/codebuild/{team}-resolve-model", kms_key_id=key_arn,
            retention_in_days=defaults.LOG_RETENTION_DAYS, **provider)
        build_role = aws.iam_role.IamRole(
            self, "build-role", name=f"{team}-resolve-model", path=PLATFORM_IAM_PATH,
            description=f"Finds the approved models of team {team}", assume_role_policy=service_trust(CODEBUILD, account),
            **provider)
        group_arns = [f"arn:aws:sagemaker:{region}:{account}:model-package-group/{g}" for g in props.use_cases.values()]
        aws.iam_role_policy.IamRolePolicy(self, "build-policy", name="resolve-model", role=build_role.name, policy=policy_document(
            grants.resolve_build(group_arns=group_arns, deploy_bucket_arn=bucket_arn, deploy_key_arn=key_arn,
                                 log_group_arn=f"arn:aws:logs:{region}:{account}:log-group:/aws/codebuild/{team}-resolve-model")),
            **provider)

        cb, cp = aws.codebuild_project, aws.codepipeline
        projects: dict[str, Any] = {}
        for use_case, group in sorted(props.use_cases.items()):
            projects[use_case] = cb.CodebuildProject(
                self, f"{use_case}-resolve", name=f"{group}-resolve-model",
                description=f"Newest approved package of {group}", service_role=build_role.arn, encryption_key=key_arn,
                build_timeout=defaults.BUILD_TIMEOUT_MINUTES,
                source=cb.CodebuildProjectSource(type="CODEPIPELINE", buildspec=RESOLVE_BUILDSPEC),
                artifacts=cb.CodebuildProjectArtifacts(type="CODEPIPELINE"),
                environment=cb.CodebuildProjectEnvironment(
                    compute_type=defaults.BUILD_COMPUTE_TYPE, image=defaults.BUILD_IMAGE, type="LINUX_CONTAINER",
                    privileged_mode=False, environment_variable=[
                        cb.CodebuildProjectEnvironmentEnvironmentVariable(name="MODEL_PACKAGE_GROUP", value=group),
                        # the deploy template names the endpoint '<project>-<environment>'
                        cb.CodebuildProjectEnvironmentEnvironmentVariable(name="ENDPOINT_BASE_NAME",
                                                                          value=group),
                        cb.CodebuildProjectEnvironmentEnvironmentVariable(name="ENDPOINT_INSTANCE_TYPE",
                                                                          value=props.endpoint_instance_type),
                        cb.CodebuildProjectEnvironmentEnvironmentVariable(
                            name="ENVIRONMENTS", value=" ".join(e.name for e in props.environments))]),
                logs_config=cb.CodebuildProjectLogsConfig(
                    cloudwatch_logs=cb.CodebuildProjectLogsConfigCloudwatchLogs(group_name=log_group.name, status="ENABLED")),
                **provider)
        pipeline_names = dict(props.use_cases)
        pipeline_arns = [f"arn:aws:codepipeline:{region}:{account}:{n}" for n in sorted(pipeline_names.values())]
        pipeline_role = aws.iam_role.IamRole(
            self, "pipeline-role", name=pipeline_role_name, path=PLATFORM_IAM_PATH,
            description=f"Deployment pipelines of team {team}", assume_role_policy=service_trust(CODEPIPELINE, account),
            **provider)
        pipeline_policy = aws.iam_role_policy.IamRolePolicy(
            self, "pipeline-policy", name="deploy", role=pipeline_role.name, policy=policy_document(grants.pipeline(
                deploy_bucket_arn=bucket_arn, deploy_key_arn=key_arn,
                source_bucket_arn=props.source_bucket_arn,
                source_object_arn=f"{props.source_bucket_arn}/{props.source_object_key}",
                products_key_arn=props.source_key_arn, build_project_arns=[p.arn for p in projects.values()],
                action_role_arns=action_roles, topic_arn=topic.arn)), **provider)
        # a token: the team stacks whose roles trust it depend on this stack
        self.pipeline_role_arn: str = pipeline_role.arn

        start_role = aws.iam_role.IamRole(
            self, "start-role", name=f"{team}-deployment-starter", path=PLATFORM_IAM_PATH,
            description=f"Starts team {team}'s deployments on approval", assume_role_policy=service_trust(EVENTS, account),
            **provider)
        aws.iam_role_policy.IamRolePolicy(self, "start-policy", name="start-deployments", role=start_role.name,
                                          policy=policy_document([statement("StartTeamDeployments",
                                                                            ["codepipeline:StartPipelineExecution"],
                                                                            pipeline_arns)]), **provider)
        for use_case, group in sorted(props.use_cases.items()):
            stack = f"{group}-endpoint"
            stages = [cp.CodepipelineStage(name="Source", action=[cp.CodepipelineStageAction(
                name="DeployTemplate", category="Source", owner="AWS", provider="S3", version="1",
                output_artifacts=["template"],
                configuration={"S3Bucket": props.source_bucket_name,
                               "S3ObjectKey": props.source_object_key, "PollForSourceChanges": "false"})]),
                cp.CodepipelineStage(name="ResolveModel", action=[cp.CodepipelineStageAction(
                    name="ApprovedPackage", category="Build", owner="AWS", provider="CodeBuild", version="1",
                    input_artifacts=["template"], output_artifacts=["parameters"],
                    configuration={"ProjectName": projects[use_case].name})])]
            for env, action_role in zip(props.environments, action_roles):
                if env.name == "prod" and len(stages) > 2:
                    stages.append(cp.CodepipelineStage(name="ApproveProd", action=[cp.CodepipelineStageAction(
                        name="MlEngineerApproval", category="Approval", owner="AWS", provider="Manual", version="1",
                        configuration={"NotificationArn": topic.arn,
                                       "CustomData": f"Deploy {group} to prod after checking the test endpoint"})]))
                stages.append(cp.CodepipelineStage(name=f"Deploy{env.name.capitalize()}", action=[
                    cp.CodepipelineStageAction(
                        name="EndpointStack", category="Deploy", owner="AWS", provider="CloudFormation", version="1",
                        input_artifacts=["template", "parameters"], role_arn=action_role,
                        configuration={"ActionMode": "CREATE_UPDATE", "StackName": stack,
                                       "TemplatePath": f"template::{props.deploy_template_file}",
                                       "TemplateConfiguration": f"parameters::{env.name}.json",
                                       "RoleArn": role_arn(env.account_id, "model-deployment")})]))
            pipeline = cp.Codepipeline(
                self, f"{use_case}-pipeline", name=pipeline_names[use_case], role_arn=pipeline_role.arn,
                pipeline_type=defaults.PIPELINE_TYPE, execution_mode=defaults.PIPELINE_EXECUTION_MODE,
                artifact_store=[cp.CodepipelineArtifactStore(
                    location=props.bucket_name, type="S3",
                    encryption_key=cp.CodepipelineArtifactStoreEncryptionKey(id=key_arn, type="KMS"))],
                stage=stages, depends_on=[pipeline_policy], **provider)
            rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
                self, f"{use_case}-approved", name=f"{group}-approved",
                description=f"A package approved in the central group {group} starts its deployment",
                event_pattern=json.dumps({"source": [defaults.SAGEMAKER_EVENT_SOURCE],
                                          "detail-type": [defaults.MODEL_PACKAGE_STATE_CHANGE],
                                          "detail": {"ModelPackageGroupName": [group],
                                                     "ModelApprovalStatus": ["Approved"]}}, sort_keys=True),
                **provider)
            aws.cloudwatch_event_target.CloudwatchEventTarget(
                self, f"{use_case}-approved-target", rule=rule.name, target_id="deployment-pipeline", arn=pipeline.arn,
                role_arn=start_role.arn, **provider)

        approver = aws.iam_role.IamRole(
            self, "release-approver", name=f"{team}-release-approver", path=PLATFORM_IAM_PATH,
            description=f"Approves team {team}'s prod deployments; assumed by its prod ML engineers",
            max_session_duration=3600,
            assume_role_policy=policy_document([statement(
                "TeamProdMlEngineersAssume", ["sts:AssumeRole"], None,
                principals={"AWS": f"arn:aws:iam::{props.environments[-1].account_id}:root"},
                conditions={"ArnLike": {"aws:PrincipalArn": props.prod_approvers}})]), **provider)
        aws.iam_role_policy.IamRolePolicy(self, "release-approver-policy", name="approve-releases", role=approver.name,
                                          policy=policy_document(grants.release_approver(pipeline_arns)), **provider)
        # K9: the team's prod account subscribes its ML engineers to the approval requests
        aws.sns_topic_policy.SnsTopicPolicy(self, "approvals-policy", arn=topic.arn, policy=policy_document([
            statement("PipelinePublishes", ["sns:Publish"], [topic.arn], principals={"Service": CODEPIPELINE},
                      conditions={"StringEquals": {"aws:SourceAccount": account}}),
            statement("TeamProdSubscribes", ["sns:Subscribe"], [topic.arn],
                      principals={"AWS": f"arn:aws:iam::{props.environments[-1].account_id}:root"},
                      conditions={"ArnLike": {"aws:PrincipalArn": props.prod_approvers}}),
            statement("DenyInsecureTransport", ["sns:Publish", "sns:Subscribe"], [topic.arn], effect="Deny",
                      principals={"AWS": "*"}, conditions={"Bool": {"aws:SecureTransport": "false"}}),
        ]), **provider)
