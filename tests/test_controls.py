"""mlplat controls: every control of the organization, computed from the resolved spec."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import example_spec
from mlplat import api, resolve, spec
from mlplat.controls import controls_report, render_json, render_markdown, render_table
from mlplat.modules.foundations.detective import catalog
from mlplat.modules.foundations.organization.scp_documents import template_names
from mlplat.scan.waivers import load_waivers
from mlplat.spec import framework

ROOT = Path(__file__).parent.parent


def _org(extra: str = ""):
    return resolve.resolve(spec.parse(example_spec("minimal").read_text() + extra, "mlplat.yaml"))


def test_every_statement_of_every_shipped_scp_says_what_it_stops() -> None:
    sids = set()
    for name in template_names():
        sids |= set(re.findall(r'"Sid":\s*"(\w+)"', (ROOT / "templates" / "scp" / f"{name}.json.j2").read_text()))
    assert sids == set(framework.SCP_STATEMENTS)


def test_preventive_controls_follow_the_attachments_of_this_spec() -> None:
    default = controls_report(_org())
    ids = {c.id for c in default.of_kind("preventive")}
    assert "scp/sagemaker-guardrails/RequireVpcOnlyDomain" in ids and "scp/baseline-guardrails/DenyRootUser" in ids
    (vpc_only,) = [c for c in default.controls if c.id == "scp/sagemaker-guardrails/RequireVpcOnlyDomain"]
    assert vpc_only.where.startswith("OU Deployments, Workloads/ML (")
    # an organization that attaches only the baseline guardrails has only their statements
    narrow = controls_report(_org("controls:\n  service_control_policies:\n    Workloads: [baseline-guardrails]\n"))
    assert {c.id.split("/")[1] for c in narrow.of_kind("preventive")} == {"baseline-guardrails"}
    (root_user,) = [c for c in narrow.controls if c.id == "scp/baseline-guardrails/DenyRootUser"]
    org = _org()
    under_workloads = sum(1 for a in org.accounts if a.ou and a.ou.split("/")[0] == "Workloads")
    assert root_user.where == f"OU Workloads ({under_workloads} accounts)"


def test_detective_controls_are_the_catalogues_for_the_declared_frameworks() -> None:
    plain, pci = controls_report(_org()), controls_report(api.validate(example_spec("enterprise")))
    rules = {f"config/{rule.name}" for rule in catalog.config_rules()}
    assert rules <= {c.id for c in plain.of_kind("detective")}
    hub = {c.id for c in plain.of_kind("detective") if c.id.startswith("securityhub/")}
    assert hub == {f"securityhub/{s.key}" for s in catalog.security_hub_standards(())}
    pci_hub = {c.id for c in pci.of_kind("detective") if c.id.startswith("securityhub/")}
    assert pci_hub == {f"securityhub/{s.key}" for s in catalog.security_hub_standards(("pci-dss",))} and pci_hub > hub


def test_proactive_controls_and_exceptions() -> None:
    report = controls_report(_org("controls:\n  suppressions:\n    - check_id: CKV_AWS_18\n      stack: acme-churn-*\n"
                                  "      justification: Team buckets log centrally already.\n      expires: 2027-01-31\n"))
    pack = sorted(p.stem for p in (ROOT / "mlplat" / "scan" / "checks").glob("CKV_MLP_*.py"))
    assert [c.id for c in report.of_kind("proactive") if c.id.startswith("CKV_MLP")] == pack
    assert all(c.protects and c.reference.startswith("https://docs.aws.amazon.com/") for c in report.of_kind("proactive")
               if c.id.startswith("CKV_MLP"))
    assert len(report.exceptions) == len(load_waivers()) + 1
    line = len(example_spec("minimal").read_text().splitlines()) + 3  # after 'controls:' and 'suppressions:'
    assert report.exceptions[-1].owner == f"mlplat.yaml:{line}" and report.exceptions[-1].expires == "2027-01-31"
    assert json.loads(render_json(report))["exceptions"][-1]["check_id"] == "CKV_AWS_18"
    assert "accepted exceptions (" in render_table(report)


def test_docs_controls_md_is_the_enterprise_examples_report() -> None:
    expected = render_markdown(controls_report(api.validate(example_spec("enterprise"))))
    assert (ROOT / "docs" / "controls.md").read_text() == expected, (
        "regenerate: mlplat controls examples/enterprise/mlplat.yaml --format markdown --output docs/controls.md")
