"""Policy scan of the synthesized stacks with checkov, offline, plus the mlplat ML policy pack.

checkov runs in a subprocess over ``OUT/stacks`` with its ``terraform_json`` framework (every stock
Terraform check plus the pack in :mod:`mlplat.scan.checks`), then a second time with its
``cloudformation`` framework over the Service Catalog product templates that ML teams provision
(:mod:`mlplat.templates.servicecatalog`); their results belong to the pseudo-stack
``servicecatalog``. Nothing is downloaded (``--skip-download``, no mapping download, no update
check, no platform key). Its output is captured, never shown; its JSON reports become a
:class:`ScanReport` whose lists are sorted, so the same stacks always give the same report.

checkov's findings for each stack, and for the product templates, are kept in a result cache
(:mod:`mlplat.scan.cache`): a stack is not scanned again while its files as checkov reads them, the
checkov version, the ML policy pack and mlplat are unchanged. The report is the same either way; it
says which stacks checkov ran over and which came from the cache.

The scan ignores checkov configuration files (``.checkov.yaml``) of the caller's working and home
directories: the only places to accept a failure are the waivers file, where each exception has a
reason, and, for a product template, a ``checkov: skip:`` entry in the resource's Metadata whose
comment says why (the report lists it as waived with that reason).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from mlplat.scan import cache as result_cache
from mlplat.scan.checks import CHECKS_DIR
from mlplat.scan.severity import at_or_above, severity_of
from mlplat.scan.waivers import Waiver, WaiverError, apply_waivers, load_waivers

FRAMEWORK = "terraform_json"

# The Service Catalog product templates: CloudFormation, scanned as one pseudo-stack.
TEMPLATES_FRAMEWORK = "cloudformation"
TEMPLATES_PACKAGE = "mlplat.templates.servicecatalog"
TEMPLATES_STACK = "servicecatalog"
TEMPLATES_FILE_PREFIX = "templates/servicecatalog"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json")
# Written by synth beside the stacks: the organization's own accepted failures (spec controls.suppressions).
SUPPRESSIONS_FILE = "scan-suppressions.json"

# Top-level blocks that checkov's terraform_json parser cannot read, and that hold nothing to check:
# an import block has no label, so its JSON form is a list of bodies, which checkov takes for
# labelled blocks and then refuses the whole file. The scan shows checkov each stack with these
# emptied in place (same lines, so every finding still points at the synthesized file's lines).
UNREADABLE_BLOCKS = ("import",)
_TOP_LEVEL_KEY = '\n  "{}": '  # the engine writes two-space indented JSON, keys sorted


class ScanError(RuntimeError):
    """The scan could not run, or checkov failed; ``stderr`` holds checkov's own output."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        super().__init__(message + (f"\n{stderr.strip()}" if stderr.strip() else ""))


@dataclass(frozen=True, order=True)
class Finding:
    """One check result on one resource of one stack."""

    stack: str
    resource: str
    check_id: str
    check_name: str = field(compare=False)
    guideline: str | None = field(default=None, compare=False)
    file: str = field(default="", compare=False)
    lines: tuple[int, int] | None = field(default=None, compare=False)
    details: tuple[str, ...] = field(default=(), compare=False)

    @property
    def severity(self) -> str:
        """mlplat's severity of the check (:mod:`mlplat.scan.severity`)."""
        return severity_of(self.check_id)


@dataclass(frozen=True)
class WaivedFinding:
    """A failure accepted by a waiver; ``reason`` is the waiver's."""

    finding: Finding
    waiver: Waiver

    @property
    def reason(self) -> str:
        return self.waiver.reason


