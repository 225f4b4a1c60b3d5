"""The ML policy pack: registry conventions, and each check on passing and failing stacks."""

from __future__ import annotations

import ast
import re

import pytest

from mlplat.scan import ScanReport
from mlplat.scan.checks import CHECK_ID_RE, CHECKS_DIR, check_files, load_checks


def _mlp(findings: list) -> set[tuple[str, str, str]]:
    return {(f.stack, f.resource, f.check_id) for f in findings if f.check_id.startswith("CKV_MLP_")}


def test_registry_ids_are_unique_well_formed_and_match_file_and_class() -> None:
    files = check_files()
    assert [p.stem for p in files] == ["CKV_MLP_001", "CKV_MLP_002", "CKV_MLP_003", "CKV_MLP_004", "CKV_MLP_005"]
    checks = load_checks()
    assert len({c.id for c in checks.values()}) == len(checks) == len(files)
    for path in files:
        check = checks[path.stem]
        assert CHECK_ID_RE.match(check.id), check.id
        assert re.match(r"^CKV2?_[A-Za-z]+_[0-9]+$", check.id)  # checkov's own id form
        assert check.id == path.stem == type(check).__name__
        tree = ast.parse(path.read_text())
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        assert classes == [path.stem], f"{path.name} must define exactly one class named {path.stem}"
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in imports:
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert module and not module.startswith(("mlplat", ".")), f"{path.name} imports {module}"


def test_registry_checks_are_documented_with_an_aws_guideline() -> None:
    for check_id, check in load_checks().items():
        doc = type(check).__doc__ or ""
        assert "Wrong:" in doc and "Good:" in doc, f"{check_id} docstring must say what is wrong and what good is"
        assert check.guideline and check.guideline.startswith("https://docs.aws.amazon.com/"), check_id
        assert check.name and list(check.supported_resources), check_id
        assert all(r.startswith("aws_") for r in check.supported_resources)


def test_registry_directory_is_loadable_by_checkov() -> None:
    assert (CHECKS_DIR / "__init__.py").is_file()  # checkov only loads directories with one
    for path in check_files():
        assert path.read_text().rstrip().endswith(f"check = {path.stem}()")


def test_pack_runs_under_terraform_json_with_guidelines(batch_report: ScanReport) -> None:
    checks = load_checks()
    seen = {f.check_id for f in batch_report.failed + batch_report.passed + [w.finding for w in batch_report.waived]}
    assert set(checks) <= seen
    for finding in batch_report.failed + batch_report.passed:
        if finding.check_id in checks:
            assert finding.guideline == checks[finding.check_id].guideline
            assert finding.check_name == checks[finding.check_id].name


@pytest.mark.parametrize(
    ("check_id", "failing", "passing"),
    [
        (
            "CKV_MLP_001",
            {("ml-bad", "aws_sagemaker_domain.public")},
            {("ml-good", "aws_sagemaker_domain.studio")},
        ),
        (
            "CKV_MLP_002",
            {("ml-bad", "aws_sagemaker_domain.public"), ("ml-bad", "aws_sagemaker_domain.defaulted")},
            {("ml-good", "aws_sagemaker_domain.studio"), ("ml-good", "aws_sagemaker_domain.from_variable")},
        ),
        (
            "CKV_MLP_003",
            {
                ("ml-bad", "aws_sagemaker_notebook_instance.open"),
                ("ml-bad", "aws_sagemaker_notebook_instance.rooted"),
                ("ml-bad", "aws_sagemaker_notebook_instance.shared"),
            },
            {("ml-good", "aws_sagemaker_notebook_instance.locked")},
        ),
        (
            "CKV_MLP_004",
            {("ml-bad", "aws_organizations_policy.too_big")},
            {("ml-good", "aws_organizations_policy.at_limit")},
        ),
        (
            "CKV_MLP_005",
            {("ml-bad", "aws_sagemaker_endpoint_configuration.plain")},
            {
                ("ml-good", "aws_sagemaker_endpoint_configuration.encrypted"),
                ("ml-bad", "aws_sagemaker_endpoint_configuration.shared"),
            },
        ),
    ],
)
def test_check_fails_and_passes_where_expected(
    batch_report: ScanReport,
    check_id: str,
    failing: set[tuple[str, str]],
    passing: set[tuple[str, str]],
) -> None:
    failed = {(s, r) for s, r, c in _mlp(batch_report.failed) if c == check_id}
    passed = {(s, r) for s, r, c in _mlp(batch_report.passed) if c == check_id}
    assert failed == failing
    assert passed == passing


def test_check_skips_values_known_only_at_apply_time(batch_report: ScanReport) -> None:
    judged = _mlp(batch_report.failed) | _mlp(batch_report.passed)
    # An expression for the network access type, SCP content from jsonencode, a tag policy.
    assert ("ml-good", "aws_sagemaker_domain.from_variable", "CKV_MLP_001") not in judged
    assert not {r for _, r, c in judged if c == "CKV_MLP_004"} & {
        "aws_organizations_policy.from_expression",
        "aws_organizations_policy.tag_policy",
    }


def test_scp_size_failure_says_how_big(batch_report: ScanReport) -> None:
    (finding,) = [f for f in batch_report.failed if f.check_id == "CKV_MLP_004"]
    assert finding.details == ("content has 5121 characters; the quota is 5120",)
