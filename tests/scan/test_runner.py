"""scan(): checkov offline over OUT/stacks, findings mapped to stacks and addresses, waivers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat.scan import ScanError, ScanReport, scan
from mlplat.scan import runner

from .conftest import BATCH_WAIVERS, write_stacks


def test_findings_name_stack_address_check_and_guideline(batch_report: ScanReport) -> None:
    by_key = {(f.stack, f.resource, f.check_id): f for f in batch_report.failed}
    finding = by_key[("ml-bad", "aws_sagemaker_domain.public", "CKV_MLP_001")]
    assert finding.file == "stacks/ml-bad/cdk.tf.json"
    assert finding.lines is not None and finding.lines[0] < finding.lines[1]
    assert finding.guideline and finding.guideline.startswith("https://docs.aws.amazon.com/")
    # Stock checks run too, and their results carry full addresses.
    assert ("ml-bad", "aws_sagemaker_domain.public", "CKV_AWS_187") in by_key
    assert all("." in f.resource and not f.resource.startswith("resource.") for f in batch_report.failed)
    assert batch_report.checkov_version


def test_results_are_sorted_and_counted(batch_report: ScanReport) -> None:
    for items in (batch_report.failed, batch_report.passed):
        keys = [(f.stack, f.resource, f.check_id) for f in items]
        assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert batch_report.passed_count == len(batch_report.passed) > 0
    assert {f.stack for f in batch_report.failed} == {"ml-bad", "ml-good"}  # stock checks fail on ml-good


def test_terraform_module_cache_is_not_scanned(batch_report: ScanReport) -> None:
    files = {f.file for f in batch_report.failed + batch_report.passed}
    assert not any(".terraform" in f for f in files)


def test_fails_ok_on_a_stack_that_cannot_be_parsed(batch_report: ScanReport) -> None:
    assert batch_report.parsing_errors == ["stacks/broken/cdk.tf.json"]
    assert not batch_report.ok


def test_waivers_move_failures_with_their_reason_and_unused_ones_are_reported(batch_report: ScanReport) -> None:
    (waived,) = batch_report.waived
    assert (waived.finding.stack, waived.finding.resource, waived.finding.check_id) == (
        "ml-bad",
        "aws_sagemaker_domain.defaulted",
        "CKV_MLP_001",
    )
    assert waived.reason == BATCH_WAIVERS[0].reason
    assert waived.finding not in batch_report.failed
    assert batch_report.unused_waivers == [BATCH_WAIVERS[1]]


def test_same_stacks_give_the_same_report(batch_out: Path, batch_report: ScanReport) -> None:
    again = scan(batch_out, BATCH_WAIVERS, cache=False)
    assert again == batch_report


def test_the_report_is_the_same_however_the_stacks_are_split(batch_out: Path, batch_report: ScanReport) -> None:
    assert len(runner.stack_groups(batch_out / "stacks", 3)) == 3
    assert scan(batch_out, BATCH_WAIVERS, jobs=1, cache=False) == scan(batch_out, BATCH_WAIVERS, jobs=3, cache=False) \
        == batch_report


def test_fails_clearly_when_checkov_itself_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = write_stacks(tmp_path, {"a": {"resource": {}}})
    real = runner.checkov_command
    monkeypatch.setattr(runner, "checkov_command", lambda *args: [*real(*args), "--no-such-flag"])
    with pytest.raises(ScanError, match=r"checkov failed \(exit code 2\)") as caught:
        scan(out, [], cache=False)
    assert "--no-such-flag" in caught.value.stderr
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""  # nothing of checkov's reached the terminal


def test_fails_without_synthesized_stacks(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="no stacks directory"):
        scan(tmp_path, [])
    (tmp_path / "stacks" / "a" / ".terraform").mkdir(parents=True)
    (tmp_path / "stacks" / "a" / ".terraform" / "x.tf.json").write_text("{}")
    with pytest.raises(ScanError, match=r"no \*\.tf\.json files"):
        scan(tmp_path, [])


def test_resource_ids_without_type_are_resolved_by_line(tmp_path: Path) -> None:
    path = tmp_path / "cdk.tf.json"
    path.write_text(
        '{\n  "resource": {\n    "aws_s3_bucket": {\n      "x": {\n        "bucket": "b"\n      }\n    },\n'
        '    "aws_kms_key": {\n      "x": {}\n    }\n  },\n  "data": {\n    "aws_caller_identity": {\n'
        '      "me": {}\n    }\n  }\n}\n'
    )
    addresses = runner._Addresses()
    assert addresses.resolve("resource.x", str(path), (4, 6)) == "aws_s3_bucket.x"
    assert addresses.resolve("resource.x", str(path), (9, 9)) == "aws_kms_key.x"
    assert addresses.resolve("data.me", str(path), (14, 14)) == "data.aws_caller_identity.me"
    assert addresses.resolve("aws_s3_bucket.x", str(path), (4, 6)) == "aws_s3_bucket.x"
    assert addresses.resolve("provider.aws", str(path), None) == "provider.aws"


def test_import_blocks_are_emptied_for_checkov_on_the_same_lines() -> None:
    from mlplat.scan.runner import _readable

    document = {"import": [{"id": "123456789012", "to": "aws_organizations_account.a"}],
                "resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}
    text = json.dumps(document, indent=2, sort_keys=True)
    readable = _readable(text)
    assert json.loads(readable) == {"import": {}, "resource": document["resource"]}
    assert readable.count("\n") == text.count("\n")
    assert readable.splitlines().index('        "bucket": "x"') == text.splitlines().index('        "bucket": "x"')
    assert _readable(json.dumps({"resource": {}}, indent=2)) == json.dumps({"resource": {}}, indent=2)
