"""Plain-text and JSON renderings of results, for the CLI."""

from __future__ import annotations

import json
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


def scan_text(report: Any) -> str:
    lines = [f"scan: {report.passed_count} passed, {len(report.failed)} failed, {len(report.waived)} waived"]
    for finding in report.failed:
        lines.append(f"FAILED {finding.check_id} {finding.stack} {finding.resource}: {finding.check_name}")
        if finding.guideline:
            lines.append(f"       {finding.guideline}")
    for error in report.parsing_errors:
        lines.append(f"NOT PARSED {error}")
    if report.waived:
        lines.append("waived (mlplat/scan/waivers.yaml):")
        reasons: dict[tuple[str, str], list[str]] = {}
        for waived in report.waived:
            reasons.setdefault((waived.finding.check_id, waived.reason), []).append(waived.finding.resource)
        for (check_id, reason), resources in reasons.items():
            lines.append(f"  {check_id} on {len(resources)} resources: {reason}")
    for waiver in report.unused_waivers:
        lines.append(f"unused waiver: {waiver.check_id} ({waiver.reason})")
    return "\n".join(lines) + "\n"


def scan_json(report: Any) -> str:
    def finding(item: Any) -> dict[str, Any]:
        return {"stack": item.stack, "resource": item.resource, "check_id": item.check_id,
                "check_name": item.check_name, "guideline": item.guideline}

    return json.dumps({
        "passed": report.passed_count,
        "failed": [finding(f) for f in report.failed],
        "waived": [{**finding(w.finding), "reason": w.reason} for w in report.waived],
        "parsing_errors": list(report.parsing_errors),
        "unused_waivers": [w.check_id for w in report.unused_waivers],
    }, indent=2) + "\n"
