"""Plain-text and JSON renderings of results, for the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlplat.synth import SynthResult


def _table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def synth_summary(result: SynthResult) -> str:
    rows = [("stack", "account", "resources", "depends on")]
    for stack in result.stacks:
        rows.append((stack.name, stack.account, str(stack.resources), ", ".join(stack.dependencies) or "-"))
    accounts = len({s.account for s in result.stacks})
    lines = [f"synthesized {len(result.stacks)} stacks for {accounts} accounts into {result.out} "
             f"({result.engine}): {result.resources} resources", ""]
    lines += _table(rows, right={2})
    lines += ["", "resources by type:"]
    counts = sorted(result.resource_types().items(), key=lambda item: (-item[1], item[0]))
    lines += _table([(f"  {kind}", str(count)) for kind, count in counts], right={1})
    return "\n".join(lines) + "\n"


def stack_event_line(event: Any) -> str:
    took = f" ({event.duration_s:.1f}s)" if event.duration_s is not None else ""
    # one line per event: the full error comes with the run's report
    message = f": {event.message.splitlines()[0]}" if event.message else ""
    return f"[{event.stack}] {event.phase} {event.state}{took}{message}"


def run_text(report: Any) -> str:
    rows = [("stack", "status", "add", "change", "destroy", "seconds")]
    for stack in report.stacks:
        rows.append((stack.name, stack.status, str(stack.to_add), str(stack.to_change), str(stack.to_destroy),
                     f"{stack.duration_s:.1f}"))
    lines = [f"terraform {report.action}: {len(report.stacks)} stacks in {len(report.waves)} waves, "
             f"{report.duration_s:.1f}s", ""]
    lines += _table(rows, right={2, 3, 4, 5})
    for note in report.notes:
        lines.append(f"note: {note}")
    for stack in report.failed:
        lines += ["", f"{stack.name} failed during {stack.phase}:", stack.error or "(no message)"]
    return "\n".join(lines) + "\n"


def _waiver_origin(waiver: Any) -> str:
    return f"suppressed in {waiver.source}" if waiver.source else "waived by mlplat (mlplat/scan/waivers.yaml)"


def _waiver_line(waiver: Any) -> str:
    until = f", until {waiver.expires.isoformat()}" if waiver.expires else ""
    origin = f" [{waiver.source}]" if waiver.source else ""
    return f"{waiver.describe()}{origin}{until}: {waiver.reason}"


def scan_text(report: Any, fail_on: str = "LOW") -> str:
    lines = [f"scan: {report.passed_count} passed, {len(report.failed)} failed, {len(report.waived)} waived"]
    for finding in report.failed:
        lines.append(f"FAILED {finding.severity} {finding.check_id} {finding.stack} {finding.resource}: {finding.check_name}")
        if finding.guideline:
            lines.append(f"       {finding.guideline}")
    for error in report.parsing_errors:
        lines.append(f"NOT PARSED {error}")
    groups: dict[str, dict[tuple[str, str], list[str]]] = {}
    for waived in report.waived:
        reasons = groups.setdefault(_waiver_origin(waived.waiver), {})
        reasons.setdefault((waived.finding.check_id, waived.reason), []).append(waived.finding.resource)
    for origin in sorted(groups):
        lines.append(f"{origin}:")
        for (check_id, reason), resources in groups[origin].items():
            lines.append(f"  {check_id} on {len(resources)} resources: {reason}")
    for waiver in report.expired_waivers:
        lines.append(f"expired, suppresses nothing: {_waiver_line(waiver)}")
    for waiver in report.unused_waivers:
        lines.append(f"unused, matches no failure: {_waiver_line(waiver)}")
    if report.failed and fail_on != "LOW":
        blocking = report.blocking(fail_on)
        lines.append(f"{len(blocking)} of the {len(report.failed)} failures are {fail_on} or above (--fail-on)")
    return "\n".join(lines) + "\n"


def scan_json(report: Any, fail_on: str = "LOW") -> str:
    def finding(item: Any) -> dict[str, Any]:
        return {"stack": item.stack, "resource": item.resource, "check_id": item.check_id,
                "check_name": item.check_name, "severity": item.severity, "guideline": item.guideline}

    def waiver(item: Any) -> dict[str, Any]:
        return {"check_id": item.check_id, "stack": item.stack, "resource": item.resource, "reason": item.reason,
                "source": item.source, "expires": item.expires.isoformat() if item.expires else None}

    return json.dumps({
        "passed": report.passed_count,
        "failed": [finding(f) for f in report.failed],
        "fail_on": fail_on,
        "blocking": len(report.blocking(fail_on)),
        "waived": [{**finding(w.finding), "reason": w.reason, "source": w.waiver.source} for w in report.waived],
        "parsing_errors": list(report.parsing_errors),
        "unused_waivers": [waiver(w) for w in report.unused_waivers],
        "expired_waivers": [waiver(w) for w in report.expired_waivers],
    }, indent=2) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SCAN_FORMATS = ("table", "json", "sarif", "junitxml")
# GitHub code scanning ranks security results by this number (CVSS-like, 0.0 to 10.0).
SECURITY_SEVERITY = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0"}
SARIF_LEVEL = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}


def scan_sarif(report: Any, out: Path, root: Path) -> str:
    """SARIF 2.1.0 for code scanning: one result per unwaived or waived failure, at the stack file and the
    resource's lines, its level and security-severity from mlplat's severity of the check. Waived and
    suppressed failures carry an accepted external suppression with the waiver's reason.
    File paths are relative to ``root`` (the repository) when the output lies inside it."""

    def uri(finding: Any) -> str:
        if not finding.stack:  # a product template: its repository path already
            return finding.file
        path = (out / finding.file).absolute()
        try:
            return path.relative_to(root.absolute()).as_posix()
        except ValueError:
            return path.as_uri()

    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding, reason in [(f, None) for f in report.failed] + [(w.finding, w.reason) for w in report.waived]:
        rule = rules.setdefault(finding.check_id, {
            "id": finding.check_id, "name": finding.check_id,
            "shortDescription": {"text": finding.check_name or finding.check_id},
            **({"helpUri": finding.guideline} if finding.guideline else {}),
            "defaultConfiguration": {"level": SARIF_LEVEL[finding.severity]},
            "properties": {"security-severity": SECURITY_SEVERITY[finding.severity], "tags": ["security"]},
        })
        location: dict[str, Any] = {"artifactLocation": {"uri": uri(finding)}}
        if finding.lines:
            location["region"] = {"startLine": max(1, finding.lines[0]), "endLine": max(1, finding.lines[1])}
        result: dict[str, Any] = {
            "ruleId": rule["id"], "level": SARIF_LEVEL[finding.severity],
            "message": {"text": f"{finding.check_name or finding.check_id}: {finding.resource} in {finding.stack or finding.file}"},
            "locations": [{"physicalLocation": location,
                           "logicalLocations": [{"fullyQualifiedName": f"{finding.stack}/{finding.resource}"}]}],
        }
        if reason is not None:
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": reason}]
        results.append(result)
    run = {
        "tool": {"driver": {"name": "mlplat scan", "informationUri": "https://www.checkov.io/",
                            **({"version": report.checkov_version} if report.checkov_version else {}),
                            "rules": [rules[k] for k in sorted(rules)]}},
        "results": results,
        "invocations": [{"executionSuccessful": not report.parsing_errors,
                         "toolExecutionNotifications": [{"level": "error", "message": {"text": error}}
                                                        for error in report.parsing_errors]}],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def scan_junit(report: Any) -> str:
    """JUnit XML: a test suite per stack, a test case per check and resource (failed, skipped when waived)."""
    from xml.etree import ElementTree as ET

    cases: dict[str, list[tuple[Any, str, str | None]]] = {}
    for finding in report.passed:
        cases.setdefault(finding.stack or finding.file, []).append((finding, "passed", None))
    for finding in report.failed:
        cases.setdefault(finding.stack or finding.file, []).append((finding, "failed", None))
    for waived in report.waived:
        cases.setdefault(waived.finding.stack or waived.finding.file, []).append((waived.finding, "waived", waived.reason))
    root = ET.Element("testsuites", name="mlplat scan", tests=str(sum(len(c) for c in cases.values())),
                      failures=str(len(report.failed)), skipped=str(len(report.waived)),
                      errors=str(len(report.parsing_errors)))
    for suite_name in sorted(cases):
        items = sorted(cases[suite_name], key=lambda item: (item[0].resource, item[0].check_id))
        suite = ET.SubElement(root, "testsuite", name=suite_name, tests=str(len(items)),
                              failures=str(sum(1 for _, state, _ in items if state == "failed")),
                              skipped=str(sum(1 for _, state, _ in items if state == "waived")))
        for finding, state, reason in items:
            case = ET.SubElement(suite, "testcase", classname=f"{suite_name}.{finding.resource}",
                                 name=f"{finding.check_id} {finding.check_name}".strip(), file=finding.file)
            if state == "failed":
                failure = ET.SubElement(case, "failure", message=f"{finding.severity}: {finding.check_name or finding.check_id}",
                                        type=finding.check_id)
                failure.text = "\n".join(filter(None, [finding.guideline, *finding.details]))
            elif state == "waived":
                ET.SubElement(case, "skipped", message=f"waived: {reason}")
    if report.parsing_errors:
        suite = ET.SubElement(root, "testsuite", name="parsing", tests=str(len(report.parsing_errors)),
                              errors=str(len(report.parsing_errors)))
        for error in report.parsing_errors:
            ET.SubElement(ET.SubElement(suite, "testcase", classname="parsing", name=error), "error", message=error)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
