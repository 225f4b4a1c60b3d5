"""The detective controls catalogue on its own: pure data, well-formed, and only verified AWS identifiers."""

from __future__ import annotations

import re

import pytest
import yaml

from mlplat.modules.foundations.detective import catalog
from mlplat.modules.foundations.detective.conformance_pack import pack_rules, render_conformance_pack
from mlplat.spec import framework

# AWS Config managed rule identifiers checked against the AWS Config developer guide (one page per rule:
# "Identifier", "Resource Types", "Trigger type") and AWS's conformance pack templates. A new rule joins
# this list only once its identifier has been checked the same way: a wrong one fails at apply time.
VERIFIED_IDENTIFIERS = {
    "SAGEMAKER_DOMAIN_IN_VPC", "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
    "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK", "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
    "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC", "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED",
    "SAGEMAKER_MODEL_ISOLATION_ENABLED", "SAGEMAKER_MODEL_IN_VPC", "SAGEMAKER_FEATUREGROUP_ENCRYPTION_AT_REST",
    "SAGEMAKER_FEATUREGROUP_ONLINE_STORE_ENCRYPTION",
    "S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
    "S3_BUCKET_VERSIONING_ENABLED", "CLOUD_TRAIL_ENABLED", "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "CW_LOGGROUP_RETENTION_PERIOD_CHECK", "CMK_BACKING_KEY_ROTATION_ENABLED", "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
    "ENCRYPTED_VOLUMES", "EC2_EBS_ENCRYPTION_BY_DEFAULT", "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
    "VPC_FLOW_LOGS_ENABLED", "VPC_DEFAULT_SECURITY_GROUP_CLOSED", "INCOMING_SSH_DISABLED",
    "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", "NO_UNRESTRICTED_ROUTE_TO_IGW",
    "IAM_ROOT_ACCESS_KEY_CHECK", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "GUARDDUTY_ENABLED_CENTRALIZED", "SECURITYHUB_ENABLED", "MACIE_STATUS_CHECK",
    "ECR_PRIVATE_IMAGE_SCANNING_ENABLED", "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
    "CODEBUILD_PROJECT_LOGGING_ENABLED", "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION", "SNS_ENCRYPTED_KMS",
}
# Security Hub standards ARNs as AWS documents them (DescribeStandards); the CIS v1.2.0 'ruleset' form is not used.
VERIFIED_STANDARD_ARNS = {
    "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
    "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    "arn:aws:securityhub:eu-west-1::standards/nist-800-53/v/5.0.0",
    "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1",
}
ORG_NAME_MAX = 32  # mlplat's Name type
CONFIG_RULE_NAME_MAX = 64  # AWS Config


def all_rules() -> list[catalog.ConfigRule]:
    return list(catalog.config_rules()) + [r for p in catalog.conformance_packs(tuple(catalog.FRAMEWORKS))
                                           for r in p.rules]


def test_every_identifier_was_verified() -> None:
    assert {r.identifier for r in all_rules()} <= VERIFIED_IDENTIFIERS


def test_rules_are_well_formed() -> None:
    by_name: dict[str, catalog.ConfigRule] = {}
    for rule in all_rules():
        assert by_name.setdefault(rule.name, rule) == rule, f"two rules named {rule.name}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert len(rule.name) + 1 + ORG_NAME_MAX <= CONFIG_RULE_NAME_MAX, rule.name
        assert re.fullmatch(r"[A-Z0-9]+(_[A-Z0-9]+)*", rule.identifier)
        assert rule.protects.endswith(".") and len(rule.protects) <= 256
        assert rule.resource_types and all(t.startswith("AWS::") for t in rule.resource_types)
        assert rule.scope == () if rule.resource_types == (catalog.ACCOUNT,) else catalog.ACCOUNT not in rule.scope
    identifiers = [r.identifier for r in catalog.config_rules()]
    assert len(identifiers) == len(set(identifiers))


