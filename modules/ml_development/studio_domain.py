"""A team's SageMaker Studio domain in its dev account: VPC only, KMS, a profile per member."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.network.workload_security_group import (
    WorkloadSecurityGroup,
    WorkloadSecurityGroupProps,
)
from mlplat.modules.ml_development import defaults


class StudioMember(Props):
    user: str  # Identity Center user name
    execution_role_arn: str  # the member's persona's role


class TeamStudioDomainProps(Props):
    domain_name: str
    vpc_id: str
    subnet_ids: list[str]
    endpoint_cidr_blocks: list[str]  # where the interface endpoints are (the hub VPC)
    s3_prefix_list_id: str  # the spoke's S3 gateway endpoint
    kms_key_arn: str
    default_execution_role_arn: str
    members: list[StudioMember] = Field(default_factory=list)
    idle_timeout_minutes: int = Field(ge=60, le=525600)
    provider: Any = None


def profile_name(user: str) -> str:
    """A user profile name SageMaker accepts (letters, digits, single dashes) for an Identity Center user."""
    name = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9]", "-", user)).strip("-")
    return name[:63] or "user"


class TeamStudioDomain(Construct):
    """The team's Studio domain and the security group its apps use.

    The security group (a :class:`WorkloadSecurityGroup`) lets apps talk to each other and to the
    domain's EFS home directories, and reach only HTTPS on the hub's interface endpoints and the S3
    gateway endpoint: nothing else.
    The domain: IAM authentication, ``VpcOnly`` in the team's private subnets, EFS and volumes under
    the team's key, notebook output sharing off, Docker off, idle JupyterLab and Code Editor apps shut
    down, home directories retained on deletion. One user profile per member, tagged
    ``studiouserid`` = the member's Identity Center user name: the team personas may open a Studio
    profile only when that tag equals their session's ``studiouserid`` principal tag, which Identity
    Center sets from the signed-in user's name.
    """

    def __init__(self, scope: Construct, id: str, props: TeamStudioDomainProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.security_group = WorkloadSecurityGroup(self, "network", WorkloadSecurityGroupProps(
            name=f"{props.domain_name}-studio", vpc_id=props.vpc_id, endpoint_cidr_blocks=props.endpoint_cidr_blocks,
            s3_prefix_list_id=props.s3_prefix_list_id, provider=props.provider,
            description="SageMaker Studio apps: each other, EFS, and HTTPS to the VPC endpoints only"))
        sg = self.security_group_id = self.security_group.security_group_id

        d = aws.sagemaker_domain
        idle = {"lifecycle_management": defaults.IDLE_LIFECYCLE_MANAGEMENT,
                "idle_timeout_in_minutes": props.idle_timeout_minutes}
        self.domain = d.SagemakerDomain(
            self, "domain",
            domain_name=props.domain_name,
            auth_mode=defaults.AUTH_MODE,
            app_network_access_type=defaults.APP_NETWORK_ACCESS_TYPE,
            vpc_id=props.vpc_id,
            subnet_ids=list(props.subnet_ids),
            kms_key_id=props.kms_key_arn,
            default_user_settings=d.SagemakerDomainDefaultUserSettings(
                execution_role=props.default_execution_role_arn,
                security_groups=[sg],
                studio_web_portal=defaults.STUDIO_WEB_PORTAL,
                default_landing_uri=defaults.DEFAULT_LANDING_URI,
                sharing_settings=d.SagemakerDomainDefaultUserSettingsSharingSettings(
                    notebook_output_option=defaults.NOTEBOOK_OUTPUT_OPTION),
                jupyter_lab_app_settings=d.SagemakerDomainDefaultUserSettingsJupyterLabAppSettings(
                    app_lifecycle_management=d.SagemakerDomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagement(
                        idle_settings=d.SagemakerDomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettings(
                            **idle))),
                code_editor_app_settings=d.SagemakerDomainDefaultUserSettingsCodeEditorAppSettings(
                    app_lifecycle_management=d.SagemakerDomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagement(
                        idle_settings=d.SagemakerDomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagementIdleSettings(
                            **idle))),
            ),
            default_space_settings=d.SagemakerDomainDefaultSpaceSettings(
                execution_role=props.default_execution_role_arn, security_groups=[sg]),
            domain_settings=d.SagemakerDomainDomainSettings(
                security_group_ids=[sg],
                docker_settings=d.SagemakerDomainDomainSettingsDockerSettings(
                    enable_docker_access=defaults.DOCKER_ACCESS)),
            retention_policy=d.SagemakerDomainRetentionPolicy(home_efs_file_system=defaults.HOME_EFS_RETENTION),
            tags={"Name": props.domain_name},
            **provider,
        )
        self.domain_id: str = self.domain.id
        self.arn: str = self.domain.arn
        u = aws.sagemaker_user_profile
        for member in sorted(props.members, key=lambda m: m.user):
            name = profile_name(member.user)
            u.SagemakerUserProfile(
                self, f"profile-{name}",
                domain_id=self.domain_id,
                user_profile_name=name,
                user_settings=u.SagemakerUserProfileUserSettings(
                    execution_role=member.execution_role_arn,
                    security_groups=[sg],
                    sharing_settings=u.SagemakerUserProfileUserSettingsSharingSettings(
                        notebook_output_option=defaults.NOTEBOOK_OUTPUT_OPTION),
                ),
                tags={defaults.STUDIO_USER_TAG: member.user},
                **provider,
            )