@dataclass(frozen=True)
class ScanReport:
    """The outcome of :func:`scan`; every list is sorted by (stack, resource, check id)."""

    failed: list[Finding]
    waived: list[WaivedFinding]
    passed: list[Finding]
    unused_waivers: list[Waiver]
    parsing_errors: list[str]
    checkov_version: str | None = None
    expired_waivers: list[Waiver] = field(default_factory=list)  # past their expiry: they waived nothing
    # How the findings were obtained; not part of them: a report from the cache equals one from checkov.
    stacks_scanned: tuple[str, ...] = field(default=(), compare=False)  # by checkov in this scan
    stacks_reused: tuple[str, ...] = field(default=(), compare=False)  # from the result cache
    templates_reused: bool | None = field(default=None, compare=False)  # None: the templates were not scanned

    @property
    def ok(self) -> bool:
        """No unwaived failure and every stack file could be parsed."""
        return not self.failed and not self.parsing_errors

    def blocking(self, fail_on: str = "LOW") -> list[Finding]:
        """The unwaived failures at or above the severity ``fail_on``."""
        return [f for f in self.failed if at_or_above(f.severity, fail_on)]

    def passes(self, fail_on: str = "LOW") -> bool:
        """Every stack file parsed and no unwaived failure at or above ``fail_on``: what exit code 0 means."""
        return not self.parsing_errors and not self.blocking(fail_on)

    @property
    def passed_count(self) -> int:
        return len(self.passed)


