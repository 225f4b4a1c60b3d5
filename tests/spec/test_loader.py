from __future__ import annotations

import pytest

from mlplat.spec import SpecError
from typer.testing import CliRunner

from mlplat.cli import app
from mlplat.spec.loader import load_yaml


def test_positions_point_at_keys_and_items() -> None:
    data, positions = load_yaml("a:\n  b: [x, y]\n  c:\n    - d: 1\n", "f.yaml")
    assert data == {"a": {"b": ["x", "y"], "c": [{"d": 1}]}}
    assert positions.at[("a", "b")] == (2, 3)
    assert positions.at[("a", "b", 1)] == (2, 10)
    assert positions.at[("a", "c", 0, "d")] == (4, 7)
    assert positions.locate(("a", "c", 0, "missing")) == (4, 7)  # the item mapping starts at its first key


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_yaml("", "f.yaml")[0] == {}


def test_fails_on_duplicate_keys_at_every_level() -> None:
    with pytest.raises(SpecError) as error:
        load_yaml("a:\n  b: 1\n  b: 2\n", "f.yaml")
    assert str(error.value) == "f.yaml:3:3 a.b: duplicate key 'b' (first at line 2)"


def test_fails_on_recursive_alias() -> None:
    with pytest.raises(SpecError) as error:
        load_yaml("a: &x [*x]\n", "f.yaml")
    assert "nests deeper than" in str(error.value)


def test_fails_on_merge_keys() -> None:
    with pytest.raises(SpecError) as error:
        load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml")
    assert "merge keys ('<<') are not supported" in str(error.value)


def test_fails_on_code_running_tags() -> None:
    for text in ("a: !!python/name:os.system\n", "a: !!python/object/new:os.system [ls]\n", "a: !custom {x: 1}\n"):
        with pytest.raises(SpecError) as error:
            load_yaml(text, "f.yaml")
        assert "unsupported YAML tag" in str(error.value)


def test_fails_on_deep_nesting_without_exhausting_the_stack(tmp_path) -> None:
    # 20 KB: a flow sequence nested 10,000 levels deep would overflow Python's stack while composing.
    spec = tmp_path / "deep.yaml"
    spec.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{spec}:1:44: the document nests deeper than 40 levels; it is refused\n"
        "error: the spec is not valid (1 problem); nothing was written\n"
    )


def test_nesting_up_to_the_limit_is_composed() -> None:
    data, _ = load_yaml("a: " + "[" * 39 + "]" * 39 + "\n", "f.yaml")
    depth, node = 0, data["a"]
    while isinstance(node, list):
        depth += 1
        node = node[0] if node else None
    assert depth == 39
