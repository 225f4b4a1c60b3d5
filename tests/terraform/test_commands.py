"""mlplat plan, apply, destroy and terraform on small apps of built-in resources, through the CLI."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlplat import cli, engine
from mlplat.terraform import StackEvent


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli.app, list(args), input=stdin)


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """t-organization (protected by its name), t-workload reading its output, t-broken failing at plan time."""
    out = tmp_path_factory.mktemp("commands") / "out"
    app = engine.new_app(out)
    stacks = {}
    for name in ("t-organization", "t-workload", "t-broken"):
        stacks[name] = engine.core.TerraformStack(app, name)
        engine.local_backend(stacks[name], path="terraform.tfstate")
    org = engine.core.DataResource(stacks["t-organization"], "x", input={"id": "o-123"})
    engine.core.DataResource(stacks["t-workload"], "x", input={"org": engine.core.Token.as_string(org.output.lookup("id"))})
    short = engine.core.TerraformVariable(stacks["t-broken"], "v", type="string", default="short")
    broken = engine.core.DataResource(stacks["t-broken"], "x", input={"v": short.string_value})
    broken.add_override("lifecycle.precondition", [{"condition": "${length(var.v) > 10}",
                                                    "error_message": "this stack never plans"}])
    app.synth()
    return out


def test_plan_reports_every_stack_as_json_and_exits_1_when_one_failed(app_dir: Path) -> None:
    result = invoke("plan", str(app_dir), "--skip-scan", "--json", "--parallelism", "2")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    stacks = {s["name"]: s for s in document["stacks"]}
    assert (document["action"], document["ok"], document["parallelism"]) == ("plan", False, 2)
    assert (stacks["t-organization"]["status"], stacks["t-organization"]["add"]) == ("planned", 1)
    assert (stacks["t-workload"]["status"], stacks["t-workload"]["blocked_by"]) == ("blocked", ["t-organization"])
    broken = stacks["t-broken"]
    assert (broken["status"], broken["phase"], broken["failure_kind"]) == ("failed", "plan", "terraform")
    assert "this stack never plans" in broken["terraform_error"]
    assert broken["log"] == str(app_dir / "logs" / "t-broken.plan.log")
    assert "this stack never plans" in Path(broken["log"]).read_text()
    assert "[t-broken] plan failed" in result.stderr and "waiting" not in result.stderr
    assert "Traceback" not in result.output


def test_apply_shows_the_saved_plans_and_asks_once(app_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_can_ask", lambda: True)
    result = invoke("apply", str(app_dir), "--skip-scan", "--stack", "t-org*", "--stack", "t-workload", stdin="n\n")
    assert result.exit_code == 2
    assert "apply 2 stacks: 1 to add, 0 to change, 0 to destroy in the saved plans" in result.stdout
    assert "planned during the apply: its plan waits for the stacks it depends on" in result.stdout
    assert "Apply these 2 stacks? [y/N]" in result.stdout
    assert result.stderr.endswith("aborted: nothing was applied\n")
    assert not (app_dir / "stacks" / "t-organization" / "terraform.tfstate").exists()


def test_fails_to_apply_or_destroy_without_approval_when_not_at_a_terminal(app_dir: Path) -> None:
    for command in ("apply", "destroy"):
        result = invoke(command, str(app_dir))
        assert result.exit_code == 2 and "pass --auto-approve when not at a terminal" in result.stderr


def test_apply_with_a_terraform_binary_then_terraform_passthrough(app_dir: Path, tmp_path: Path) -> None:
    # A terraform "binary" of our own: the embedded Terraform behind a script, as a tofu or terraform would be.
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(f"#!/bin/sh\nexec {sys.executable} -P -m mlplat.terraform.embedded \"$@\"\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    result = invoke("apply", str(app_dir), "--skip-scan", "--auto-approve", "--stack", "t-org*",
                    "--terraform", str(binary), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["terraform"] == str(binary)
    assert [(s["name"], s["status"], s["add"]) for s in document["stacks"]] == [("t-organization", "applied", 1)]

    done = subprocess.run([sys.executable, "-m", "mlplat", "terraform", "t-organization", "--out", str(app_dir),
                           "--", "state", "list"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "terraform_data.x"
    ambiguous = invoke("terraform", "t-*", "--out", str(app_dir), "--", "state", "list")
    assert ambiguous.exit_code == 2 and "'t-*' matches 3 stacks" in ambiguous.stderr


def test_fails_before_running_anything_on_bad_input(app_dir: Path) -> None:
    nothing = invoke("destroy", str(app_dir), "--stack", "t-org*", "--auto-approve")
    assert nothing.exit_code == 2
    assert nothing.stderr == ("error: nothing to destroy: t-organization is protected (the organization stack): "
                              "destroyed only when named with --stack t-organization\n")
    unknown = invoke("plan", str(app_dir), "--skip-scan", "--stack", "nope-*")
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: no stack matches nope-*; known stacks: t-broken, t-organization, t-workload\n"
    missing = invoke("plan", str(app_dir), "--skip-scan", "--terraform", "/no/such/tofu")
    assert missing.exit_code == 2 and "--terraform '/no/such/tofu': no such executable" in missing.stderr
    changed = invoke("destroy", str(app_dir), "--auto-approve", "--changed")
    assert changed.exit_code == 2


def test_live_view_counts_stacks_and_shows_the_running_and_failed_ones() -> None:
    from rich.console import Console

    from mlplat.report import RunProgress

    progress = RunProgress("apply", Console(file=io.StringIO(), width=120, force_terminal=False))
    for event in (StackEvent("a", "stack", "waiting"), StackEvent("b", "stack", "waiting"),
                  StackEvent("c", "stack", "waiting"), StackEvent("a", "stack", "started"),
                  StackEvent("a", "plan", "started"), StackEvent("b", "stack", "started"),
                  StackEvent("b", "stack", "failed", "stack 'b': terraform init failed: no network\nmore")):
        progress(event)
    console = Console(file=io.StringIO(), width=120)
    console.print(progress.render())
    text = console.file.getvalue()
    assert "mlplat apply: 1 waiting, 1 running, 1 failed" in text
    assert "a" in text and "running" in text and "plan" in text
    assert "stack 'b': terraform init failed: no network" in text and "more" not in text