def load_suppressions(out_dir: Path) -> list[Waiver]:
    """The organization's suppressions that synth wrote into ``OUT/scan-suppressions.json`` (none if absent)."""
    path = Path(out_dir) / SUPPRESSIONS_FILE
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Waiver(check_id=entry["check_id"], stack=entry.get("stack"), resource=entry.get("resource"),
                       reason=entry["justification"], expires=entry.get("expires"), source=entry.get("source"))
                for entry in data["suppressions"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WaiverError(f"{path} is not a suppressions file written by mlplat synth: {exc}") from exc


def product_templates_dir() -> Path:
    """The folder of the shipped Service Catalog product templates."""
    return Path(str(resources.files(TEMPLATES_PACKAGE)))


def checkov_command(stacks_dir: Path, framework: str = FRAMEWORK) -> list[str]:
    """The checkov command line for a scan of ``stacks_dir`` with checkov's ``framework``."""
    return [
        sys.executable,
        "-m",
        "checkov.main",
        "--directory",
        str(stacks_dir),
        "--framework",
        framework,
        "--skip-download",
        "--output",
        "json",
        "--external-checks-dir",
        str(CHECKS_DIR),
        # `terraform init` leaves downloaded modules under .terraform; they are not ours to scan.
        "--skip-path",
        ".terraform",
    ]


def _checkov_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("BC_API_KEY", "PRISMA_API_URL", "CKV_CHECK", "CKV_SKIP_CHECK", "CKV_FRAMEWORK"):
        env.pop(key, None)
    env.update(
        {
            "BC_SKIP_MAPPING": "TRUE",
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
            "LOG_LEVEL": "WARNING",
            "HOME": str(home),
            # A fresh HOME must not hide packages installed in the caller's user site.
            "PYTHONUSERBASE": env.get("PYTHONUSERBASE") or site.getuserbase(),
        }
    )
    return env


def _readable(text: str) -> str:
    """``text`` with the value of each unreadable top-level block replaced by ``{}`` on the same lines."""
    for key in UNREADABLE_BLOCKS:
        at = text.find(_TOP_LEVEL_KEY.format(key))
        if at < 0:
            continue
        start = at + len(_TOP_LEVEL_KEY.format(key))
        _, end = json.JSONDecoder().raw_decode(text, start)
        text = text[:start] + "{}" + "\n" * text.count("\n", start, end) + text[end:]
    return text


def stack_files(stacks_dir: Path) -> dict[str, dict[str, bytes]]:
    """Each stack's files as checkov reads them: ``{stack: {path relative to stacks_dir: bytes}}``.

    Unreadable blocks are emptied (see UNREADABLE_BLOCKS); Terraform's working files are left out.
    """
    files: dict[str, dict[str, bytes]] = {}
    for source in sorted(stacks_dir.rglob("*.tf.json")):
        relative = source.relative_to(stacks_dir)
        if ".terraform" in relative.parts or len(relative.parts) < 2 or not source.is_file():
            continue
        text = _readable(source.read_text(encoding="utf-8"))
        files.setdefault(relative.parts[0], {})[relative.as_posix()] = text.encode("utf-8")
    return files


def template_files(templates_dir: Path) -> dict[str, bytes]:
    """The product templates checkov reads (only templates: no Python, no checkov config), by file name."""
    return {source.name: source.read_bytes() for source in sorted(templates_dir.iterdir())
            if source.is_file() and source.suffix in TEMPLATE_SUFFIXES}


@dataclass(frozen=True)
class CheckovRun:
    """One checkov process over ``files`` (path relative to ``source`` → the bytes checkov reads).

    ``stacks`` names the stacks of a stack run; a templates run has none.
    """

    source: Path
    framework: str
    files: dict[str, bytes] = field(repr=False)
    stacks: tuple[str, ...] = ()


def _write_view(files: dict[str, bytes], view: Path) -> None:
    view.mkdir(parents=True, exist_ok=True)
    for relative, data in files.items():
        target = view / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def stack_groups(stacks_dir: Path, jobs: int) -> list[list[str]]:
    """The stacks split into at most ``jobs`` groups of about equal size (largest first, each to the lightest)."""
    sizes: dict[str, int] = {}
    for path in stacks_dir.rglob("*.tf.json"):
        relative = path.relative_to(stacks_dir)
        if ".terraform" not in relative.parts and len(relative.parts) > 1:
            sizes[relative.parts[0]] = sizes.get(relative.parts[0], 0) + path.stat().st_size
    return _balanced(sizes, jobs)


def _balanced(sizes: dict[str, int], jobs: int) -> list[list[str]]:
    """The names of ``sizes`` in at most ``jobs`` groups of about equal total size."""
    count = max(1, min(jobs, len(sizes)))
    loads, groups = [0] * count, [[] for _ in range(count)]
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        lightest = loads.index(min(loads))
        loads[lightest] += sizes[name]
        groups[lightest].append(name)
    return [sorted(members) for members in groups if members]


def _run_checkovs(runs: list[CheckovRun], timeout: float | None) -> list[tuple[list[dict[str, Any]], str]]:
    """Run one checkov process per run at the same time; their reports in order.

    Each process reads a view of its source holding the run's files only; its output goes to a file,
    so that no process waits on a full pipe while another is read.
    """
    with tempfile.TemporaryDirectory(prefix="mlplat-scan-") as tmp:
        started = []
        for i, run in enumerate(runs):
            source, framework = run.source, run.framework
            work = Path(tmp) / str(i)
            work.mkdir()
            view = work / ("stacks" if framework == FRAMEWORK else "templates")
            _write_view(run.files, view)
            stdout, stderr = open(work / "stdout", "wb"), open(work / "stderr", "wb")
            command = checkov_command(view) if framework == FRAMEWORK else checkov_command(view, framework)
            proc = subprocess.Popen(command, cwd=work, env=_checkov_env(work),
                                    stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
            started.append((proc, work, view, source, stdout, stderr))
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            for proc, *_ in started:
                proc.wait(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            for proc, *_ in started:
                proc.kill()
                proc.wait()
            err = (started[0][1] / "stderr").read_bytes().decode(errors="replace")
            raise ScanError(f"checkov did not finish within {timeout} s", err) from exc
        finally:
            for *_, stdout, stderr in started:
                stdout.close()
                stderr.close()
        return [_report(proc.returncode, work, view, source) for proc, work, view, source, *_ in started]


def _report(returncode: int, work: Path, view: Path, source: Path) -> tuple[list[dict[str, Any]], str]:
    stdout = (work / "stdout").read_bytes().decode(errors="replace")
    stderr = (work / "stderr").read_bytes().decode(errors="replace")
    # checkov exits 1 when a check failed; anything else but 0 is checkov itself failing.
    if returncode not in (0, 1):
        raise ScanError(f"checkov failed (exit code {returncode}); its output:", stderr or stdout)
    try:
        data = json.loads(stdout)
    except ValueError as exc:
        raise ScanError("checkov did not print a JSON report; its output:", stderr or stdout) from exc
    reports = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) for r in reports):
        raise ScanError("checkov printed an unexpected JSON report", stdout[:2000])
    _repoint(reports, view, source)
    return reports, stderr


def _repoint(reports: list[dict[str, Any]], view: Path, stacks_dir: Path) -> None:
    """Make the absolute paths of checkov's records name the stacks' own files, not the view's."""
    prefixes = {str(view), str(view.resolve())}

    def moved(path: str) -> str:
        for prefix in prefixes:
            if path.startswith(prefix + os.sep):
                return str(stacks_dir) + path[len(prefix):]
        return path

    for report in reports:
        results = report.get("results") or {}
        for kind in ("failed_checks", "passed_checks", "skipped_checks"):
            for record in results.get(kind) or []:
                if isinstance(record, dict) and isinstance(record.get("file_abs_path"), str):
                    record["file_abs_path"] = moved(record["file_abs_path"])
        if isinstance(results.get("parsing_errors"), list):
            results["parsing_errors"] = [moved(str(p)) for p in results["parsing_errors"]]


class _Spanned(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the lines it spans in its file."""

    first_line = 0
    last_line = 0


def _load_with_lines(text: str) -> Any:
    """Parse JSON, recording for each object the first and last line it spans."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(index: int) -> int:
        return bisect_right(newlines, index - 1) + 1

    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):  # type: ignore[no-untyped-def]
        start = s_and_end[1] - 1
        obj, end = json.decoder.JSONObject(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo)
        spanned = _Spanned(obj)
        spanned.first_line, spanned.last_line = line_of(start), line_of(end - 1)
        return spanned, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


class _Addresses:
    """Resolves checkov's ``resource.<name>`` / ``data.<name>`` ids to full Terraform addresses.

    checkov's terraform_json runner names Python-check results by block type and name only (the
    resource type is lost); graph-check results carry the full address already.
    """

    def __init__(self, texts: dict[str, bytes] | None = None) -> None:
        self._texts = texts or {}  # the files as checkov read them, by absolute path
        self._files: dict[str, Any] = {}

    def _document(self, path: str) -> Any:
        if path not in self._files:
            try:
                data = self._texts.get(path)
                text = data.decode("utf-8") if data is not None else Path(path).read_text(encoding="utf-8")
                self._files[path] = _load_with_lines(text)
            except (OSError, ValueError):
                self._files[path] = None
        return self._files[path]

    def resolve(self, resource: str, path: str, lines: tuple[int, int] | None) -> str:
        block, _, name = resource.partition(".")
        if block not in ("resource", "data") or not name or "." in name:
            return resource
        document = self._document(path)
        blocks = document.get(block) if isinstance(document, dict) else None
        if not isinstance(blocks, dict):
            return resource
        candidates = []
        for rtype, entries in blocks.items():
            entry = entries.get(name) if isinstance(entries, dict) else None
            if entry is None:
                continue
            span = (getattr(entry, "first_line", 0), getattr(entry, "last_line", 0))
            candidates.append((rtype, span))
        if len(candidates) > 1 and lines:
            inside = [c for c in candidates if c[1][0] <= lines[0] and lines[1] <= c[1][1]]
            candidates = sorted(inside, key=lambda c: c[1][1] - c[1][0])[:1] or candidates
        if len(candidates) != 1:
            return resource
        rtype = candidates[0][0]
        return f"{rtype}.{name}" if block == "resource" else f"data.{rtype}.{name}"


def _findings(
    records: list[dict[str, Any]], stacks_dir: Path, addresses: _Addresses
) -> list[Finding]:
    found: list[Finding] = []
    for record in records:
        abs_path = record.get("file_abs_path") or ""
        path = Path(abs_path) if abs_path else stacks_dir / str(record.get("file_path", "")).lstrip("/")
        try:
            relative = path.resolve().relative_to(stacks_dir)
        except ValueError:
            relative = Path(str(record.get("file_path", "")).lstrip("/"))
        stack = relative.parts[0] if len(relative.parts) > 1 else ""
        line_range = record.get("file_line_range")
        lines = (int(line_range[0]), int(line_range[1])) if isinstance(line_range, list) and len(line_range) == 2 else None
        resource = addresses.resolve(str(record.get("resource", "")), str(path), lines)
        found.append(
            Finding(
                stack=stack,
                resource=resource,
                check_id=str(record.get("check_id", "")),
                check_name=str(record.get("check_name", "")),
                guideline=record.get("guideline") or None,
                file=(Path("stacks") / relative).as_posix(),
                lines=lines,
                details=tuple(str(d) for d in record.get("details") or ()),
            )
        )
    return sorted(set(found))


def _template_file(path: Path, templates_dir: Path) -> str:
    """The repository path a product template finding names: ``templates/servicecatalog/<file>``."""
    try:
        relative = path.resolve().relative_to(templates_dir)
    except ValueError:
        relative = Path(path.name)
    return f"{TEMPLATES_FILE_PREFIX}/{relative.as_posix()}"


def _template_finding(record: dict[str, Any], templates_dir: Path) -> Finding:
    """A checkov cloudformation record as a finding of the pseudo-stack ``servicecatalog``.

    The resource is checkov's own id, ``<resource type>.<logical id>``.
    """
    abs_path = record.get("file_abs_path") or ""
    path = Path(abs_path) if abs_path else templates_dir / str(record.get("file_path", "")).lstrip("/")
    line_range = record.get("file_line_range")
    lines = (int(line_range[0]), int(line_range[1])) if isinstance(line_range, list) and len(line_range) == 2 else None
    return Finding(
        stack=TEMPLATES_STACK,
        resource=str(record.get("resource", "")),
        check_id=str(record.get("check_id", "")),
        check_name=str(record.get("check_name", "")),
        guideline=record.get("guideline") or None,
        file=_template_file(path, templates_dir),
        lines=lines,
        details=tuple(str(d) for d in record.get("details") or ()),
    )


# What checkov puts in a skip's comment when the template's Metadata gives none.
_NO_SKIP_COMMENT = "No comment provided"


def _template_skip(record: dict[str, Any], templates_dir: Path) -> tuple[Finding, Waiver | None]:
    """A check a template skips in its Metadata, with the waiver its comment makes (None: no reason given)."""
    finding = _template_finding(record, templates_dir)
    result = record.get("check_result") if isinstance(record.get("check_result"), dict) else {}
    comment = str(result.get("suppress_comment") or "").strip()
    if not comment or comment == _NO_SKIP_COMMENT:
        return finding, None
    try:
        waiver = Waiver(check_id=finding.check_id, stack=TEMPLATES_STACK, resource=finding.resource, reason=comment)
    except ValueError:  # not a checkov check id: nothing a waiver can name
        return finding, None
    return finding, waiver


@dataclass
class _Results:
    """What checkov found in one stack (or a group of them, or the product templates), before any waiver."""

    failed: list[Finding]
    passed: list[Finding]
    parsing_errors: list[str]
    checkov_version: str | None = None
    skipped: list[tuple[Finding, Waiver]] = field(default_factory=list)  # template skips that give a reason

    def to_json(self) -> dict[str, Any]:
        return {"failed": [_finding_json(f) for f in self.failed], "passed": [_finding_json(f) for f in self.passed],
                "parsing_errors": list(self.parsing_errors), "checkov_version": self.checkov_version,
                "skipped": [[_finding_json(f), w.model_dump(mode="json")] for f, w in self.skipped]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "_Results":
        """The results a cache entry holds; raises ValueError, KeyError or TypeError when it does not hold them."""
        errors, version = value["parsing_errors"], value["checkov_version"]
        if not (isinstance(errors, list) and all(isinstance(e, str) for e in errors)) or not _optional_str(version):
            raise ValueError("not the results of a scan")
        return cls(failed=[_finding_from_json(f) for f in value["failed"]],
                   passed=[_finding_from_json(f) for f in value["passed"]],
                   parsing_errors=list(errors), checkov_version=version,
                   skipped=[(_finding_from_json(f), Waiver.model_validate(w)) for f, w in value["skipped"]])


def _optional_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {"stack": finding.stack, "resource": finding.resource, "check_id": finding.check_id,
            "check_name": finding.check_name, "guideline": finding.guideline, "file": finding.file,
            "lines": list(finding.lines) if finding.lines is not None else None, "details": list(finding.details)}


def _finding_from_json(value: dict[str, Any]) -> Finding:
    texts = [value[k] for k in ("stack", "resource", "check_id", "check_name", "file")]
    lines, details = value["lines"], value["details"]
    if not (all(isinstance(t, str) for t in texts) and _optional_str(value["guideline"])
            and (lines is None or (isinstance(lines, list) and len(lines) == 2
                                   and all(type(n) is int for n in lines)))
            and isinstance(details, list) and all(isinstance(d, str) for d in details)):
        raise ValueError("not a finding")
    return Finding(stack=value["stack"], resource=value["resource"], check_id=value["check_id"],
                   check_name=value["check_name"], guideline=value["guideline"], file=value["file"],
                   lines=(lines[0], lines[1]) if lines is not None else None, details=tuple(details))


def _stack_results(reports: list[dict[str, Any]], stacks_dir: Path, addresses: _Addresses) -> _Results:
    """The findings of checkov's reports over (a view of) ``stacks_dir``."""
    found = _Results(failed=[], passed=[], parsing_errors=[])
    for report in reports:
        results = report.get("results") or {}
        found.failed += _findings(results.get("failed_checks") or [], stacks_dir, addresses)
        found.passed += _findings(results.get("passed_checks") or [], stacks_dir, addresses)
        for err in results.get("parsing_errors") or []:
            try:
                found.parsing_errors.append((Path("stacks") / Path(err).resolve().relative_to(stacks_dir)).as_posix())
            except ValueError:
                found.parsing_errors.append(str(err))
        summary = report.get("summary") if "results" in report else report
        if isinstance(summary, dict):
            found.checkov_version = summary.get("checkov_version") or found.checkov_version
    return found


def _per_stack(found: _Results, stacks: tuple[str, ...]) -> dict[str, _Results] | None:
    """``found`` split by stack; None when a finding or parsing error belongs to no stack of ``stacks``."""
    parts = {stack: _Results(failed=[], passed=[], parsing_errors=[], checkov_version=found.checkov_version)
             for stack in stacks}
    for kind in ("failed", "passed"):
        for finding in getattr(found, kind):
            if finding.stack not in parts:
                return None
            getattr(parts[finding.stack], kind).append(finding)
    for error in found.parsing_errors:
        head, _, rest = error.partition("/")
        stack = rest.partition("/")[0]
        if head != "stacks" or stack not in parts:
            return None
        parts[stack].parsing_errors.append(error)
    return parts


def _template_results(reports: list[dict[str, Any]], source: Path) -> _Results:
    """The findings of checkov's reports over (a view of) the product templates in ``source``."""
    found = _Results(failed=[], passed=[], parsing_errors=[])
    for report in reports:
        results = report.get("results") or {}
        found.failed += [_template_finding(r, source) for r in results.get("failed_checks") or []]
        found.passed += [_template_finding(r, source) for r in results.get("passed_checks") or []]
        for record in results.get("skipped_checks") or []:
            finding, waiver = _template_skip(record, source)
            if waiver is None:
                found.failed.append(finding)
            else:
                found.skipped.append((finding, waiver))
        found.parsing_errors += [_template_file(Path(err), source) for err in results.get("parsing_errors") or []]
        summary = report.get("summary") if "results" in report else report
        if isinstance(summary, dict):
            found.checkov_version = found.checkov_version or summary.get("checkov_version")
    return found


STACK_ENTRY = "stack"
TEMPLATES_ENTRY = "templates"
# The code that turns checkov's output into the findings the cache keeps: a change to it is a change of verdict.
_SCAN_CODE = (Path(__file__), Path(result_cache.__file__))


def _cached(store: result_cache.ScanCache, kind: str, key: str, stack: str) -> _Results | None:
    """The results of ``stack`` the cache holds under ``key``; None for a miss or an entry that cannot be trusted."""
    value = store.read(kind, key)
    if value is None:
        return None
    try:
        found = _Results.from_json(value)
    except (KeyError, TypeError, ValueError):
        return None
    if any(f.stack != stack for f in [*found.failed, *found.passed, *(f for f, _ in found.skipped)]):
        return None
    return found


def scan(
    out_dir: Path,
    waivers: list[Waiver] | None = None,
    *,
    timeout: float | None = 900,
    templates: bool = True,
    templates_dir: Path | None = None,
    jobs: int | None = None,
    suppressions: list[Waiver] | None = None,
    today: date | None = None,
    cache: bool = True,
    cache_dir: Path | None = None,
) -> ScanReport:
    """Scan ``out_dir/stacks`` with checkov and the ML policy pack, and the product templates; apply ``waivers``.

    ``waivers=None`` uses mlplat's own ``waivers.yaml``; pass ``[]`` for none. With ``templates``
    (the default) the Service Catalog product templates are scanned too, with checkov's
    cloudformation checks: those of ``templates_dir``, by default the ones mlplat ships. Their
    findings belong to the stack ``servicecatalog`` and name ``templates/servicecatalog/<file>``;
    a check a template skips in its Metadata counts as waived, with the skip's comment as reason,
    or as failed when the skip has no comment. The stacks are split into ``jobs`` groups (default:
    the machine's cores) scanned by as many checkov processes at once, beside the templates' one; the
    report is the same whatever the split. ``suppressions`` are the organization's accepted failures,
    by default those synth wrote into ``OUT/scan-suppressions.json``; they apply after the waivers,
    and one past its expiry (on ``today``) suppresses nothing and is reported as expired. Raises :class:`ScanError` when there is nothing to scan or
    checkov itself fails.

    With ``cache`` (the default), checkov's findings for a stack, or for the templates, are reused
    from the result cache when nothing they depend on changed (:mod:`mlplat.scan.cache`), and stored
    there otherwise; ``cache_dir`` overrides its location (by default ``OUT/.mlplat/scan-cache``, or
    ``$MLPLAT_CACHE_DIR/scan``). Without it, checkov runs over everything and the cache is left as it is.
    """
    stacks_dir = (Path(out_dir) / "stacks").resolve()
    if not stacks_dir.is_dir():
        raise ScanError(f"no stacks directory in {out_dir}: synthesize the app first")
    if not any(p for p in stacks_dir.rglob("*.tf.json") if ".terraform" not in p.parts):
        raise ScanError(f"no *.tf.json files under {stacks_dir}: synthesize the app first")
    source = None  # the product templates to scan, if any
    if templates:
        source = (Path(templates_dir) if templates_dir is not None else product_templates_dir()).resolve()
        if not source.is_dir():
            raise ScanError(f"no product templates directory {source}")
        if not any(p.is_file() and p.suffix in TEMPLATE_SUFFIXES for p in source.iterdir()):
            if templates_dir is None:  # the shipped products must never go unscanned because an install left them out
                raise ScanError(f"no product templates in {source}: the installed mlplat lacks its package data")
            source = None
    waivers = load_waivers() if waivers is None else list(waivers)
    waivers += load_suppressions(Path(out_dir)) if suppressions is None else list(suppressions)

    files = stack_files(stacks_dir)
    store = None
    if cache:
        location, keep_unused = result_cache.cache_location(Path(out_dir))
        if cache_dir is not None:
            location, keep_unused = Path(cache_dir), timedelta(0)
        store = result_cache.ScanCache(location, keep_unused)

    def context(framework: str) -> str | None:
        if store is None:
            return None
        return result_cache.verdict_context(framework, CHECKS_DIR, _SCAN_CODE, _checkov_env(Path(".")))

    stack_context = context(FRAMEWORK)
    keys: dict[str, str] = {}
    by_stack: dict[str, _Results] = {}  # from the cache, then from checkov
    if store is not None and stack_context is not None:
        for stack, stack_bytes in files.items():
            keys[stack] = store.key(STACK_ENTRY, stack, stack_bytes, stack_context)
            reused = _cached(store, STACK_ENTRY, keys[stack], stack)
            if reused is not None:
                by_stack[stack] = reused
    stacks_reused = tuple(sorted(by_stack))
    sizes = {stack: sum(len(d) for d in stack_bytes.values()) for stack, stack_bytes in files.items()
             if stack not in by_stack}
    runs = [CheckovRun(stacks_dir, FRAMEWORK, {path: data for s in group for path, data in files[s].items()}, tuple(group))
            for group in _balanced(sizes, jobs or os.cpu_count() or 1)]

    template_found = template_key = None
    if source is not None:
        shipped = template_files(source)
        template_context = context(TEMPLATES_FRAMEWORK)
        if store is not None and template_context is not None:
            template_key = store.key(TEMPLATES_ENTRY, TEMPLATES_STACK, shipped, template_context)
            template_found = _cached(store, TEMPLATES_ENTRY, template_key, TEMPLATES_STACK)
        if template_found is None:
            runs.append(CheckovRun(source, TEMPLATES_FRAMEWORK, shipped))
    templates_reused = None if source is None else template_found is not None

    outputs = _run_checkovs(runs, timeout) if runs else []
    addresses = _Addresses({str(stacks_dir / path): data for stack_bytes in files.values() for path, data in stack_bytes.items()})
    unsplit: list[_Results] = []  # findings of a run that name a file of none of its stacks: reported, not cached
    for run, (reports, _stderr) in zip(runs, outputs):
        if run.framework != FRAMEWORK:
            template_found = _template_results(reports, source)
            if store is not None and template_key is not None:
                store.write(TEMPLATES_ENTRY, template_key, template_found.to_json())
            continue
        found = _stack_results(reports, stacks_dir, addresses)
        parts = _per_stack(found, run.stacks)
        if parts is None:
            unsplit.append(found)
            continue
        by_stack.update(parts)
        if store is not None and stack_context is not None:
            for stack, part in parts.items():
                store.write(STACK_ENTRY, keys[stack], part.to_json())
    if store is not None:
        store.prune([STACK_ENTRY] + ([TEMPLATES_ENTRY] if source is not None else []))

    failed: list[Finding] = []
    passed: list[Finding] = []
    parsing_errors: list[str] = []
    skipped: list[tuple[Finding, Waiver]] = []
    version = None
    for found in [*(by_stack[s] for s in sorted(by_stack)), *unsplit, *([template_found] if template_found else [])]:
        failed += found.failed
        passed += found.passed
        parsing_errors += found.parsing_errors
        skipped += found.skipped
        version = version or found.checkov_version

    outcome = apply_waivers(sorted(set(failed)), waivers, today)
    return ScanReport(
        failed=sorted(outcome.unwaived),
        waived=[WaivedFinding(f, w) for f, w in sorted([*outcome.waived, *skipped], key=lambda fw: fw[0])],
        passed=sorted(set(passed)),
        unused_waivers=outcome.unused,
        parsing_errors=sorted(set(parsing_errors)),
        checkov_version=version,
        expired_waivers=outcome.expired,
        stacks_scanned=tuple(sorted(s for run in runs for s in run.stacks)),
        stacks_reused=stacks_reused,
        templates_reused=templates_reused,
    )
