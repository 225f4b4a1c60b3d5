"""Values cross stacks only as declared outputs and remote states, so a stack is the same built alone, with
some others in a worker, or with all of them; synth builds again only the stacks whose inputs changed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, example_spec
from mlplat import api
from mlplat.synth import RECORD, _share_out, _workers, build_group, summarize

REMOTE = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != RECORD and ".mlplat" not in p.parts}


def _documents(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text())["stacks"]
    return {name: json.loads((out / entry["synthesizedStackPath"]).read_text()) for name, entry in manifest.items()}


@pytest.mark.parametrize("example", EXAMPLES)
def test_stacks_read_each_other_only_through_declared_outputs(synthesized, example: str) -> None:
    out = synthesized(example)
    documents = _documents(out)
    manifest = json.loads((out / "manifest.json").read_text())["stacks"]
    org = api.validate(example_spec(example))
    from mlplat.stacks.exports import declared

    exports = {(e.producer, e.output) for e in declared(org).values()}
    for name, document in documents.items():
        text = json.dumps(document)
        assert "cross-stack" not in text, f"{name}: a value handed over by the engine, not declared"
        # what it makes for the others is exactly what is declared
        made = {(name, output) for output in document.get("output", {})}
        assert made == {e for e in exports if e[0] == name}, name
        # what it reads: from a remote state it declares, of the stack named, an output that stack makes
        states = document.get("data", {}).get("terraform_remote_state", {})
        read = set()
        for producer, output in REMOTE.findall(text):
            assert producer in states and producer != name, f"{name} reads {producer} without its state"
            assert output in documents[producer].get("output", {}), f"{name} reads {producer}.{output}: no such output"
            read.add(producer)
        assert read == set(states), f"{name}: a remote state it never reads"
        assert read <= set(manifest[name]["dependencies"]), f"{name} reads a stack it is not ordered after"
        for producer, state in states.items():  # the remote state is the producer's backend
            key = state.get("config", {}).get("key") or state.get("config", {}).get("path", "")
            assert producer in key, (name, producer, state)


def test_a_stack_is_the_same_built_alone_or_with_others(synthesized, tmp_path: Path) -> None:
    out = synthesized("enterprise")
    org = api.validate(example_spec("enterprise"))
    expected = _files(out)
    fraud = [s.name for s in org.stacks if org.account(s.account).team == "fraud"]
    shares = [fraud, ["northbank-organization", "northbank-ml-shared-services-prod", "northbank-data-customer"]]
    for i, names in enumerate(shares):
        build_group(org, "cdktn", names, tmp_path / str(i))
        built = json.loads((tmp_path / str(i) / "manifest.json").read_text())["stacks"]
        for name in names:
            relative = built[name]["synthesizedStackPath"]
            assert (tmp_path / str(i) / relative).read_bytes() == expected[relative], f"{name} differs built in {names}"
            reference = json.loads((out / "manifest.json").read_text())["stacks"][name]
            assert built[name] == reference, f"{name}: another manifest entry built in {names}"


def test_parallel_workers_write_what_one_process_writes(synthesized, tmp_path: Path) -> None:
    result = api.synth(example_spec("enterprise"), tmp_path / "out", jobs=2)
    assert result.workers == 2 and len(result.built) == len(result.stacks)
    assert _files(tmp_path / "out") == _files(synthesized("enterprise"))


def test_only_the_stacks_whose_inputs_changed_are_built_again(synthesized, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(synthesized("enterprise"), out)
    unchanged = api.synth(example_spec("enterprise"), out)
    assert unchanged.built == () and _files(out) == _files(synthesized("enterprise"))
    # the summary of the stacks kept comes from the record: the same as counted from their files
    assert unchanged.stacks == summarize(out, api.validate(example_spec("enterprise")))

    # a team's own settings (members, instance types, Studio's idle timeout, the MLflow size) are read by
    # that team's account stacks alone
    text = example_spec("enterprise").read_text()
    types = "ml.c5.2xlarge, ml.g5.2xlarge]"
    changed = text.replace("      size: Small", "      size: Medium\n    studio:\n      idle_timeout_minutes: 90").replace(
        "      - user: lena.vogel@northbank.example", "      - user: lena.vogel@northbank.example\n"
        "        persona: ml-engineer\n      - user: ada.osei@northbank.example").replace(
        types, types[:-1] + ", ml.m5.2xlarge]", 1)
    assert changed.count("ada.osei") == 1 and changed.count("ml.m5.2xlarge]") == 1 and "minutes: 90" in changed
    spec = tmp_path / "spec" / "mlplat.yaml"
    spec.parent.mkdir()
    spec.write_text(changed)
    result = api.synth(spec, out)
    assert set(result.built) == {"northbank-fraud-dev", "northbank-fraud-test", "northbank-fraud-prod"}
    full = api.synth(spec, tmp_path / "full", full=True)
    assert len(full.built) == len(full.stacks)
    assert _files(out) == _files(tmp_path / "full")
    fraud_dev = json.loads((out / "stacks" / "northbank-fraud-dev" / "cdk.tf.json").read_text())
    before = (synthesized("enterprise") / "stacks" / "northbank-fraud-dev" / "cdk.tf.json").read_text()
    for setting in ("ada.osei", "ml.m5.2xlarge", '"idle_timeout_in_minutes": 90'):
        assert setting in json.dumps(fraud_dev) and setting not in before, setting

    # a stack file edited since it was written is written again; the others are kept
    edited = out / "stacks" / "northbank-aml-test" / "cdk.tf.json"
    original = edited.read_bytes()
    edited.write_text("{}")
    again = api.synth(spec, out)
    assert again.built == ("northbank-aml-test",) and edited.read_bytes() == original


def test_the_record_holds_each_stacks_inputs_and_files(synthesized) -> None:
    record = json.loads((synthesized("minimal") / RECORD).read_text())
    org = api.validate(example_spec("minimal"))
    assert set(record["stacks"]) == {s.name for s in org.stacks}
    for name, entry in record["stacks"].items():
        assert re.fullmatch(r"[0-9a-f]{64}", entry["inputs"])
        assert list(entry["files"]) == [f"stacks/{name}/cdk.tf.json"]
        document = json.loads((synthesized("minimal") / "stacks" / name / "cdk.tf.json").read_text())
        assert entry["resource_types"] == {kind: len(items) for kind, items in document.get("resource", {}).items()}
        assert entry["resources"] == sum(entry["resource_types"].values())
        assert entry["data_sources"] == sum(len(items) for items in document.get("data", {}).values())


def test_work_is_shared_out_by_size_and_workers_are_worth_their_start() -> None:
    weights = {"a": 900, "b": 800, "c": 100, "d": 100, "e": 50}
    groups = _share_out(list(weights), weights, 2)
    assert sorted(map(sorted, groups)) == [["a", "d"], ["b", "c", "e"]]  # loads 1000 and 950
    assert _share_out([], weights, 2) == []
    assert _workers(None, ["c", "d"], weights) == 1  # 200 resources: not worth a second engine
    assert _workers(4, list(weights), {k: 2000 for k in weights}) == 4
    assert _workers(8, ["a", "b"], {"a": 5000, "b": 5000}) == 2  # never more workers than stacks
    assert _workers(1, list(weights), {k: 5000 for k in weights}) == 1
    with pytest.raises(ValueError):
        _workers(0, ["a"], weights)
