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


@pytest.fixture(scope="session", autouse=True)
def scan_cache_outside_outputs(tmp_path_factory):
    """Scans keep their result cache in the session's temporary directory ($MLPLAT_CACHE_DIR), so that the
    shared synthesized outputs stay as synth wrote them and the repository's fixtures gain nothing."""
    previous = os.environ.get("MLPLAT_CACHE_DIR")
    os.environ["MLPLAT_CACHE_DIR"] = str(tmp_path_factory.mktemp("mlplat-cache"))
    yield
    if previous is None:
        os.environ.pop("MLPLAT_CACHE_DIR", None)
    else:
        os.environ["MLPLAT_CACHE_DIR"] = previous


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


TERRAFORM_CLOUD_STATE = "state:\n  backend: cloud\n  organization: acme-tfc\n"


@pytest.fixture(scope="session")
def terraform_cloud(tmp_path_factory) -> tuple[Path, Any]:
    """The minimal example with Terraform Cloud state (organization acme-tfc), synthesized once per test
    session, and its resolved organization."""
    from mlplat import api

    folder = tmp_path_factory.mktemp("synth-terraform-cloud")
    spec = folder / "mlplat.yaml"
    spec.write_text(example_spec("minimal").read_text() + TERRAFORM_CLOUD_STATE)
    api.synth(spec, folder / "out")
    return folder / "out", api.validate(spec)


def stack_json(out: Path, name: str) -> dict[str, Any]:
    """The synthesized Terraform JSON of one stack."""
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def resources_of(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """address -> body of the resources of one type in a stack's JSON."""
    return document.get("resource", {}).get(kind, {})
