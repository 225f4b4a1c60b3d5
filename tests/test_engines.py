"""CDK Terrain (default) and cdktf produce the same resources for every example.

cdktf runs in its own process (one engine per process). Compared per stack: every resource and
data source with all its arguments. Not compared: metadata comments, the provider source and
version pins (the two bindings wrap different provider releases) and the backend block.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, example_spec

pytestmark = pytest.mark.skipif(importlib.util.find_spec("cdktf") is None,
                                reason="cdktf is an optional extra: pip install 'mlplat[cdktf]'")


def _strip_metadata(value):
    if isinstance(value, dict):
        return {k: _strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_strip_metadata(v) for v in value]
    return value


def _comparable(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text())
    result = {}
    for name, entry in manifest["stacks"].items():
        document = json.loads((out / entry["synthesizedStackPath"]).read_text())
        for block in document.get("data", {}).get("terraform_remote_state", {}).values():
            # cdktf's S3Backend has no use_lockfile field (mlplat adds it to the backend block only);
            # reading a remote state takes no lock, so the data sources are equivalent
            block.get("config", {}).pop("use_lockfile", None)
        result[name] = {
            "resource": _strip_metadata(document.get("resource", {})),
            "data": _strip_metadata(document.get("data", {})),
            "provider": _strip_metadata(document.get("provider", {})),
            "output": sorted(document.get("output", {})),
            "dependencies": sorted(entry["dependencies"]),
        }
    return result


@pytest.mark.parametrize("example", EXAMPLES)
def test_cdktf_produces_the_same_resources(example: str, synthesized, tmp_path: Path) -> None:
    out = tmp_path / "cdktf"
    subprocess.run([sys.executable, "-m", "mlplat", "synth", str(example_spec(example)), "--out", str(out),
                    "--engine", "cdktf"], check=True, capture_output=True, text=True)
    default, other = _comparable(synthesized(example)), _comparable(out)
    assert sorted(default) == sorted(other)
    for name in default:
        for part in ("resource", "data", "provider", "output", "dependencies"):
            assert default[name][part] == other[name][part], f"{name}: {part} differs between engines"
