"""The environment Terraform runs with, and a worker that dies."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlplat import engine
from mlplat.terraform import command
from mlplat.terraform.environment import terraform_env
from mlplat.terraform.runner import run


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
    monkeypatch.setattr(command, "WORKER", "import sys; sys.stderr.write('panic: boom'); sys.exit(2)")
    report = run(out, "plan")
    (result,) = report.stacks
    assert result.status == "failed" and result.phase == "init"
    assert result.failure is not None and result.failure.kind == "terraform_crashed"
    assert "panic: boom" in (result.terraform_error or "")


def test_one_plugin_cache_serves_every_stack_unless_one_is_configured(tmp_path: Path) -> None:
    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path)})
    cache = tmp_path / ".cache" / "mlplat" / "terraform-plugins"
    assert env["TF_PLUGIN_CACHE_DIR"] == str(cache) and cache.is_dir()
    # synthesized stacks have no lock file: without this, Terraform downloads again for each stack
    assert env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] == "true"

    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert env["TF_PLUGIN_CACHE_DIR"] == str(tmp_path / "xdg" / "mlplat" / "terraform-plugins")

    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path), "TF_PLUGIN_CACHE_DIR": "/theirs",
                                                "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "false"})
    assert (env["TF_PLUGIN_CACHE_DIR"], env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"]) == ("/theirs", "false")

    config = tmp_path / "cache.tfrc"
    config.write_text('plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n')
    env = terraform_env(tmp_path / "cfg", base={"HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": str(config)})
    assert "TF_PLUGIN_CACHE_DIR" not in env and env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] == "true"


def test_the_first_init_of_each_set_of_providers_runs_alone(tmp_path: Path) -> None:
    import json
    import threading
    import time

    from mlplat.terraform.order import StackInfo
    from mlplat.terraform.runner import _ProviderGate

    def stack(name: str, providers: dict) -> StackInfo:
        path = tmp_path / name / "cdk.tf.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"terraform": {"required_providers": providers}} if providers else {}))
        return StackInfo(name, path.parent, path, ())

    aws = {"aws": {"source": "hashicorp/aws", "version": "6.69.1"}}
    first, second, builtin = stack("first", aws), stack("second", aws), stack("builtin", {})
    gate = _ProviderGate()
    order: list[str] = []
    release = threading.Event()

    def init(info: StackInfo, hold: bool = False) -> None:
        with gate.first_init(info):
            order.append(f"start {info.name}")
            if hold:
                assert release.wait(10)
            order.append(f"end {info.name}")

    filling = threading.Thread(target=init, args=(first, True))
    filling.start()
    while order != ["start first"]:
        time.sleep(0.01)
    waiting = threading.Thread(target=init, args=(second,))
    waiting.start()
    init(builtin)  # no providers to install: never waits
    assert order == ["start first", "start builtin", "end builtin"]
    release.set()
    filling.join()
    waiting.join()
    assert order[3:] == ["end first", "start second", "end second"]


def test_terraform_is_the_embedded_one_unless_a_binary_is_named(tmp_path: Path) -> None:
    from mlplat.terraform import TerraformInputError
    from mlplat.terraform.program import choose

    assert choose(None, env={}).embedded and choose(None, env={"MLPLAT_TERRAFORM": "embedded"}).embedded
    tofu = tmp_path / "tofu"
    tofu.write_text("#!/bin/sh\n")
    tofu.chmod(0o755)
    assert choose(None, env={"MLPLAT_TERRAFORM": "tofu", "PATH": str(tmp_path)}).binary == tofu
    assert choose(str(tofu), env={"MLPLAT_TERRAFORM": "elsewhere"}).binary == tofu
    with pytest.raises(TerraformInputError, match="MLPLAT_TERRAFORM 'tofu': no such executable"):
        choose(None, env={"MLPLAT_TERRAFORM": "tofu", "PATH": str(tmp_path / "empty")})
