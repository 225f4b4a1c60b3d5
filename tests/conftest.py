from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

# every call mlplat makes into the engine's bindings is type-checked in the tests (users' runs skip it)
os.environ["MLPLAT_TYPE_CHECKS"] = "1"

ROOT = Path(__file__).parents[1]
EXAMPLES = ("minimal", "enterprise")


def example_spec(name: str) -> Path:
    return ROOT / "examples" / name / "mlplat.yaml"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    """Synthesize each example once per test session (CDK Terrain); returns example name -> output dir."""
    from mlplat import api

    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"synth-{name}") / "out"
            api.synth(example_spec(name), out)
            cache[name] = out
        return cache[name]

    return get


@pytest.fixture(scope="session")
def enterprise(synthesized) -> tuple[Path, Any]:
    """The synthesized enterprise example and its resolved organization."""
    from mlplat import api

    return synthesized("enterprise"), api.validate(example_spec("enterprise"))


def stack_json(out: Path, name: str) -> dict[str, Any]:
    """The synthesized Terraform JSON of one stack."""
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def resources_of(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """address -> body of the resources of one type in a stack's JSON."""
    return document.get("resource", {}).get(kind, {})
