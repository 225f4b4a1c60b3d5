"""The account baseline and the Config recorders, in every account and region of the enterprise example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat import engine, resolve, spec
from mlplat.stacks.context import StackSet

ROOT = Path(__file__).parents[4]
REGIONS = {"aws": "eu-west-1", "aws.eu-central-1": "eu-central-1"}  # provider -> region (home first)
REMOTE = "${data.terraform_remote_state.northbank-log-archive.outputs."


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> tuple[Path, list[str]]:
    from mlplat.stacks.foundations import baseline, logging

    directory = tmp_path_factory.mktemp("baseline")
    org = resolve.resolve(spec.load(ROOT / "examples" / "enterprise" / "mlplat.yaml"))
    app = engine.new_app(directory)
    stacks = StackSet(app, org)
    for number, account in enumerate(org.accounts):  # what the organization stack would export
        if ("account_id", account.key) in stacks.exports:
            stacks.assume("account_id", f"1000000000{number:02d}", account.key)
    stacks.assume("organization_id", "o-exampleorg1")
    stacks.assume("organization_root_id", "r-ex12")  # Security Hub's configuration policy is associated with it
    logging.place(stacks)
    baseline.place(stacks)
    app.synth()
    return directory, [handle.name for handle in stacks.accounts()]


def documents(synthesized) -> dict[str, dict]:
    out, names = synthesized
    return {name: json.loads((out / "stacks" / name / "cdk.tf.json").read_text()) for name in names}


def by_provider(document: dict, resource_type: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for value in document["resource"].get(resource_type, {}).values():
        found.setdefault(value["provider"], []).append(value)
    return found


def test_every_account_including_management_is_baselined(synthesized) -> None:
    names = synthesized[1]
    assert len(names) == 32 and names[0] == "northbank-management"


def test_config_records_every_region_with_global_types_only_at_home(synthesized) -> None:
    for name, doc in documents(synthesized).items():
        recorders = by_provider(doc, "aws_config_configuration_recorder")
        channels = by_provider(doc, "aws_config_delivery_channel")
        statuses = by_provider(doc, "aws_config_configuration_recorder_status")
        assert sorted(recorders) == sorted(channels) == sorted(statuses) == sorted(REGIONS), name
        for provider in REGIONS:
            (recorder,), (channel,), (status,) = recorders[provider], channels[provider], statuses[provider]
            assert recorder["recording_group"] == {"all_supported": True,
                                                   "include_global_resource_types": provider == "aws"}, name
            assert recorder["role_arn"].startswith("${aws_iam_service_linked_role.config-eu-west-1_"), name
            assert channel["snapshot_delivery_properties"] == {"delivery_frequency": "TwentyFour_Hours"}
            assert status["is_enabled"] is True
            assert any(d.startswith("aws_config_delivery_channel.") for d in status["depends_on"])
        (role,) = doc["resource"]["aws_iam_service_linked_role"].values()
        assert role["aws_service_name"] == "config.amazonaws.com" and role["provider"] == "aws"


def test_config_delivers_to_the_log_archive(synthesized) -> None:
    for name, doc in documents(synthesized).items():
        for channel in doc["resource"]["aws_config_delivery_channel"].values():
            if name == "northbank-log-archive":  # its own bucket, once the bucket policy is in place
                assert channel["s3_bucket_name"] == "${aws_s3_bucket_policy.log-archive_bucket-policy_C0131D21.bucket}"
                assert channel["s3_kms_key_arn"] == "${aws_kms_key.log-archive_key_E3935F2D.arn}"
            else:
                assert channel["s3_bucket_name"].startswith(REMOTE) and channel["s3_kms_key_arn"].startswith(REMOTE)
    manifest = json.loads((synthesized[0] / "manifest.json").read_text())["stacks"]
    for name in synthesized[1]:
        if name != "northbank-log-archive":
            assert "northbank-log-archive" in manifest[name]["dependencies"], name


def test_account_wide_settings_once_in_the_home_region(synthesized) -> None:
    for name, doc in documents(synthesized).items():
        (block,) = doc["resource"]["aws_s3_account_public_access_block"].values()
        assert block["provider"] == "aws"
        assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                "restrict_public_buckets"))
        (policy,) = doc["resource"]["aws_iam_account_password_policy"].values()
        assert policy["provider"] == "aws"
        assert policy["minimum_password_length"] >= 14 and policy["max_password_age"] == 90
        assert policy["password_reuse_prevention"] == 24 and policy["allow_users_to_change_password"] is True
        assert all(policy[f"require_{k}"] is True for k in ("lowercase_characters", "uppercase_characters",
                                                              "numbers", "symbols"))


def test_ebs_encryption_and_account_analyzer_in_every_region(synthesized) -> None:
    for name, doc in documents(synthesized).items():
        ebs = by_provider(doc, "aws_ebs_encryption_by_default")
        assert sorted(ebs) == sorted(REGIONS) and all(e[0]["enabled"] is True for e in ebs.values()), name
        analyzers = by_provider(doc, "aws_accessanalyzer_analyzer")
        if name == "northbank-security-tooling":  # runs the organization analyzer instead
            assert all(a["type"] == "ORGANIZATION" for found in analyzers.values() for a in found)
        else:
            assert sorted(analyzers) == sorted(REGIONS), name
            assert all(a[0]["type"] == "ACCOUNT" for a in analyzers.values())


def test_fails_a_password_policy_weaker_than_the_baseline() -> None:
    from pydantic import ValidationError

    from mlplat.modules.foundations.baseline.account_baseline import AccountBaselineProps

    with pytest.raises(ValidationError, match="minimum_password_length"):
        AccountBaselineProps(include_global=True, access_analyzer_name="x", minimum_password_length=8)
