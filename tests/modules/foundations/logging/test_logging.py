"""Central logging on the enterprise example: log archive, organization trail and security services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat import engine, resolve, spec
from mlplat.stacks.context import StackSet

ROOT = Path(__file__).parents[4]
ORG_ID = "o-exampleorg1"
ROOT_ID = "r-ex12"
MANAGEMENT_ID = "210987654321"
TRAIL_ARN = f"arn:aws:cloudtrail:eu-west-1:{MANAGEMENT_ID}:trail/northbank-organization-trail"


def fake_ids(stacks: StackSet) -> None:
    """What the organization stack would export, as literals."""
    for number, account in enumerate(stacks.org.accounts):
        if ("account_id", account.key) in stacks.exports:
            stacks.assume("account_id", f"1000000000{number:02d}", account.key)
    stacks.assume("organization_id", ORG_ID)
    stacks.assume("organization_arn", f"arn:aws:organizations::{MANAGEMENT_ID}:organization/{ORG_ID}")
    stacks.assume("organization_root_id", ROOT_ID)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    from mlplat.stacks.foundations import logging

    directory = tmp_path_factory.mktemp("logging")
    org = resolve.resolve(spec.load(ROOT / "examples" / "enterprise" / "mlplat.yaml"))
    app = engine.new_app(directory)
    stacks = StackSet(app, org)
    fake_ids(stacks)
    logging.place(stacks)
    for name in ("log_bucket_name", "log_bucket_arn", "log_kms_key_arn"):
        assert isinstance(stacks.made(name), str) and stacks.made(name)
    app.synth()
    return directory


def stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / f"northbank-{name}" / "cdk.tf.json").read_text())


def only(document: dict, resource_type: str, name_part: str = "") -> dict:
    matches = [v for k, v in document["resource"].get(resource_type, {}).items() if name_part in k]
    assert len(matches) == 1, f"{resource_type} {name_part!r}: {len(matches)} found"
    return matches[0]


def sids(policy: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_log_buckets_are_named_under_the_protected_prefix(out: Path) -> None:
    buckets = sorted(v["bucket"] for v in stack(out, "log-archive")["resource"]["aws_s3_bucket"].values())
    assert buckets == ["northbank-log-archive-100000000001-eu-west-1",
                       "northbank-log-archive-access-100000000001-eu-west-1"]


def test_log_bucket_is_versioned_private_encrypted_and_locked(out: Path) -> None:
    doc = stack(out, "log-archive")
    bucket_ref = "${aws_s3_bucket.log-archive_bucket_0724352E.id}"
    assert only(doc, "aws_s3_bucket", "log-archive_bucket_")["object_lock_enabled"] is True
    for name in ("bucket", "access-logs"):
        assert only(doc, "aws_s3_bucket_versioning", f"_{name}-versioning")["versioning_configuration"] == {
            "status": "Enabled"}
        assert only(doc, "aws_s3_bucket_ownership_controls", f"_{name}-ownership")["rule"] == {
            "object_ownership": "BucketOwnerEnforced"}
        block = only(doc, "aws_s3_bucket_public_access_block", f"_{name}-public")
        assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                "restrict_public_buckets"))
        lifecycle = only(doc, "aws_s3_bucket_lifecycle_configuration", f"_{name}-lifecycle")["rule"][0]
        assert lifecycle["status"] == "Enabled"
        assert lifecycle["transition"] == [{"days": 90, "storage_class": "GLACIER"}]
        assert lifecycle["expiration"] == [{"days": 2557}]
        assert lifecycle["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
        assert lifecycle["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    encryption = only(doc, "aws_s3_bucket_server_side_encryption_configuration", "_bucket-encryption")
    assert encryption["bucket"] == bucket_ref
    assert encryption["rule"] == [{"apply_server_side_encryption_by_default": {
        "kms_master_key_id": "${aws_kms_key.log-archive_key_E3935F2D.arn}", "sse_algorithm": "aws:kms"},
        "bucket_key_enabled": True}]
    access_encryption = only(doc, "aws_s3_bucket_server_side_encryption_configuration", "_access-logs-encryption")
    assert access_encryption["rule"] == [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
    lock = only(doc, "aws_s3_bucket_object_lock_configuration")
    assert lock["bucket"] == bucket_ref
    assert lock["rule"] == {"default_retention": {"days": 2557, "mode": "COMPLIANCE"}}
    logging = only(doc, "aws_s3_bucket_logging")
    assert logging["bucket"] == bucket_ref
    assert logging["target_bucket"] == "${aws_s3_bucket.log-archive_access-logs_696FC77A.id}"


def test_log_key_rotates_and_lets_only_the_organization_in(out: Path) -> None:
    key = only(stack(out, "log-archive"), "aws_kms_key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    policy = sids(key["policy"])
    assert policy["AccountAdministers"]["Principal"] == {"AWS": "arn:aws:iam::100000000001:root"}
    assert policy["CloudTrailEncrypts"]["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MANAGEMENT_ID}:trail/*"}}
    for sid, service in (("ConfigEncrypts", "config.amazonaws.com"),
                         ("LogDeliveryEncrypts", "delivery.logs.amazonaws.com")):
        assert policy[sid]["Principal"] == {"Service": service}
        assert policy[sid]["Condition"] == {"StringEquals": {"aws:SourceOrgID": ORG_ID}}
    assert policy["OrganizationDecrypts"]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert policy["OrganizationDecrypts"]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG_ID},
                                                           "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}


def test_log_bucket_policy_is_tls_only_and_lets_the_log_writers_in(out: Path) -> None:
    doc = stack(out, "log-archive")
    arn = "${aws_s3_bucket.log-archive_bucket_0724352E.arn}"
    policy = sids(only(doc, "aws_s3_bucket_policy", "_bucket-policy")["policy"])
    tls = policy["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny" and tls["Action"] == ["s3:*"] and tls["Resource"] == [arn, f"{arn}/*"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["DenyOutdatedTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}
    assert policy["CloudTrailWrite"]["Resource"] == [f"{arn}/AWSLogs/{MANAGEMENT_ID}/*", f"{arn}/AWSLogs/{ORG_ID}/*"]
    assert policy["CloudTrailWrite"]["Condition"] == {"StringEquals": {
        "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}}
    assert policy["CloudTrailAclCheck"]["Action"] == ["s3:GetBucketAcl"]
    for writer, service, prefix in (("Config", "config.amazonaws.com", "AWSLogs/*/Config/*"),
                                    ("LogDelivery", "delivery.logs.amazonaws.com", "AWSLogs/*")):
        check = policy[f"{writer}BucketCheck" if writer == "Config" else f"{writer}AclCheck"]
        assert check["Principal"] == {"Service": service} and check["Resource"] == arn
        assert check["Action"] == ["s3:GetBucketAcl", "s3:ListBucket"]
        write = policy[f"{writer}Write"]
        assert write["Principal"] == {"Service": service} and write["Resource"] == f"{arn}/{prefix}"
        assert write["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                                       "aws:SourceOrgID": ORG_ID}}
    access = sids(only(doc, "aws_s3_bucket_policy", "_access-logs-policy")["policy"])
    assert access["S3ServerAccessLogsWrite"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert access["S3ServerAccessLogsWrite"]["Condition"]["ArnLike"] == {"aws:SourceArn": arn}
    assert "DenyInsecureTransport" in access


def test_organization_trail_reads_the_log_archive_from_its_stack(out: Path) -> None:
    doc = stack(out, "management")
    trail = only(doc, "aws_cloudtrail")
    assert trail["name"] == "northbank-organization-trail"
    for flag in ("is_organization_trail", "is_multi_region_trail", "include_global_service_events",
                 "enable_log_file_validation"):
        assert trail[flag] is True
    assert trail["event_selector"] == [{"include_management_events": True, "read_write_type": "All"}]
    remote = "${data.terraform_remote_state.northbank-log-archive.outputs."
    assert trail["s3_bucket_name"].startswith(remote) and trail["kms_key_id"].startswith(remote)
    assert "northbank-log-archive" in doc["data"]["terraform_remote_state"]
    group = only(doc, "aws_cloudwatch_log_group")
    assert group["retention_in_days"] == 365 and group["kms_key_id"].startswith("${aws_kms_key.")
    group_arn = "${aws_cloudwatch_log_group.organization-trail_log-group_0C99523B.arn}"
    assert trail["cloud_watch_logs_group_arn"] == f"{group_arn}:*"
    role = only(doc, "aws_iam_role")
    trust = json.loads(role["assume_role_policy"])["Statement"]
    assert trust == [{"Sid": "CloudTrailAssumesRole", "Effect": "Allow", "Action": "sts:AssumeRole",
                      "Principal": {"Service": "cloudtrail.amazonaws.com"}}]
    delivery = json.loads(only(doc, "aws_iam_role_policy")["policy"])["Statement"]
    assert delivery[0]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert delivery[0]["Resource"] == [f"{group_arn}:log-stream:*"]
    logs_key = sids(only(doc, "aws_kms_key")["policy"])["CloudWatchLogsEncrypts"]
    assert logs_key["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs_key["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
        f"arn:aws:logs:eu-west-1:{MANAGEMENT_ID}:log-group:/aws/cloudtrail/northbank-organization-trail"}}


def test_stacks_that_read_the_log_archive_depend_on_it(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text())["stacks"]
    assert "northbank-log-archive" in manifest["northbank-management"]["dependencies"]
    assert manifest["northbank-log-archive"]["dependencies"] == []


def _by_region(resources: dict) -> dict[str, list[dict]]:
    regions: dict[str, list[dict]] = {}
    for value in resources.values():
        regions.setdefault(value.get("provider", "aws"), []).append(value)
    return regions


def test_security_services_run_in_every_allowed_region(out: Path) -> None:
    resources = stack(out, "security-tooling")["resource"]
    regions = {"aws": "eu-west-1", "aws.eu-central-1": "eu-central-1"}
    organization = _by_region(resources["aws_guardduty_organization_configuration"])
    assert sorted(organization) == sorted(regions)
    assert all(o[0]["auto_enable_organization_members"] == "ALL" for o in organization.values())
    features = _by_region(resources["aws_guardduty_organization_configuration_feature"])
    for provider in regions:
        names = {f["name"]: f for f in features[provider]}
        assert {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
                "RUNTIME_MONITORING"} <= set(names)
        assert all(f["auto_enable"] == "ALL" for f in names.values())
    # Security Hub is configured centrally, from the home region only; no account subscribes on its own
    (hub,) = resources["aws_securityhub_organization_configuration"].values()
    assert hub["provider"] == "aws" and hub["organization_configuration"] == {"configuration_type": "CENTRAL"}
    assert "aws_securityhub_standards_subscription" not in resources
    (policy,) = resources["aws_securityhub_configuration_policy"].values()
    assert sorted(policy["configuration_policy"]["enabled_standard_arns"]) == [
        "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
        "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1"]
    (association,) = resources["aws_securityhub_configuration_policy_association"].values()
    assert association["target_id"] == ROOT_ID
    analyzers = _by_region(resources["aws_accessanalyzer_analyzer"])
    assert sorted(analyzers) == sorted(regions)
    assert all(a[0]["type"] == "ORGANIZATION" for a in analyzers.values())


def test_aggregators_live_in_the_home_region(out: Path) -> None:
    resources = stack(out, "security-tooling")["resource"]
    (aggregator,) = resources["aws_config_configuration_aggregator"].values()
    assert aggregator["provider"] == "aws"
    assert aggregator["organization_aggregation_source"]["all_regions"] is True
    (attachment,) = resources["aws_iam_role_policy_attachment"].values()
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
    (findings,) = resources["aws_securityhub_finding_aggregator"].values()
    assert findings["provider"] == "aws"
    assert findings["linking_mode"] == "SPECIFIED_REGIONS" and findings["specified_regions"] == ["eu-central-1"]


def test_fails_object_lock_without_retention_days() -> None:
    from pydantic import ValidationError

    from mlplat.modules.foundations.logging.log_archive import LogArchiveProps

    with pytest.raises(ValidationError, match="object_lock_mode and object_lock_days"):
        LogArchiveProps(account_id="1", organization_id=ORG_ID, management_account_id=MANAGEMENT_ID,
                        trail_arn=TRAIL_ARN, bucket_name="b", access_logs_bucket_name="a", kms_alias="alias/k",
                        log_retention_days=365, object_lock_mode="COMPLIANCE")


def test_fails_bucket_names_longer_than_s3_allows() -> None:
    text = (ROOT / "examples" / "enterprise" / "mlplat.yaml").read_text().replace(
        "name: northbank\n", "name: northbank-retail-and-wealth-ml\n").replace("eu-west-1", "ap-southeast-1")
    with pytest.raises(spec.SpecError, match="too long for the log archive bucket names in ap-southeast-1"):
        resolve.resolve(spec.parse(text))


def test_the_scp_pattern_covers_both_log_archive_buckets() -> None:
    from fnmatch import fnmatch

    from mlplat.resolve.naming import log_archive_bucket_names, log_archive_bucket_pattern

    names = log_archive_bucket_names("acme", "123456789012", "eu-west-1")
    assert names == ("acme-log-archive-123456789012-eu-west-1", "acme-log-archive-access-123456789012-eu-west-1")
    assert all(fnmatch(name, log_archive_bucket_pattern("acme")) for name in names)


def test_security_services_enable_the_services_where_no_delegation_did(tmp_path: Path) -> None:
    from mlplat.modules.foundations.logging.security_services import SecurityServices, SecurityServicesProps

    app = engine.new_app(tmp_path)
    scope = engine.core.TerraformStack(app, "standalone")
    engine.aws.provider.AwsProvider(scope, "aws", region="eu-west-1")
    SecurityServices(scope, "security", SecurityServicesProps(
        region="eu-west-1", aggregation_region=True, config_aggregator_name="org",
        config_aggregator_role_name="org-config", access_analyzer_name="org", enabled_by_delegation=False,
        security_hub_policy_name="org", security_hub_policy_targets={"root": "r-abcd"},
        security_hub_standard_arns=["arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1"]))
    app.synth()
    resources = json.loads((tmp_path / "stacks" / "standalone" / "cdk.tf.json").read_text())["resource"]
    (detector,) = resources["aws_guardduty_detector"].values()
    assert detector["enable"] is True
    (hub,) = resources["aws_securityhub_account"].values()
    assert hub["enable_default_standards"] is False
    (aggregator,) = resources["aws_securityhub_finding_aggregator"].values()
    # a single region has nothing to link, but central configuration needs an aggregator
    assert aggregator["linking_mode"] == "NO_REGIONS"
    (hub_name,) = resources["aws_securityhub_account"]
    assert aggregator["depends_on"] == [f"aws_securityhub_account.{hub_name}"]


def test_fails_linking_the_aggregation_region_to_itself() -> None:
    from pydantic import ValidationError

    from mlplat.modules.foundations.logging.security_services import SecurityServicesProps

    with pytest.raises(ValidationError, match="must not include the aggregation region"):
        SecurityServicesProps(region="eu-west-1", aggregation_region=True, linked_regions=["eu-west-1"],
                              config_aggregator_name="o", config_aggregator_role_name="o", access_analyzer_name="o")


def test_fails_central_configuration_without_its_policy() -> None:
    from pydantic import ValidationError

    from mlplat.modules.foundations.logging.security_services import SecurityServicesProps

    with pytest.raises(ValidationError, match="needs the Security Hub policy's name, standards and targets"):
        SecurityServicesProps(region="eu-west-1", aggregation_region=True, config_aggregator_name="o",
                              config_aggregator_role_name="o", access_analyzer_name="o", security_hub_policy_name="o")
