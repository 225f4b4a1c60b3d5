"""Every control of one organization: what it stops or detects, what enforces it, and where.

Computed from the resolved organization, so it is true for this spec: the SCP statements as the
organization stack renders and attaches them, the detective controls as the security tooling stack
deploys them, the checks ``mlplat scan`` runs, and the exceptions (mlplat's waivers with their
reasons, the organization's suppressions with their justification and expiry).

No CDK engine and no checkov here: the SCPs are rendered from their templates, the detective
controls read from their catalogue, and the ML pack's checks from their source.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from mlplat.resolve.model import Org
from mlplat.resolve.naming import log_archive_bucket_pattern
from mlplat.spec import framework

Kind = Literal["preventive", "detective", "proactive"]
KINDS: tuple[Kind, ...] = ("preventive", "detective", "proactive")
CONTROL_FORMATS = ("table", "markdown", "json")
# checkov's stock checks, run by `mlplat scan` besides the ML pack (the version mlplat pins)
CHECKOV_FRAMEWORKS = (
    ("terraform_json", "every stack", "checkov's Terraform checks on the synthesized JSON of every stack"),
    ("cloudformation", "the Service Catalog product templates", "checkov's CloudFormation checks on the templates "
     "ML teams provision"),
)


@dataclass(frozen=True)
class Control:
    kind: Kind
    id: str  # 'scp/<policy>/<Sid>', 'config/<rule>', 'securityhub/<standard>', 'macie', or a check id
    name: str
    enforced_by: str
    where: str
    protects: str
    reference: str = ""  # documentation of what the control checks


@dataclass(frozen=True)
class AcceptedException:
    """An accepted failure of a proactive check: mlplat's own waiver or the organization's suppression."""

    check_id: str
    scope: str
    reason: str
    owner: str  # 'mlplat' or where the spec declares it
    expires: str | None


@dataclass(frozen=True)
class ControlsReport:
    organization: str
    controls: tuple[Control, ...]
    exceptions: tuple[AcceptedException, ...]

    def of_kind(self, kind: Kind) -> list[Control]:
        return [c for c in self.controls if c.kind == kind]


def _accounts_under(org: Org, path: str) -> int:
    return sum(1 for a in org.accounts if a.ou and (a.ou == path or a.ou.startswith(path + "/")))


def _preventive(org: Org) -> list[Control]:
    from mlplat.modules.foundations.organization.scp_documents import ScpParameters, render_service_control_policy

    parameters = ScpParameters(
        allowed_regions=list(org.allowed_regions),
        execution_role_name=org.execution_role,
        region_exempt_role_names=list(org.controls.region_exempt_roles),
        log_archive_bucket_pattern=log_archive_bucket_pattern(org.name),
    )
    attached: dict[str, list[str]] = {}
    for ou in org.organizational_units:
        for name in ou.service_control_policies:
            attached.setdefault(name, []).append(ou.path)
    controls = []
    for name in sorted(attached):
        paths = sorted(attached[name])
        # an OU beneath another that has the policy inherits it: count each account once
        tops = [p for p in paths if not any(p.startswith(q + "/") for q in paths)]
        where = f"OU {', '.join(paths)} ({sum(_accounts_under(org, p) for p in tops)} accounts)"
        document = json.loads(render_service_control_policy(name, parameters))
        for statement in document["Statement"]:
            sid = statement["Sid"]
            controls.append(Control("preventive", f"scp/{name}/{sid}", sid, f"SCP {org.name}-{name}", where,
                                    framework.SCP_STATEMENTS[sid]))
    return controls


def _detective(org: Org) -> list[Control]:
    from mlplat.modules.foundations.detective import catalog

    home = org.home_region
    regions = ", ".join(org.allowed_regions)
    everywhere = f"every account, {regions}"
    frameworks = tuple(org.controls.compliance_frameworks)
    controls = []
    for rule in catalog.config_rules():
        where = f"every account, {home}" if rule.global_only else everywhere
        controls.append(Control("detective", f"config/{rule.name}", rule.identifier,
                                "AWS Config organization rule (security tooling)", where, rule.protects))
    for pack in catalog.conformance_packs(frameworks):
        controls.append(Control("detective", f"config-pack/{pack.name}", pack.title,
                                f"AWS Config organization conformance pack, {len(pack.rules)} rules (security tooling)",
                                everywhere, f"the {catalog.FRAMEWORKS[pack.framework]} rules of AWS Config"))
    for standard in catalog.security_hub_standards(frameworks):
        controls.append(Control("detective", f"securityhub/{standard.key}", standard.title,
                                "Security Hub central configuration (security tooling)", everywhere,
                                f"the {standard.title} controls, findings aggregated in {home}"))
    controls.append(Control("detective", "macie", "Amazon Macie", "Macie delegated administrator (security tooling)",
                            f"every account, {home}", catalog.MACIE_SCOPE))
    return controls


def _pack_checks() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(id, name, what is wrong, guideline, resource types) of each check of the ML pack, read from its source."""
    from mlplat.scan.checks import CHECKS_DIR

    checks = []
    for path in sorted(Path(CHECKS_DIR).glob("CKV_MLP_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        (klass,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        init = next(c for c in ast.walk(klass) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                    and c.func.attr == "__init__")
        arguments = {k.arg: k.value for k in init.keywords}
        summary = (ast.get_docstring(klass) or "").split("\n\n")[0].replace("\n", " ")
        name = arguments["name"]
        title = name.value if isinstance(name, ast.Constant) else summary
        resources = tuple(e.value for e in arguments["supported_resources"].elts)
        checks.append((path.stem, title, summary, ast.literal_eval(arguments["guideline"]), resources))
    return checks


def _proactive(org: Org) -> list[Control]:
    from mlplat.scan.severity import severity_of

    controls = [Control("proactive", check_id, name, f"mlplat scan, ML policy pack ({severity_of(check_id)})",
                        f"every stack with {', '.join(resources)}", summary, guideline)
                for check_id, name, summary, guideline, resources in _pack_checks()]
    for checkov_framework, where, what in CHECKOV_FRAMEWORKS:
        controls.append(Control("proactive", f"checkov/{checkov_framework}", f"checkov {checkov_framework} checks",
                                "mlplat scan (offline, before any plan)", where, what))
    return controls


def _exceptions(org: Org) -> list[AcceptedException]:
    from mlplat.scan.waivers import load_waivers

    def scope(stack: str | None, resource: str | None) -> str:
        return ", ".join(filter(None, [f"stack {stack}" if stack else "", f"resource {resource}" if resource else ""])) \
            or "everywhere"

    found = [AcceptedException(w.check_id, scope(w.stack, w.resource), w.reason, "mlplat", None) for w in load_waivers()]
    found += [AcceptedException(s.check_id, scope(s.stack, s.resource), s.justification, s.source,
                         s.expires.isoformat() if s.expires else None) for s in org.controls.suppressions]
    return found


def controls_report(org: Org) -> ControlsReport:
    """Every control of ``org`` and every accepted exception to its proactive checks."""
    return ControlsReport(org.name, tuple(_preventive(org) + _detective(org) + _proactive(org)), tuple(_exceptions(org)))


TITLES = {"preventive": "Preventive: service control policies", "detective": "Detective: AWS Config, Security Hub, Macie",
          "proactive": "Proactive: mlplat scan before any plan"}


def render_markdown(report: ControlsReport) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    counts = ", ".join(f"{len(report.of_kind(k))} {k}" for k in KINDS)
    lines = [f"# Controls of {report.organization}", "",
             f"Generated by `mlplat controls` from the spec: {counts} controls, and {len(report.exceptions)} accepted "
             "exceptions to the proactive checks.", ""]
    for kind in KINDS:
        lines += [f"## {TITLES[kind]}", "", "| control | enforced by | where | what it stops or detects |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| `{cell(c.id)}` {cell(c.name)} | {cell(c.enforced_by)} | {cell(c.where)} | {cell(c.protects)}"
                  + (f" ([reference]({c.reference}))" if c.reference else "") + " |"
                  for c in report.of_kind(kind)]
        lines.append("")
    lines += ["## Accepted exceptions to the proactive checks", "",
              "mlplat's own are design decisions of the platform; the organization's come from `controls.suppressions` "
              "in the spec. `mlplat scan` lists every failure each one accepts.", "",
              "| check | where | owner | expires | why |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {e.check_id} | {cell(e.scope)} | {cell(e.owner)} | {e.expires or '-'} | {cell(e.reason)} |"
              for e in report.exceptions]
    return "\n".join(lines) + "\n"


def render_table(report: ControlsReport) -> str:
    lines = []
    for kind in KINDS:
        controls = report.of_kind(kind)
        lines.append(f"{TITLES[kind]} ({len(controls)})")
        width = max((len(c.id) for c in controls), default=0)
        lines += [f"  {c.id:<{width}}  {c.where}: {c.protects}" for c in controls]
        lines.append("")
    lines.append(f"accepted exceptions ({len(report.exceptions)})")
    lines += [f"  {e.check_id} [{e.owner}{', until ' + e.expires if e.expires else ''}] {e.scope}" for e in report.exceptions]
    return "\n".join(lines) + "\n"


def render_json(report: ControlsReport) -> str:
    return json.dumps({"organization": report.organization,
                       "controls": [asdict(c) for c in report.controls],
                       "exceptions": [asdict(e) for e in report.exceptions]}, indent=2) + "\n"


RENDERERS = {"table": render_table, "markdown": render_markdown, "json": render_json}
