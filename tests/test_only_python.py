"""mlplat on a machine that has only Python: no system Terraform, OpenTofu, Node.js or npm on PATH.

The CLI runs in a subprocess whose PATH is this machine's minus those programs, over specs that
exercise everything that once needed them: import blocks of adopted accounts and the cloud backend
(the engine checks the Terraform version of both by running ``terraform version``), the s3 backend,
the scan, and Terraform itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import example_spec

HIDDEN = ("terraform", "tofu", "node", "nodejs", "npm", "npx", "cdktf", "cdktn")
ADOPTED_ID = "123456789012"


@pytest.fixture(scope="module")
def bare_path(tmp_path_factory) -> str:
    """A PATH of links to every program on this machine's PATH except the hidden ones."""
    folder = tmp_path_factory.mktemp("bare-path")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            link = folder / entry
            if entry in HIDDEN or link.exists() or link.is_symlink():
                continue
            link.symlink_to(os.path.join(directory, entry))
    bin_dir = Path(sys.executable).parent  # the virtualenv's own programs (mlplat, checkov)
    path = os.pathsep.join([str(bin_dir), str(folder)])
    for program in HIDDEN:
        assert shutil.which(program, path=path) is None, f"{program} is still on the bare PATH"
    return path


def _mlplat(bare_path: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_NODE", "TERRAFORM_BINARY_NAME")}
    env["PATH"] = bare_path
    return subprocess.run([sys.executable, "-m", "mlplat", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def _spec(tmp_path: Path, state: str) -> Path:
    text = example_spec("minimal").read_text().replace(
        "    line_of_business: retail\n",
        "    line_of_business: retail\n"
        f"    environments:\n      dev:\n        account_id: \"{ADOPTED_ID}\"\n      test: {{}}\n      prod: {{}}\n",
    )
    spec = tmp_path / "mlplat.yaml"
    spec.write_text(text + state)
    return spec


def _stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def test_synth_with_import_blocks_and_the_cloud_backend(bare_path: str, tmp_path: Path) -> None:
    spec = _spec(tmp_path, "state:\n  backend: cloud\n  organization: acme-platform\n")
    out = tmp_path / "out"
    result = _mlplat(bare_path, "synth", str(spec), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    organization = _stack(out, "acme-organization")
    imports = organization["import"]
    assert [i["id"] for i in imports] == [ADOPTED_ID]
    assert organization["terraform"]["cloud"]["workspaces"] == {"name": "acme-organization"}


def test_synth_scan_with_the_s3_backend(bare_path: str, tmp_path: Path) -> None:
    spec = _spec(tmp_path, "state:\n  backend: s3\n  bucket: acme-mlplat-state\n  region: eu-west-1\n")
    out = tmp_path / "out"
    result = _mlplat(bare_path, "synth", str(spec), "--out", str(out))
    assert result.returncode == 0, result.stderr
    backend = _stack(out, "acme-churn-prod")["terraform"]["backend"]["s3"]
    assert backend["bucket"] == "acme-mlplat-state" and backend["use_lockfile"] is True
    scanned = _mlplat(bare_path, "scan", str(out))
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr


def test_validate_and_graph_need_nothing_but_python(bare_path: str) -> None:
    for command in ("validate", "graph"):
        result = _mlplat(bare_path, command, str(example_spec("enterprise")))
        assert result.returncode == 0, result.stderr


def test_the_embedded_terraform_answers_the_engines_version_check(bare_path: str, tmp_path: Path) -> None:
    # What the engine runs through the shell: the shim, on the bare PATH.
    probe = ("from mlplat.terraform.embedded import shim; import subprocess, sys; "
             "done = subprocess.run(f'{shim()} version', shell=True, capture_output=True, text=True); "
             "sys.stdout.write(done.stdout); sys.exit(done.returncode)")
    env = {**os.environ, "PATH": bare_path}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Terraform v1.")


def test_plan_runs_the_embedded_terraform(bare_path: str, tmp_path: Path) -> None:
    # A stack of built-in resources only: init and plan need no provider download.
    stack = tmp_path / "out" / "stacks" / "only"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({
        "terraform": {"backend": {"local": {"path": str(tmp_path / "only.tfstate")}}},
        "resource": {"terraform_data": {"marker": {"input": "x"}}},
    }))
    (tmp_path / "out" / "manifest.json").write_text(json.dumps({
        "version": "0.24.0",
        "stacks": {"only": {"name": "only", "constructPath": "only", "workingDirectory": "stacks/only",
                            "synthesizedStackPath": "stacks/only/cdk.tf.json", "annotations": [],
                            "dependencies": []}},
    }))
    result = _mlplat(bare_path, "plan", str(tmp_path / "out"), "--skip-scan")
    assert result.returncode == 0, result.stdout + result.stderr
    row = next(line.split() for line in result.stdout.splitlines() if line.startswith("only "))
    assert row[:3] == ["only", "planned", "1"]
