"""A deliberately insecure stack (tests/scan/insecure) fails the scan in every format, with the expected findings.

Its ``scan-suppressions.json`` is what synth writes from a spec's ``controls.suppressions``: one that
suppresses a failure, one past its expiry, one that matches nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from mlplat import api, cli
from mlplat.report import scan_json, scan_junit, scan_sarif, scan_text
from mlplat.scan import ScanReport, scan

HERE = Path(__file__).parent
INSECURE = HERE / "insecure"
SARIF_SCHEMA = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text())
TODAY = date(2026, 11, 27)

EXPECTED = {
    ("CKV_MLP_009", "aws_cloudwatch_event_bus_policy.anyone", "CRITICAL"),
    ("CKV_MLP_001", "aws_sagemaker_domain.open", "CRITICAL"),
    ("CKV_MLP_002", "aws_sagemaker_domain.open", "HIGH"),
    ("CKV_MLP_011", "aws_sagemaker_domain.open", "HIGH"),
    ("CKV_AWS_187", "aws_sagemaker_domain.open", "HIGH"),
    ("CKV_MLP_005", "aws_sagemaker_endpoint_configuration.plain", "HIGH"),
    ("CKV_AWS_98", "aws_sagemaker_endpoint_configuration.plain", "HIGH"),
    ("CKV_MLP_006", "aws_sagemaker_model.loose", "HIGH"),
    ("CKV_MLP_007", "aws_sagemaker_model.loose", "HIGH"),
    ("CKV_AWS_370", "aws_sagemaker_model.loose", "HIGH"),
    # suppressed until 2025-12-31: expired, so it fails again
    ("CKV_AWS_24", "aws_security_group.ssh", "CRITICAL"),
}


def validate_sarif(text: str) -> dict:
    document = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    return document


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return scan(INSECURE, [], templates=False, jobs=1, today=TODAY, cache=False)  # nothing written in the repository


def test_the_insecure_stack_fails_with_the_expected_findings(report: ScanReport) -> None:
    assert {(f.check_id, f.resource, f.severity) for f in report.failed} == EXPECTED
    assert {f.stack for f in report.failed} == {"acme-insecure"}
    assert [(w.finding.check_id, w.finding.resource, w.waiver.source) for w in report.waived] == [
        ("CKV2_AWS_5", "aws_security_group.ssh", "mlplat.yaml:31")]
    assert [(w.check_id, w.source) for w in report.expired_waivers] == [("CKV_AWS_24", "mlplat.yaml:36")]
    assert [(w.check_id, w.source) for w in report.unused_waivers] == [("CKV_AWS_21", "mlplat.yaml:42")]
    assert not report.passes("LOW") and not report.passes("CRITICAL")


def test_every_format_reports_the_findings_the_suppressions_and_their_state(report: ScanReport, tmp_path: Path) -> None:
    table = scan_text(report)
    assert all(f"FAILED {severity} {check} acme-insecure {resource}:" in table for check, resource, severity in EXPECTED)
    assert "suppressed in mlplat.yaml:31:\n  CKV2_AWS_5 on 1 resources: The group is attached" in table
    assert "expired, suppresses nothing: CKV_AWS_24 (stack acme-*, resource aws_security_group.ssh) [mlplat.yaml:36], " \
           "until 2025-12-31: A bastion" in table
    assert "unused, matches no failure: CKV_AWS_21 (everywhere) [mlplat.yaml:42]" in table

    document = json.loads(scan_json(report, "HIGH"))
    assert {(f["check_id"], f["resource"], f["severity"]) for f in document["failed"]} == EXPECTED
    assert document["blocking"] == len(EXPECTED) and document["fail_on"] == "HIGH"
    assert [w["source"] for w in document["waived"]] == ["mlplat.yaml:31"]
    assert [(w["check_id"], w["expires"]) for w in document["expired_waivers"]] == [("CKV_AWS_24", "2025-12-31")]

    sarif = validate_sarif(scan_sarif(report, INSECURE, HERE.parent.parent))
    results = sarif["runs"][0]["results"]
    failing = {(r["ruleId"], r["level"]) for r in results if "suppressions" not in r}
    assert failing == {(c, "error") for c, _, _ in EXPECTED}  # HIGH and CRITICAL are errors
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
               "tests/scan/insecure/stacks/acme-insecure/cdk.tf.json" for r in results)
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["ruleId"] == "CKV2_AWS_5" and "attached by a later change" in suppressed["suppressions"][0]["justification"]

    suites = ET.fromstring(scan_junit(report))
    failures = {(case.get("name").split()[0], case.get("classname")) for case in suites.iter("testcase")
                if case.find("failure") is not None}
    assert failures == {(c, f"acme-insecure.{r}") for c, r, _ in EXPECTED}
    assert suites.get("failures") == str(len(EXPECTED)) and suites.get("skipped") == "1"


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junitxml"])
def test_the_cli_exits_1_in_every_format(report: ScanReport, fmt: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(api, "scan", lambda out, **_: report)
    target = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli.app, ["scan", str(INSECURE), "--format", fmt, "--output", str(target)])
    assert result.exit_code == 1, result.output
    assert "FAILED CRITICAL CKV_MLP_001 acme-insecure aws_sagemaker_domain.open" in result.output
    assert "CKV_MLP_001" in target.read_text()


def test_fail_on_sets_the_severity_that_fails(report: ScanReport, monkeypatch) -> None:
    medium_only = replace(report, failed=[replace(f, check_id="CKV_AWS_18") for f in report.failed[:1]], expired_waivers=[])
    for scanned, fail_on, code in [(report, "critical", 1), (medium_only, "low", 1), (medium_only, "medium", 1),
                                   (medium_only, "high", 0), (medium_only, "critical", 0)]:
        monkeypatch.setattr(api, "scan", lambda out, scanned=scanned, **_: scanned)
        result = CliRunner().invoke(cli.app, ["scan", str(INSECURE), "--fail-on", fail_on])
        assert result.exit_code == code, (fail_on, result.output)
    result = CliRunner().invoke(cli.app, ["scan", str(INSECURE), "--fail-on", "severe"])
    assert result.exit_code == 2 and "use one of low, medium, high, critical" in result.output


def test_mlplat_scan_writes_valid_sarif_and_exits_1(tmp_path: Path) -> None:
    target = tmp_path / "scan.sarif"
    done = subprocess.run([sys.executable, "-m", "mlplat", "scan", str(INSECURE), "--format", "sarif", "--output",
                           str(target), "--no-cache"], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "FAILED CRITICAL CKV_MLP_009 acme-insecure aws_cloudwatch_event_bus_policy.anyone" in done.stdout
    document = validate_sarif(target.read_text())
    assert {r["ruleId"] for r in document["runs"][0]["results"] if "suppressions" not in r} >= {c for c, _, _ in EXPECTED}
