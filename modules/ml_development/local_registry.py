"""The team's local model registry in dev, and the way its approved models reach the central registry."""

from __future__ import annotations

import json
from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement
from mlplat.modules.ml_development import defaults, grants
from mlplat.modules.ml_development.execution_roles import PLATFORM_IAM_PATH

EVENTS_SERVICE = "events.amazonaws.com"
CODEBUILD_SERVICE = "codebuild.amazonaws.com"

# The promotion: the approved local package's inference specification and metrics, registered in the
# central group of the same name, pending approval there, with a pointer back to its source.
PROMOTION_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - aws sagemaker describe-model-package --model-package-name "$MODEL_PACKAGE_ARN" > source.json
      - GROUP=$(jq -r .ModelPackageGroupName source.json)
      - >-
        jq --arg group "$CENTRAL_REGISTRY_PREFIX$GROUP" --arg source "$MODEL_PACKAGE_ARN"
        '{ModelPackageGroupName: $group, ModelPackageDescription: (.ModelPackageDescription // "promoted from dev"),
        InferenceSpecification: .InferenceSpecification, ModelApprovalStatus: "PendingManualApproval",
        CustomerMetadataProperties: ((.CustomerMetadataProperties // {}) + {"source-model-package": $source})}
        + (if .ModelMetrics then {ModelMetrics: .ModelMetrics} else {} end)' source.json > request.json
      - aws sagemaker create-model-package --cli-input-json file://request.json
"""


class LocalModelRegistryProps(Props):
    scope: grants.TeamScope
    team: str
    central_bus_arn: str  # the ML event bus in the ML platform account
    central_registry_prefix: str  # 'arn:aws:sagemaker:<region>:<platform account>:model-package-group/'
    log_retention_days: int = defaults.LOG_RETENTION_DAYS
    provider: Any = None


class LocalModelRegistry(Construct):
    """Model package groups of the team's use cases, and the promotion of approved packages.

    Creates one model package group per use case. An EventBridge rule forwards every state change of
    those groups' packages to the central ML event bus (the audit trail of approvals), through a role
    that may put events on that bus only. A second rule starts the promotion build when a package is
    approved: a CodeBuild project in the team's VPC (KMS-encrypted, logs to a KMS-encrypted log group)
    whose role may read the team's local packages and register packages only in the team's own groups
    of the central registry, where the package then waits for approval.
    """

    def __init__(self, scope: Construct, id: str, props: LocalModelRegistryProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        team = props.scope
        self.groups = [
            aws.sagemaker_model_package_group.SagemakerModelPackageGroup(
                self, f"group-{name}", model_package_group_name=name,
                model_package_group_description=f"Local (dev) registry of {name}", **provider)
            for name in team.local_model_package_groups
        ]
        state_change = {"source": [defaults.SAGEMAKER_EVENT_SOURCE], "detail-type": [defaults.MODEL_PACKAGE_STATE_CHANGE],
                        "detail": {"ModelPackageGroupName": sorted(team.local_model_package_groups)}}
        forward_role = aws.iam_role.IamRole(
            self, "forward-role", name="model-events-forwarder", path=PLATFORM_IAM_PATH,
            description="Forwards the team's model package events to the central ML event bus",
            assume_role_policy=service_trust(EVENTS_SERVICE, team.account_id), **provider)
        aws.iam_role_policy.IamRolePolicy(
            self, "forward-policy", name="put-central-bus", role=forward_role.name,
            policy=policy_document([statement("PutCentralBus", ["events:PutEvents"], [props.central_bus_arn])]),
            **provider)
        forward = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self, "forward-rule", name="model-package-state-to-central",
            description="Every state change of the team's model packages, to the central ML event bus",
            event_pattern=json.dumps(state_change, sort_keys=True), **provider)
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self, "forward-target", rule=forward.name, target_id="central-bus", arn=props.central_bus_arn,
            role_arn=forward_role.arn, **provider)

        log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "promotion-logs", name="/aws/codebuild/model-promotion",
            retention_in_days=props.log_retention_days, kms_key_id=team.key_arn, **provider)
        build_role = aws.iam_role.IamRole(
            self, "promotion-role", name="model-promotion", path=PLATFORM_IAM_PATH,
            description="Registers approved local model packages in the team's central registry groups",
            assume_role_policy=service_trust(CODEBUILD_SERVICE, team.account_id), **provider)
        aws.iam_role_policy.IamRolePolicy(
            self, "promotion-policy", name="promote", role=build_role.name,
            policy=policy_document(grants.promotion(team, log_group.arn)), **provider)
        cb = aws.codebuild_project
        project = cb.CodebuildProject(
            self, "promotion", name="model-promotion",
            description=f"Registers approved models of team {props.team} in the central model registry",
            service_role=build_role.arn,
            encryption_key=team.key_arn,
            build_timeout=defaults.PROMOTION_TIMEOUT_MINUTES,
            source=cb.CodebuildProjectSource(type="NO_SOURCE", buildspec=PROMOTION_BUILDSPEC),
            artifacts=cb.CodebuildProjectArtifacts(type="NO_ARTIFACTS"),
            environment=cb.CodebuildProjectEnvironment(
                compute_type=defaults.PROMOTION_COMPUTE_TYPE, image=defaults.PROMOTION_IMAGE,
                type="LINUX_CONTAINER", privileged_mode=False,
                environment_variable=[cb.CodebuildProjectEnvironmentEnvironmentVariable(
                    name="CENTRAL_REGISTRY_PREFIX", value=props.central_registry_prefix)]),
            vpc_config=cb.CodebuildProjectVpcConfig(
                vpc_id=team.vpc_id, subnets=list(team.subnet_ids), security_group_ids=list(team.security_group_ids)),
            logs_config=cb.CodebuildProjectLogsConfig(
                cloudwatch_logs=cb.CodebuildProjectLogsConfigCloudwatchLogs(group_name=log_group.name, status="ENABLED"),
                s3_logs=cb.CodebuildProjectLogsConfigS3Logs(status="DISABLED")),
            **provider)
        start_role = aws.iam_role.IamRole(
            self, "start-role", name="model-promotion-starter", path=PLATFORM_IAM_PATH,
            description="Starts the model promotion build on approval",
            assume_role_policy=service_trust(EVENTS_SERVICE, team.account_id), **provider)
        aws.iam_role_policy.IamRolePolicy(
            self, "start-policy", name="start-promotion", role=start_role.name,
            policy=policy_document([statement("StartPromotion", ["codebuild:StartBuild"], [project.arn])]), **provider)
        approved = dict(state_change, detail={**state_change["detail"], "ModelApprovalStatus": ["Approved"]})
        rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self, "approved-rule", name="model-package-approved",
            description="A package approved in the local registry is promoted to the central registry",
            event_pattern=json.dumps(approved, sort_keys=True), **provider)
        et = aws.cloudwatch_event_target
        et.CloudwatchEventTarget(
            self, "approved-target", rule=rule.name, target_id="promotion", arn=project.arn, role_arn=start_role.arn,
            input_transformer=et.CloudwatchEventTargetInputTransformer(
                input_paths={"arn": "$.detail.ModelPackageArn"},
                input_template=json.dumps({"environmentVariablesOverride": [
                    {"name": "MODEL_PACKAGE_ARN", "value": "<arn>", "type": "PLAINTEXT"}]})),
            **provider)
        self.promotion_role_arn: str = build_role.arn
