"""The environment Terraform runs with, and a worker that dies."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlplat import engine
from mlplat.terraform import runner
from mlplat.terraform.runner import run, terraform_env


def test_caller_environment_passes_through(tmp_path: Path) -> None:
    base = {
        "HOME": str(tmp_path),
        "AWS_PROFILE": "ml-dev",
        "TF_PLUGIN_CACHE_DIR": "/cache",
        "TF_TOKEN_app_terraform_io": "secret",
    }
    env = terraform_env(tmp_path / "cfg", base=base, overrides={"TF_LOG": "ERROR"})
    for key, value in base.items():
        assert env[key] == value
    assert env["TF_LOG"] == "ERROR" and env["TF_IN_AUTOMATION"] == "1"


def test_without_any_cli_config_an_empty_one_is_used(tmp_path: Path) -> None:
    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path)})
    config = Path(env["TF_CLI_CONFIG_FILE"])
    assert config.parent == tmp_path / "cfg" and config.is_file()
    assert all(line.startswith("#") for line in config.read_text().splitlines())


def test_existing_cli_configs_are_never_replaced(tmp_path: Path) -> None:
    explicit = tmp_path / "mirror.tfrc"
    explicit.write_text('provider_installation { filesystem_mirror { path = "/m" } }\n')
    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": str(explicit)})
    assert env["TF_CLI_CONFIG_FILE"] == str(explicit)

    (tmp_path / ".terraformrc").write_text("")
    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path)})
    assert "TF_CLI_CONFIG_FILE" not in env  # Terraform reads ~/.terraformrc itself


def test_a_cli_config_variable_naming_a_missing_file_is_replaced_and_noted(tmp_path: Path) -> None:
    notes: list[str] = []
    missing = str(tmp_path / "nowhere.tfrc")
    env = terraform_env(tmp_path / "cfg", base={"TF_CLI_CONFIG_FILE": missing}, notes=notes)
    assert Path(env["TF_CLI_CONFIG_FILE"]).is_file()
    assert notes and missing in notes[0]


def test_fails_with_terraforms_own_output_when_the_worker_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    app = engine.new_app(out)
    stack = engine.core.TerraformStack(app, "a")
    engine.local_backend(stack, path="terraform.tfstate")
    engine.core.DataResource(stack, "x", input={"v": "a"})
    app.synth()
    monkeypatch.setattr(runner, "_WORKER", "import sys; sys.stderr.write('panic: boom'); sys.exit(2)")
    report = run(out, "plan")
    (result,) = report.stacks
    assert result.status == "failed" and result.phase == "init"
    assert result.failure is not None and result.failure.kind == "terraform_crashed"
    assert "panic: boom" in (result.terraform_error or "")
