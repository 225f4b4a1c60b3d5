"""scan(): the Service Catalog product templates are scanned too, as the pseudo-stack servicecatalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlplat import api
from mlplat.scan import ScanError, ScanReport, scan
from mlplat.scan import runner
from mlplat.scan.runner import TEMPLATES_STACK, product_templates_dir
from mlplat.templates.servicecatalog import PRODUCTS, template_text

from .conftest import KEY, write_stacks

FIXTURE = {
    "ml-fixture": {
        "resource": {
            "aws_sagemaker_endpoint_configuration": {
                "encrypted": {
                    "production_variants": [{"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large"}],
                    "kms_key_arn": KEY,
                }
            }
        }
    }
}
SKIP = """    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_370
{comment}"""
REASON = "The vendor container validates its licence online; accepted for this test fixture only."


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stacks(tmp_path_factory.mktemp("scan-templates") / "out", FIXTURE)


def _template_findings(report: ScanReport) -> list:
    return [f for f in report.failed + report.passed if f.stack == TEMPLATES_STACK]


def test_scan_covers_the_shipped_product_templates(fixture_out: Path) -> None:
    report = api.scan(fixture_out)  # what `mlplat scan` runs
    findings = _template_findings(report)
    assert {(f.resource, f.check_id) for f in findings} >= {
        ("AWS::SageMaker::Domain.TeamStudioDomain", "CKV_AWS_187"),
        ("AWS::SageMaker::Model.EndpointModel", "CKV_AWS_370"),
    }
    assert {f.file for f in findings} <= {f"templates/servicecatalog/{p.file_name}" for p in PRODUCTS}
    assert all(f.lines and f.lines[0] < f.lines[1] for f in findings)
    # The shipped templates fail nothing and every file parses.
    assert [f for f in report.failed if f.stack == TEMPLATES_STACK] == []
    assert report.parsing_errors == []
    # The stacks are scanned as before, next to the templates.
    assert any(f.stack == "ml-fixture" for f in report.failed + report.passed)


def test_scan_can_leave_the_templates_out(fixture_out: Path) -> None:
    report = scan(fixture_out, [], templates=False)
    assert _template_findings(report) == [] and report.passed


def test_fails_on_an_insecure_template_and_lists_explained_skips_as_waived(fixture_out: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    # A domain open to the internet without the team's key.
    (templates / "studio-domain.yaml").write_text(
        template_text("studio-domain")
        .replace("AppNetworkAccessType: VpcOnly", "AppNetworkAccessType: PublicInternetOnly")
        .replace("      KmsKeyId: !Ref TeamKmsKeyArn\n", "")
    )
    deploy = template_text("project-model-deploy").replace("EnableNetworkIsolation: true", "EnableNetworkIsolation: false")
    (templates / "project-model-deploy.yaml").write_text(deploy)
    # The same model accepted on purpose, with a reason, and skipped without one.
    for name, comment in (("ExplainedModel", f"            comment: {REASON}\n"), ("SilentModel", "")):
        text = deploy.replace("EndpointModel", name)
        marker = f"  {name}:\n    Type: AWS::SageMaker::Model\n"
        (templates / f"{name}.yaml").write_text(text.replace(marker, marker + SKIP.format(comment=comment)))

    report = scan(fixture_out, [], templates_dir=templates)
    failed = {(f.stack, f.resource, f.check_id): f for f in report.failed}
    domain = failed[(TEMPLATES_STACK, "AWS::SageMaker::Domain.TeamStudioDomain", "CKV_AWS_187")]
    assert domain.file == "templates/servicecatalog/studio-domain.yaml"
    model = failed[(TEMPLATES_STACK, "AWS::SageMaker::Model.EndpointModel", "CKV_AWS_370")]
    assert model.file == "templates/servicecatalog/project-model-deploy.yaml"
    assert (TEMPLATES_STACK, "AWS::SageMaker::Model.SilentModel", "CKV_AWS_370") in failed
    assert not report.ok

    (waived,) = report.waived
    assert (waived.finding.stack, waived.finding.resource, waived.finding.check_id) == (
        TEMPLATES_STACK, "AWS::SageMaker::Model.ExplainedModel", "CKV_AWS_370")
    assert waived.reason == REASON
    assert waived.finding.file == "templates/servicecatalog/ExplainedModel.yaml"


def test_fails_clearly_without_a_templates_directory(fixture_out: Path, tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="no product templates directory"):
        scan(fixture_out, [], templates_dir=tmp_path / "missing")


def test_fails_when_the_installed_package_lacks_the_shipped_templates(
    fixture_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "__init__.py").write_text("")
    monkeypatch.setattr(runner, "product_templates_dir", lambda: tmp_path)
    with pytest.raises(ScanError, match="lacks its package data"):
        scan(fixture_out, [])


def test_shipped_templates_are_found_in_the_installed_package() -> None:
    assert sorted(p.name for p in product_templates_dir().glob("*.yaml")) == sorted(p.file_name for p in PRODUCTS)
