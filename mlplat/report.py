"""Plain-text and JSON renderings of results, for the CLI."""

from __future__ import annotations

import json
import threading
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
    built = len(result.built)
    if built == len(result.stacks):
        how = f"all built, {result.workers} process{'es' if result.workers > 1 else ''}"
    elif built:
        how = f"{built} built, {result.workers} process{'es' if result.workers > 1 else ''}; the others unchanged"
    else:
        how = "none changed"
    lines = [f"synthesized {len(result.stacks)} stacks for {accounts} accounts into {result.out} "
             f"({result.engine}; {how}): {result.resources} resources", ""]
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


def _stack_detail(stack: Any) -> str:
    if stack.status == "failed":
        return (stack.error or "").splitlines()[0] if stack.error else ""
    if stack.status == "blocked":
        return f"blocked by {', '.join(stack.blocked_by)}" if stack.blocked_by else (stack.error or "")
    if stack.status == "skipped":
        return stack.error or ""
    return stack.note or ""


def run_text(report: Any) -> str:
    """The run's table: every stack with its result, Terraform's counts, and what to read next."""
    rows = [("stack", "status", "add", "change", "destroy", "seconds", "detail")]
    for stack in report.stacks:
        rows.append((stack.name, stack.status, str(stack.to_add), str(stack.to_change), str(stack.to_destroy),
                     f"{stack.duration_s:.1f}", _stack_detail(stack)))
    counts: dict[str, int] = {}
    for stack in report.stacks:
        counts[stack.status] = counts.get(stack.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lines = [f"terraform {report.action}: {len(report.stacks)} stacks ({tally}) in {report.duration_s:.1f}s, "
             f"{report.parallelism} at a time, {report.terraform}", ""]
    lines += _table(rows, right={2, 3, 4, 5})
    for note in report.notes:
        lines.append(f"note: {note}")
    logs = sorted({str(s.log_file.parent) for s in report.stacks if s.log_file})
    if logs:
        lines.append(f"Terraform's output, stack by stack: {', '.join(logs)}")
    for stack in report.failed:
        lines += ["", f"{stack.name} failed during {stack.phase}:", stack.error or "(no message)"]
        if stack.log_file:
            lines.append(f"Terraform's output: {stack.log_file}")
    return "\n".join(lines) + "\n"


def run_json(report: Any) -> str:
    """The run as JSON: every stack with its result and Terraform's counts (``ok`` false: exit code 1)."""
    def stack(item: Any) -> dict[str, Any]:
        return {"name": item.name, "status": item.status, "add": item.to_add, "change": item.to_change,
                "destroy": item.to_destroy, "has_changes": item.has_changes, "seconds": round(item.duration_s, 3),
                "phase": item.phase, "error": item.error, "terraform_error": item.terraform_error,
                "failure_kind": item.failure.kind if item.failure else None, "blocked_by": list(item.blocked_by),
                "note": item.note, "log": str(item.log_file) if item.log_file else None,
                "plan_file": str(item.plan_file) if item.plan_file else None}

    return json.dumps({"action": report.action, "ok": report.ok, "interrupted": report.interrupted,
                       "out": str(report.out_dir), "seconds": round(report.duration_s, 3),
                       "parallelism": report.parallelism, "terraform": report.terraform,
                       "stacks": [stack(s) for s in report.stacks], "notes": list(report.notes)}, indent=2) + "\n"


def apply_preview_text(preview: list[Any], excluded: dict[str, str]) -> str:
    """What an apply is about to do, stack by stack, from the saved plans: shown before asking."""
    rows = [("stack", "add", "change", "destroy", "plan")]
    totals = [0, 0, 0]
    for item in preview:
        record = item.record
        if item.plan == "saved":
            counts = (record.to_add, record.to_change, record.to_destroy)
            totals = [t + c for t, c in zip(totals, counts)]
            when = f"saved {record.created_at[:19].replace('T', ' ')} UTC" if record.has_changes else "no changes"
            rows.append((item.name, *(str(c) for c in counts), when))
        else:
            what = "planned during the apply: " if item.plan == "during" else "refused: "
            rows.append((item.name, "?", "?", "?", what + item.reason))
    lines = [f"apply {len(preview)} stacks: {totals[0]} to add, {totals[1]} to change, {totals[2]} to destroy "
             "in the saved plans", ""]
    lines += _table(rows, right={1, 2, 3})
    during = sum(1 for item in preview if item.plan == "during")
    if during:
        lines += ["", f"{during} stacks are planned during the apply, once what they read is applied, and applied "
                      "without another question."]
    for name, reason in excluded.items():
        lines.append(f"not applied: {name}: {reason}")
    return "\n".join(lines) + "\n"


def destroy_preview_text(stacks: list[str], excluded: dict[str, str]) -> str:
    lines = [f"destroy {len(stacks)} stacks, dependents first, with every resource in their state:"]
    lines += [f"  {name}" for name in stacks]
    for name, reason in excluded.items():
        lines.append(f"not destroyed: {name}: {reason}")
    return "\n".join(lines) + "\n"


class RunProgress:
    """A live view of a run at a terminal (rich): how many stacks wait, run, are done, failed or
    blocked, and a line for each running, failed or blocked stack. Use as a context manager and
    pass the instance as ``on_event``."""

    def __init__(self, action: str, console: Any = None) -> None:
        from rich.console import Console

        self.action = action
        self.console = console or Console()
        self.states: dict[str, tuple[str, str, float]] = {}  # stack -> (state, phase or detail, since)
        self.lock = threading.Lock()  # events come from the run's threads, rendering from rich's
        self.live: Any = None

    def __enter__(self) -> "RunProgress":
        from rich.live import Live

        self.live = Live(self.render(), console=self.console, refresh_per_second=4, transient=True,
                         get_renderable=self.render)
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def __call__(self, event: Any) -> None:
        with self.lock:
            if event.phase == "stack":
                state = {"started": "running", "finished": "done"}.get(event.state, event.state)
                self.states[event.stack] = (state, event.message.splitlines()[0] if event.message else "", event.at)
            elif event.state == "started":
                since = self.states.get(event.stack, ("", "", event.at))[2]
                self.states[event.stack] = ("running", event.phase, since)

    def render(self) -> Any:
        import time

        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        with self.lock:
            states = dict(self.states)
        counts = {state: 0 for state in ("waiting", "running", "done", "failed", "blocked", "skipped")}
        for state, _, _ in states.values():
            counts[state] = counts.get(state, 0) + 1
        header = Text(f"mlplat {self.action}: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n), style="bold")
        table = Table(show_edge=False, box=None, pad_edge=False)
        table.add_column("stack")
        table.add_column("state")
        table.add_column("detail")
        table.add_column("seconds", justify="right")
        now = time.monotonic()
        style = {"running": "cyan", "failed": "bold red", "blocked": "yellow"}
        for name, (state, detail, since) in sorted(states.items(), key=lambda item: (item[1][0] != "running", item[0])):
            if state in style:
                seconds = f"{now - since:.0f}" if state == "running" else ""
                table.add_row(name, f"[{style[state]}]{state}[/]", detail, seconds)
        return Group(header, table) if table.row_count else header


def bootstrap_text(report: Any) -> str:
    if not report.steps:
        return f"{report.message}\n"
    lines = [f"state bucket s3://{report.bucket} ({report.region}):"]
    lines += _table([(f"  {step.setting}", step.state, step.detail) for step in report.steps])
    lines.append("ready: `mlplat plan` can initialize the stacks" if report.changed
                 else "already to standard: nothing changed")
    return "\n".join(lines) + "\n"


def doctor_text(report: Any) -> str:
    mark = {"ok": "ok", "missing": "MISSING", "skipped": "skipped"}
    lines = _table([(check.name, mark[check.status], check.detail) for check in report.checks])
    for check in report.missing:
        if check.fix:
            lines.append(f"fix {check.name}: {check.fix}")
    lines.append("ready to plan and apply" if report.ok else f"{len(report.missing)} missing")
    return "\n".join(lines) + "\n"


def _waiver_origin(waiver: Any) -> str:
    return f"suppressed in {waiver.source}" if waiver.source else "waived by mlplat (mlplat/scan/waivers.yaml)"


def _waiver_line(waiver: Any) -> str:
    until = f", until {waiver.expires.isoformat()}" if waiver.expires else ""
    origin = f" [{waiver.source}]" if waiver.source else ""
    return f"{waiver.describe()}{origin}{until}: {waiver.reason}"


def _scan_sources(report: Any) -> list[str]:
    """Which stacks checkov ran over and which came from the result cache (nothing for a report made elsewhere)."""
    scanned, reused = report.stacks_scanned, report.stacks_reused
    if not scanned and not reused and report.templates_reused is None:
        return []
    names = f" ({', '.join(scanned)})" if 0 < len(scanned) <= 5 else ""
    line = f"stacks: {len(scanned)} scanned by checkov{names}, {len(reused)} reused from the scan cache"
    if report.templates_reused is not None:
        line += f"; product templates {'reused' if report.templates_reused else 'scanned'}"
    return [line]


def scan_text(report: Any, fail_on: str = "LOW") -> str:
    lines = [f"scan: {report.passed_count} passed, {len(report.failed)} failed, {len(report.waived)} waived",
             *_scan_sources(report)]
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
