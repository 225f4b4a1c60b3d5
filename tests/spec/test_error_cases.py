"""Each tests/spec/cases/<case>.yaml is an invalid spec; <case>.expected is exactly what mlplat prints.

``{file}`` in an expected file stands for the spec's path. Every case must exit with code 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlplat.cli import app

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_fails_with_exact_message(case: str) -> None:
    spec = CASES / f"{case}.yaml"
    result = CliRunner().invoke(app, ["validate", str(spec)])
    expected = (CASES / f"{case}.expected").read_text().replace("{file}", str(spec))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == expected


def test_every_case_has_an_expectation() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} == {p.stem for p in CASES.glob("*.expected")}
