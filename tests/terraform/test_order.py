"""manifest.json validation and the deployment order of stacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat.terraform import DependencyCycleError, ManifestError, UnknownStackError, load_manifest, waves
from mlplat.terraform.order import flatten


def _write(out: Path, deps: dict[str, list[str]], *, files: bool = True) -> Path:
    stacks = {}
    for name, dependencies in deps.items():
        stacks[name] = {
            "name": name,
            "constructPath": name,
            "dependencies": dependencies,
            "workingDirectory": f"stacks/{name}",
            "synthesizedStackPath": f"stacks/{name}/cdk.tf.json",
        }
        if files:
            (out / "stacks" / name).mkdir(parents=True, exist_ok=True)
            (out / "stacks" / name / "cdk.tf.json").write_text("{}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps({"version": "0.24.0", "stacks": stacks}))
    return out


DIAMOND = {"net": [], "org": [], "shared": ["net", "org"], "dev": ["shared"], "prod": ["shared", "net"]}


def test_waves_group_stacks_by_dependency_depth_sorted_by_name(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    assert waves(manifest) == [["net", "org"], ["shared"], ["dev", "prod"]]
    assert waves(manifest, reverse=True) == [["dev", "prod"], ["shared"], ["net", "org"]]
    assert manifest.stacks["prod"].dependencies == ("net", "shared")
    assert manifest.stacks["dev"].working_directory == (tmp_path / "stacks" / "dev").resolve()
    assert flatten(waves(manifest)) == ["net", "org", "shared", "dev", "prod"]


def test_waves_are_the_same_whatever_the_manifest_order(tmp_path: Path) -> None:
    one = load_manifest(_write(tmp_path / "one", DIAMOND))
    two = load_manifest(_write(tmp_path / "two", dict(reversed(list(DIAMOND.items())))))
    assert waves(one) == waves(two)


def test_subset_pulls_in_nothing_and_keeps_the_order(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    assert waves(manifest, ["prod", "net"]) == [["net"], ["prod"]]
    assert waves(manifest, ["dev", "dev"]) == [["dev"]]
    assert waves(manifest, ["prod", "org"], reverse=True) == [["prod"], ["org"]]
    assert waves(manifest, []) == []


def test_fails_for_unknown_stack_names_listing_known_ones(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    with pytest.raises(UnknownStackError) as caught:
        waves(manifest, ["prod", "staging", "qa"])
    assert str(caught.value) == "unknown stacks: qa, staging; known stacks: dev, net, org, prod, shared"
    assert caught.value.unknown == ["qa", "staging"]


def test_fails_on_a_dependency_cycle_naming_it(tmp_path: Path) -> None:
    out = _write(tmp_path, {"a": ["c"], "b": ["a"], "c": ["b"], "d": [], "e": ["d", "a"]})
    with pytest.raises(DependencyCycleError, match=r"cycle: a -> c -> b -> a") as caught:
        load_manifest(out)
    assert caught.value.cycle == ["a", "c", "b", "a"]


def test_fails_on_a_stack_depending_on_itself(tmp_path: Path) -> None:
    with pytest.raises(DependencyCycleError, match=r"cycle: a -> a"):
        load_manifest(_write(tmp_path, {"a": ["a"]}))


def test_fails_on_a_dependency_on_an_unknown_stack(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"'b' depends on unknown stack\(s\) ghost; known stacks: a, b"):
        load_manifest(_write(tmp_path, {"a": [], "b": ["a", "ghost"]}))


def test_fails_without_a_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no manifest.json in .*synthesize the app first"):
        load_manifest(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not valid JSON"),
        ("[]", "expected an object with a 'stacks' object"),
        ('{"stacks": {"a": 1}}', "stack 'a': expected an object"),
        ('{"stacks": {"a": {"name": "b"}}}', "its 'name' is 'b'"),
        ('{"stacks": {"a": {"synthesizedStackPath": "x"}}}', "'workingDirectory' must be a non-empty string"),
        (
            '{"stacks": {"a": {"workingDirectory": "../elsewhere", "synthesizedStackPath": "x"}}}',
            "points outside the output directory",
        ),
        (
            '{"stacks": {"a": {"workingDirectory": "/etc", "synthesizedStackPath": "x"}}}',
            "must be relative to the output directory",
        ),
        (
            '{"stacks": {"a": {"workingDirectory": "s", "synthesizedStackPath": "s/x", "dependencies": "b"}}}',
            "'dependencies' must be a list of stack names",
        ),
    ],
)
def test_fails_on_a_malformed_manifest(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "manifest.json").write_text(content)
    with pytest.raises(ManifestError, match=message):
        load_manifest(tmp_path)


def test_fails_when_a_synthesized_file_is_missing(tmp_path: Path) -> None:
    out = _write(tmp_path, {"a": []}, files=False)
    with pytest.raises(ManifestError, match="synthesized file .* is missing; synthesize again"):
        load_manifest(out)
    assert load_manifest(out, check_files=False).names() == ["a"]
