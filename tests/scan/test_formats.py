"""The scan report as SARIF 2.1.0 (code scanning) and JUnit XML, from a report built here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from mlplat.report import scan_junit, scan_sarif
from mlplat.scan import ScanReport, Waiver
from mlplat.scan.runner import Finding, WaivedFinding

FAILED = Finding(stack="acme-churn-dev", resource="aws_s3_bucket.data", check_id="CKV_AWS_18",
                 check_name="Ensure the S3 bucket has access logging enabled",
                 guideline="https://docs.example/ckv-aws-18", file="stacks/acme-churn-dev/cdk.tf.json", lines=(120, 140))
WAIVED = Finding(stack="acme-log-archive", resource="aws_s3_bucket.logs", check_id="CKV_AWS_144",
                 check_name="Ensure that S3 bucket has cross-region replication enabled",
                 file="stacks/acme-log-archive/cdk.tf.json", lines=(10, 30))
TEMPLATE = Finding(stack="", resource="AWS::SageMaker::Model.Model", check_id="CKV_MLP_003",
                   check_name="SageMaker model without network isolation",
                   file="templates/servicecatalog/project-model-deploy.yaml", lines=(40, 52))
PASSED = Finding(stack="acme-churn-dev", resource="aws_s3_bucket.data", check_id="CKV_AWS_19", check_name="Encrypted")
REPORT = ScanReport(
    failed=[FAILED, TEMPLATE],
    waived=[WaivedFinding(WAIVED, Waiver(check_id="CKV_AWS_144", reason="Logs stay in the home region."))],
    passed=[PASSED], unused_waivers=[], parsing_errors=[], checkov_version="3.2.0",
)


def test_sarif_names_every_failure_at_its_file_and_lines_and_suppresses_the_waived(tmp_path: Path) -> None:
    out = tmp_path / "out" / "acme"
    document = json.loads(scan_sarif(REPORT, out, tmp_path))
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["CKV_AWS_144", "CKV_AWS_18", "CKV_MLP_003"]
    assert rules["CKV_AWS_18"]["helpUri"] == "https://docs.example/ckv-aws-18"
    # levels and security-severity follow mlplat's severities (severities.yaml)
    assert {i: (r["defaultConfiguration"]["level"], r["properties"]["security-severity"]) for i, r in rules.items()} == {
        "CKV_AWS_18": ("warning", "5.5"), "CKV_AWS_144": ("note", "3.0"), "CKV_MLP_003": ("error", "9.5")}
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == set(rules)
    for result in run["results"]:
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1 and physical["region"]["endLine"] >= physical["region"]["startLine"]
    # paths are relative to the repository, so that code scanning annotates the file
    assert results["CKV_AWS_18"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "out/acme/stacks/acme-churn-dev/cdk.tf.json"},
        "region": {"startLine": 120, "endLine": 140}}
    assert results["CKV_MLP_003"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "templates/servicecatalog/project-model-deploy.yaml"
    assert "suppressions" not in results["CKV_AWS_18"]
    assert results["CKV_AWS_144"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Logs stay in the home region."}]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_outside_the_repository_uses_file_uris(tmp_path: Path) -> None:
    document = json.loads(scan_sarif(REPORT, tmp_path / "elsewhere", tmp_path / "repo"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert uris[0].startswith("file:///") and uris[0].endswith("/elsewhere/stacks/acme-churn-dev/cdk.tf.json")


def test_junit_has_a_suite_per_stack_a_failure_per_failed_check_and_skips_the_waived() -> None:
    root = ET.fromstring(scan_junit(REPORT))
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("skipped")) == ("testsuites", "4", "2", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["acme-churn-dev", "acme-log-archive", "templates/servicecatalog/project-model-deploy.yaml"]
    churn = suites["acme-churn-dev"]
    assert (churn.get("tests"), churn.get("failures")) == ("2", "1")
    failed = [c for c in churn.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["CKV_AWS_18 Ensure the S3 bucket has access logging enabled"]
    assert failed[0].find("failure").get("type") == "CKV_AWS_18"
    (skipped,) = suites["acme-log-archive"].findall("testcase/skipped")
    assert skipped.get("message") == "waived: Logs stay in the home region."


def test_a_stack_file_that_cannot_be_parsed_is_an_error_in_both() -> None:
    broken = ScanReport(failed=[], waived=[], passed=[], unused_waivers=[], parsing_errors=["stacks/x/cdk.tf.json"])
    root = ET.fromstring(scan_junit(broken))
    assert root.get("errors") == "1" and root.find("testsuite/testcase/error") is not None
    run = json.loads(scan_sarif(broken, Path("out"), Path.cwd()))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
