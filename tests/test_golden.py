"""The synthesized examples are byte-identical to the reviewed golden files (see tests/golden/README.md)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from mlplat.synth import RECORD

GOLDEN = ROOT / "tests" / "golden"


def _files(root: Path) -> dict[str, bytes]:
    """Every file synth writes but its record (the digests of its inputs, mlplat's code among them)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != RECORD}


@pytest.mark.parametrize("example", EXAMPLES)
def test_synthesis_matches_golden_files(example: str, synthesized) -> None:
    actual, expected = _files(synthesized(example)), _files(GOLDEN / example)
    assert sorted(actual) == sorted(expected), "stacks differ; run `make golden` and review the diff"
    for name, content in expected.items():
        if actual[name] != content:
            diff = difflib.unified_diff(content.decode().splitlines(), actual[name].decode().splitlines(),
                                        f"golden/{example}/{name}", f"synthesized/{name}", lineterm="", n=2)
            pytest.fail(f"{name} differs from the golden file (run `make golden` and review):\n"
                        + "\n".join(list(diff)[:60]))