def test_organization_rules_cover_the_ml_and_baseline_controls() -> None:
    identifiers = {r.identifier for r in catalog.config_rules()}
    assert {"SAGEMAKER_DOMAIN_IN_VPC", "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
            "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED", "SAGEMAKER_MODEL_ISOLATION_ENABLED",
            "SAGEMAKER_FEATUREGROUP_ENCRYPTION_AT_REST"} <= identifiers
    assert {"S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "CLOUD_TRAIL_ENABLED",
            "ENCRYPTED_VOLUMES", "IAM_ROOT_ACCESS_KEY_CHECK"} <= identifiers
    global_rules = {r.identifier for r in catalog.config_rules() if r.global_only}
    assert global_rules == {"IAM_ROOT_ACCESS_KEY_CHECK", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC"}


def test_frameworks_are_the_ones_the_spec_accepts() -> None:
    assert set(catalog.FRAMEWORKS) == set(framework.COMPLIANCE_FRAMEWORKS)
    for key in catalog.FRAMEWORKS:
        (pack,) = catalog.conformance_packs((key,))
        assert pack.framework == key and pack.rules


def test_standards_are_the_defaults_plus_each_framework() -> None:
    defaults = [s.key for s in catalog.security_hub_standards(())]
    assert defaults == ["aws-foundational-security-best-practices", "cis-aws-foundations-benchmark"]
    assert [s.key for s in catalog.security_hub_standards(("pci-dss",))] == [*defaults, "pci-dss"]
    assert [s.key for s in catalog.security_hub_standards(("pci-dss", "nist-800-53", "pci-dss"))] == [
        *defaults, "pci-dss", "nist-800-53"]
    arns = {s.arn("aws", "eu-west-1") for s in catalog.security_hub_standards(tuple(catalog.FRAMEWORKS))}
    assert arns == VERIFIED_STANDARD_ARNS


def test_without_frameworks_there_is_no_conformance_pack() -> None:
    assert catalog.conformance_packs(()) == ()


def test_fails_on_an_unknown_framework() -> None:
    with pytest.raises(ValueError, match="unknown compliance framework hipaa; known: nist-800-53, pci-dss"):
        catalog.security_hub_standards(("hipaa",))
    with pytest.raises(ValueError, match="unknown compliance framework"):
        catalog.conformance_packs(("pci-dss", "hipaa"))


@pytest.mark.parametrize("key", sorted(catalog.FRAMEWORKS))
def test_conformance_packs_render_within_aws_limits(key: str) -> None:
    (pack,) = catalog.conformance_packs((key,))
    for region, home in (("eu-west-1", True), ("eu-central-1", False)):
        body = render_conformance_pack(pack, region, home)
        assert len(body.encode()) <= 51_200
        resources = yaml.safe_load(body)["Resources"]
        expected = pack_rules(pack, home)
        assert [r["Properties"]["Source"] for r in resources.values()] == [
            {"Owner": "AWS", "SourceIdentifier": r.identifier} for r in expected]
        assert [r["Properties"]["ConfigRuleName"] for r in resources.values()] == [r.name for r in expected]
        for resource, rule in zip(resources.values(), expected):
            scope = resource["Properties"].get("Scope", {}).get("ComplianceResourceTypes", [])
            assert scope == list(rule.scope)
        globals_ = {r.name for r in pack.rules if r.global_only}
        assert globals_ and (globals_ <= {r.name for r in expected}) == home


def test_fails_a_pack_larger_than_aws_config_accepts() -> None:
    from mlplat.modules.foundations.detective.conformance_pack import ConformancePackError

    (pack,) = catalog.conformance_packs(("pci-dss",))
    with pytest.raises(ConformancePackError, match="accepts a template body of at most 1,000 bytes"):
        render_conformance_pack(pack, "eu-west-1", True, max_bytes=1000)


def test_macie_scope_is_one_sentence() -> None:
    assert catalog.MACIE_SCOPE.endswith(".") and catalog.MACIE_SCOPE.count(". ") == 0
