"""Organization-wide detective controls run from the security tooling account, one region at a time."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, model_validator

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document
from mlplat.modules.foundations.logging import defaults


class SecurityServicesProps(Props):
    region: str
    aggregation_region: bool  # the home region: Config aggregator and Security Hub finding aggregator
    linked_regions: list[str] = []  # the other allowed regions, whose findings are aggregated here
    config_aggregator_name: str
    config_aggregator_role_name: str
    access_analyzer_name: str
    # Designating the delegated administrator (from the management account) already turns GuardDuty and
    # Security Hub on in that account and region: the detector is then read and the hub left as it is.
    # False creates both here (an account where no delegation ran).
    enabled_by_delegation: bool = True
    guardduty_auto_enable_organization_members: str = defaults.GUARDDUTY_AUTO_ENABLE_ORGANIZATION_MEMBERS
    guardduty_features: dict[str, tuple[str, ...]] = dict(defaults.GUARDDUTY_FEATURES)
    # Security Hub central configuration, set up in the aggregation region: the policy's name, the standards
    # it enables (ARNs in the aggregation region) and what it is associated with (the organization root or OUs)
    security_hub_policy_name: str | None = None
    security_hub_standard_arns: list[str] = Field(default_factory=list)
    security_hub_policy_targets: dict[str, str] = Field(default_factory=dict)  # name -> root or OU id
    provider: Any = None

    @model_validator(mode="after")
    def _linked_regions_are_other_regions(self) -> SecurityServicesProps:
        if self.region in self.linked_regions:
            raise ValueError(f"linked_regions must not include the aggregation region {self.region}")
        if self.linked_regions and not self.aggregation_region:
            raise ValueError("linked_regions are set only in the aggregation region")
        if self.aggregation_region and not (self.security_hub_policy_name and self.security_hub_standard_arns
                                            and self.security_hub_policy_targets):
            raise ValueError("the aggregation region needs the Security Hub policy's name, standards and targets")
        return self


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class SecurityServices(Construct):
    """GuardDuty, Security Hub, IAM Access Analyzer and the Config aggregator for the whole organization.

    In one region of the security tooling (delegated administrator) account:

    - GuardDuty: every organization account enrolled (``ALL``) with every protection plan enabled
      organization-wide (S3 data events, EKS audit logs, EBS malware protection, RDS login events,
      Lambda network logs, Runtime Monitoring managed by GuardDuty on EKS, ECS Fargate and EC2), and
      the same plans on the administrator's own detector.
    - IAM Access Analyzer with the organization as zone of trust.
    - In the aggregation (home) region only: a Config aggregator over every account and region of the
      organization, and Security Hub's central configuration: a finding aggregator linking the other
      allowed regions (none: ``NO_REGIONS``), then the organization configuration ``CENTRAL`` (auto-enable
      off, no default standards, as central configuration requires), then a configuration policy that
      enables Security Hub with the given standards and every control, associated with the given targets
      (the organization root). The policy governs every account, the administrator included, in the home
      region and the linked regions; no account subscribes to standards on its own.

    The management account's delegation (done in the organization stack, applied first) enables
    GuardDuty and Security Hub in this account and region; the existing detector is therefore read,
    and the hub is created here only when ``enabled_by_delegation`` is false.
    """

    def __init__(self, scope: Construct, id: str, props: SecurityServicesProps) -> None:
        super().__init__(scope, id)
        self._provider = {"provider": props.provider} if props.provider is not None else {}
        self._guardduty(props)
        self._security_hub(props)
        aws.accessanalyzer_analyzer.AccessanalyzerAnalyzer(
            self, "access-analyzer", analyzer_name=props.access_analyzer_name,
            type=defaults.ACCESS_ANALYZER_ORGANIZATION_TYPE, **self._provider)
        if props.aggregation_region:
            self._config_aggregator(props)

    def _guardduty(self, props: SecurityServicesProps) -> None:
        provider = self._provider
        if props.enabled_by_delegation:
            detector_id = aws.data_aws_guardduty_detector.DataAwsGuarddutyDetector(
                self, "guardduty-detector", **provider).id
        else:
            detector_id = aws.guardduty_detector.GuarddutyDetector(
                self, "guardduty-detector", enable=True, **provider).id
        organization = aws.guardduty_organization_configuration.GuarddutyOrganizationConfiguration(
            self, "guardduty-organization",
            detector_id=detector_id,
            auto_enable_organization_members=props.guardduty_auto_enable_organization_members,
            **provider,
        )
        auto_enable = props.guardduty_auto_enable_organization_members
        org_feature = aws.guardduty_organization_configuration_feature
        detector_feature = aws.guardduty_detector_feature
        for name, extras in sorted(props.guardduty_features.items()):
            org_feature.GuarddutyOrganizationConfigurationFeature(
                self, f"guardduty-organization-{_slug(name)}",
                detector_id=detector_id,
                name=name,
                auto_enable=auto_enable,
                additional_configuration=[
                    org_feature.GuarddutyOrganizationConfigurationFeatureAdditionalConfiguration(
                        name=extra, auto_enable=auto_enable) for extra in extras] or None,
                depends_on=[organization],
                **provider,
            )
            detector_feature.GuarddutyDetectorFeature(
                self, f"guardduty-{_slug(name)}",
                detector_id=detector_id,
                name=name,
                status="ENABLED",
                additional_configuration=[
                    detector_feature.GuarddutyDetectorFeatureAdditionalConfiguration(name=extra, status="ENABLED")
                    for extra in extras] or None,
                **provider,
            )

    def _security_hub(self, props: SecurityServicesProps) -> None:
        provider = self._provider
        after_hub: list[Any] = []
        if not props.enabled_by_delegation:
            # the standards come from the central configuration policy, not from the service's default set
            after_hub.append(aws.securityhub_account.SecurityhubAccount(
                self, "security-hub", enable_default_standards=False, **provider))
        if not props.aggregation_region:
            return  # linked regions follow the central configuration set up in the aggregation region
        aggregator = aws.securityhub_finding_aggregator.SecurityhubFindingAggregator(
            self, "security-hub-finding-aggregator",
            linking_mode=defaults.SECURITY_HUB_LINKING_MODE if props.linked_regions
            else defaults.SECURITY_HUB_SINGLE_REGION_LINKING_MODE,
            specified_regions=sorted(props.linked_regions) or None,
            depends_on=after_hub or None,
            **provider,
        )
        organization = aws.securityhub_organization_configuration
        central = organization.SecurityhubOrganizationConfiguration(
            self, "security-hub-organization",
            auto_enable=defaults.SECURITY_HUB_AUTO_ENABLE,
            auto_enable_standards=defaults.SECURITY_HUB_AUTO_ENABLE_STANDARDS,
            organization_configuration=organization.SecurityhubOrganizationConfigurationOrganizationConfiguration(
                configuration_type=defaults.SECURITY_HUB_CONFIGURATION_TYPE),
            depends_on=[aggregator],  # AWS accepts central configuration only once the aggregator exists
            **provider,
        )
        policy_module = aws.securityhub_configuration_policy
        policy = policy_module.SecurityhubConfigurationPolicy(
            self, "security-hub-policy",
            name=props.security_hub_policy_name,
            description="Security Hub, its standards and every control, in every account and linked region",
            configuration_policy=policy_module.SecurityhubConfigurationPolicyConfigurationPolicy(
                service_enabled=True,
                enabled_standard_arns=list(props.security_hub_standard_arns),
                security_controls_configuration=(
                    policy_module.SecurityhubConfigurationPolicyConfigurationPolicySecurityControlsConfiguration(
                        disabled_control_identifiers=[])),
            ),
            depends_on=[central],
            **provider,
        )
        for name, target in sorted(props.security_hub_policy_targets.items()):
            aws.securityhub_configuration_policy_association.SecurityhubConfigurationPolicyAssociation(
                self, f"security-hub-policy-{_slug(name)}",
                policy_id=policy.id, target_id=target, depends_on=[central], **provider)

    def _config_aggregator(self, props: SecurityServicesProps) -> None:
        provider = self._provider
        role = aws.iam_role.IamRole(
            self, "config-aggregator-role",
            name=props.config_aggregator_role_name,
            description="Lets AWS Config read the organization's accounts for the aggregator",
            assume_role_policy=policy_document([{
                "Sid": "ConfigAssumesRole", "Effect": "Allow",
                "Principal": {"Service": defaults.CONFIG_PRINCIPAL}, "Action": "sts:AssumeRole",
            }]),
            **provider,
        )
        attachment = aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "config-aggregator-policy", role=role.name,
            policy_arn=defaults.CONFIG_AGGREGATOR_MANAGED_POLICY, **provider)
        aws.config_configuration_aggregator.ConfigConfigurationAggregator(
            self, "config-aggregator",
            name=props.config_aggregator_name,
            organization_aggregation_source=(
                aws.config_configuration_aggregator.ConfigConfigurationAggregatorOrganizationAggregationSource(
                    all_regions=True, role_arn=role.arn)),
            depends_on=[attachment],
            **provider,
        )
