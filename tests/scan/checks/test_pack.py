"""The ML policy pack: registry conventions, and each check on passing and failing stacks."""

from __future__ import annotations

import ast
import re

import pytest

from mlplat.scan import ScanReport
from mlplat.scan.checks import CHECK_ID_RE, CHECKS_DIR, check_files, load_checks

from ..conftest import STACKS

# The resource policies of tests/scan/conftest.py, by name: open_policies() in ml-bad,
# closed_policies() and unknown_policies() in ml-good.
OPEN_POLICIES = ("public", "any_aws", "list_with_star", "other_key", "org_if_exists")
CLOSED_POLICIES = ("accounts", "organization", "org_paths", "org_from_remote_state", "policy_variable")
UNKNOWN_POLICIES = ("from_document", "principal_from_variable")


def _mlp(findings: list) -> set[tuple[str, str, str]]:
    return {(f.stack, f.resource, f.check_id) for f in findings if f.check_id.startswith("CKV_MLP_")}


def _at(stack: str, resource_type: str, names: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(stack, f"{resource_type}.{name}") for name in names}


def test_registry_ids_are_unique_well_formed_and_match_file_and_class() -> None:
    files = check_files()
    assert [p.stem for p in files] == [f"CKV_MLP_{n:03d}" for n in range(1, 13)]
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
            {("ml-good", "aws_sagemaker_domain.studio")}
            # The domains added for CKV_MLP_011 are VpcOnly, so that they fail only what they test.
            | _at("ml-good", "aws_sagemaker_domain", ("locked_down", "unshared_by_default", "sharing_from_variable"))
            | _at("ml-bad", "aws_sagemaker_domain", ("sharing_output", "no_security_groups")),
        ),
        (
            "CKV_MLP_002",
            {("ml-bad", "aws_sagemaker_domain.public"), ("ml-bad", "aws_sagemaker_domain.defaulted")},
            {("ml-good", "aws_sagemaker_domain.studio"), ("ml-good", "aws_sagemaker_domain.from_variable")}
            | _at("ml-good", "aws_sagemaker_domain", ("locked_down", "unshared_by_default", "sharing_from_variable"))
            | _at("ml-bad", "aws_sagemaker_domain", ("sharing_output", "no_security_groups")),
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
        (
            "CKV_MLP_006",
            _at("ml-bad", "aws_sagemaker_model", ("open", "not_isolated")),
            {("ml-good", "aws_sagemaker_model.isolated"), ("ml-bad", "aws_sagemaker_model.no_security_groups")},
        ),
        (
            "CKV_MLP_007",
            _at("ml-bad", "aws_sagemaker_model", ("open", "no_security_groups")),
            {("ml-good", "aws_sagemaker_model.isolated"), ("ml-bad", "aws_sagemaker_model.not_isolated")},
        ),
        (
            "CKV_MLP_008",
            _at("ml-bad", "aws_sagemaker_model_package_group_policy", OPEN_POLICIES),
            _at("ml-good", "aws_sagemaker_model_package_group_policy", CLOSED_POLICIES),
        ),
        (
            "CKV_MLP_009",
            _at("ml-bad", "aws_cloudwatch_event_bus_policy", OPEN_POLICIES)
            | {("ml-bad", "aws_cloudwatch_event_permission.public")},
            _at("ml-good", "aws_cloudwatch_event_bus_policy", CLOSED_POLICIES)
            | _at("ml-good", "aws_cloudwatch_event_permission", ("account", "organization")),
        ),
        (
            "CKV_MLP_010",
            _at("ml-bad", "aws_ecr_repository_policy", OPEN_POLICIES),
            _at("ml-good", "aws_ecr_repository_policy", CLOSED_POLICIES),
        ),
        (
            "CKV_MLP_012",
            _at("ml-bad", "aws_oam_sink_policy", OPEN_POLICIES),
            _at("ml-good", "aws_oam_sink_policy", CLOSED_POLICIES),
        ),
        (
            "CKV_MLP_011",
            _at("ml-bad", "aws_sagemaker_domain", ("sharing_output", "no_security_groups"))
            # The earlier domain fixtures name no security groups in their default user settings.
            | _at("ml-bad", "aws_sagemaker_domain", ("public", "defaulted"))
            | _at("ml-good", "aws_sagemaker_domain", ("studio", "from_variable")),
            _at("ml-good", "aws_sagemaker_domain", ("locked_down", "unshared_by_default")),
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
    # Isolation, subnets, a whole policy document, a policy's principal, an event sender and the
    # notebook output option, each from an expression.
    unknown = {
        ("CKV_MLP_006", "aws_sagemaker_model.from_variable"),
        ("CKV_MLP_007", "aws_sagemaker_model.from_variable"),
        ("CKV_MLP_009", "aws_cloudwatch_event_permission.from_variable"),
        ("CKV_MLP_011", "aws_sagemaker_domain.sharing_from_variable"),
    } | {
        (check_id, f"{resource_type}.{name}")
        for check_id, resource_type in (
            ("CKV_MLP_008", "aws_sagemaker_model_package_group_policy"),
            ("CKV_MLP_009", "aws_cloudwatch_event_bus_policy"),
            ("CKV_MLP_010", "aws_ecr_repository_policy"),
            ("CKV_MLP_012", "aws_oam_sink_policy"),
        )
        for name in UNKNOWN_POLICIES
    }
    for _, address in unknown:  # they exist, so the assertion below is not vacuous
        resource_type, name = address.split(".")
        assert name in STACKS["ml-good"]["resource"][resource_type]
    assert not {(c, r) for s, r, c in judged if s == "ml-good"} & unknown


def test_scp_size_failure_says_how_big(batch_report: ScanReport) -> None:
    (finding,) = [f for f in batch_report.failed if f.check_id == "CKV_MLP_004"]
    assert finding.details == ("content has 5121 characters; the quota is 5120",)


def test_open_policy_failure_names_the_statement(batch_report: ScanReport) -> None:
    (finding,) = [
        f
        for f in batch_report.failed
        if (f.stack, f.resource, f.check_id) == ("ml-bad", "aws_ecr_repository_policy.other_key", "CKV_MLP_010")
    ]
    assert finding.details == (
        "statement #0 allows any principal without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition",
    )
