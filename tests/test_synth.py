"""Synthesis of the examples: layout, providers, backends, dependencies, determinism, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import example_spec
from mlplat import api, graph, resolve, spec


def _stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def test_one_stack_per_account_plus_the_organization(synthesized) -> None:
    out = synthesized("enterprise")
    org = api.validate(example_spec("enterprise"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == sorted(s.name for s in org.stacks)
    assert len(manifest["stacks"]) == len(org.accounts) + 1 == 33


def test_member_stacks_assume_the_execution_role_in_every_allowed_region(synthesized) -> None:
    document = _stack(synthesized("enterprise"), "northbank-fraud-prod")
    providers = document["provider"]["aws"]
    assert [p.get("alias") for p in providers] == [None, "eu-central-1"]
    for provider in providers:
        assert provider["assume_role"][0]["role_arn"].startswith("arn:aws:iam::${")
        assert provider["assume_role"][0]["role_arn"].endswith(":role/OrganizationAccountAccessRole")
        assert provider["default_tags"][0]["tags"] == {
            "compliance-scope": "pci-dss", "cost-center": "CC-4100", "data-classification": "confidential",
            "environment": "prod", "line-of-business": "risk", "managed-by": "mlplat", "org": "northbank",
            "regulator": "eba", "team": "fraud"}


def test_management_stacks_refuse_any_other_account(synthesized) -> None:
    for name in ("northbank-organization", "northbank-management"):
        for provider in _stack(synthesized("enterprise"), name)["provider"]["aws"]:
            assert provider["allowed_account_ids"] == ["210987654321"]
            assert "assume_role" not in provider


def test_s3_backend_has_a_key_per_stack_and_native_locking(synthesized) -> None:
    backend = _stack(synthesized("enterprise"), "northbank-churn-dev")["terraform"]["backend"]["s3"]
    assert backend == {"bucket": "northbank-mlplat-state", "encrypt": True,
                       "key": "landing-zone/northbank-churn-dev.tfstate", "region": "eu-west-1", "use_lockfile": True}


def test_local_backend_path_is_relative_and_outside_the_stack(synthesized) -> None:
    backend = _stack(synthesized("minimal"), "acme-churn-dev")["terraform"]["backend"]
    assert backend == {"local": {"path": "../../state/acme-churn-dev.tfstate"}}


@pytest.mark.parametrize("example", ["minimal", "enterprise"])
def test_graph_rules_match_the_dependencies_the_engine_records(example: str, synthesized) -> None:
    manifest = json.loads((synthesized(example) / "manifest.json").read_text())
    recorded = {name: sorted(entry["dependencies"]) for name, entry in manifest["stacks"].items()}
    predicted = {node.name: list(node.depends_on) for node in api.graph(example_spec(example)).nodes}
    assert predicted == recorded


def test_same_spec_gives_identical_bytes_and_keeps_state(tmp_path: Path, synthesized) -> None:
    first = synthesized("minimal")
    out = tmp_path / "out"
    api.synth(example_spec("minimal"), out)
    (out / "state").mkdir()
    (out / "state" / "acme-churn-dev.tfstate").write_text("{}")
    api.synth(example_spec("minimal"), out)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and "state" not in p.parts)
    assert all((first / f).read_bytes() == (out / f).read_bytes() for f in files)
    assert (out / "state" / "acme-churn-dev.tfstate").read_text() == "{}"


def test_fails_midway_and_leaves_the_previous_output_untouched(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    api.synth(example_spec("minimal"), out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    from mlplat import stacks

    def broken_build(app, org, only=None):
        stacks.StackSet(app, org, only)
        raise RuntimeError("a module failed")

    monkeypatch.setattr(stacks, "build", broken_build)
    with pytest.raises(RuntimeError, match="a module failed"):
        api.synth(example_spec("enterprise"), out, jobs=1)  # in this process, where the build is replaced
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging directory left behind


def test_stacks_of_a_removed_account_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    text = example_spec("minimal").read_text()
    two_teams = text + "  - name: fraud\n    line_of_business: retail\n"
    (tmp_path / "two.yaml").write_text(two_teams)
    api.synth(tmp_path / "two.yaml", out)
    assert (out / "stacks" / "acme-fraud-dev").is_dir()
    api.synth(example_spec("minimal"), out)
    assert not (out / "stacks" / "acme-fraud-dev").exists()


def test_cli_synth_prints_a_summary_and_nothing_on_stderr(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mlplat", "synth", str(example_spec("minimal")), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("synthesized 15 stacks for 14 accounts into ")
    assert "resources by type:" in result.stdout


def test_terraform_cloud_gives_each_stack_a_workspace(tmp_path: Path) -> None:
    text = example_spec("minimal").read_text() + (
        "state:\n  backend: cloud\n  organization: acme-platform\n  workspace_prefix: lz-\n")
    (tmp_path / "cloud.yaml").write_text(text)
    out = tmp_path / "out"
    api.synth(tmp_path / "cloud.yaml", out)
    for name in ("acme-organization", "acme-churn-prod"):
        terraform = _stack(out, name)["terraform"]
        assert "backend" not in terraform
        assert terraform["cloud"] == {"organization": "acme-platform", "workspaces": {"name": f"lz-{name}"}}
    remote = _stack(out, "acme-churn-prod")["data"]["terraform_remote_state"]
    assert all(state["backend"] == "remote" for state in remote.values())


def test_the_specs_suppressions_are_written_beside_the_stacks_for_the_scan(tmp_path: Path) -> None:
    from mlplat.scan.runner import load_suppressions
    from mlplat.synth import SUPPRESSIONS, write_suppressions

    text = example_spec("minimal").read_text() + (
        "controls:\n"
        "  suppressions:\n"
        "    - check_id: CKV_AWS_18\n"
        "      stack: acme-churn-*\n"
        "      justification: Team buckets log to the central access-log bucket already.\n"
        "      expires: 2027-01-31\n")
    org = resolve.resolve(spec.parse(text, "specs/mlplat.yaml"))
    write_suppressions(tmp_path, org)
    written = json.loads((tmp_path / SUPPRESSIONS).read_text())
    line = text.splitlines().index("    - check_id: CKV_AWS_18") + 1
    assert written == {"suppressions": [{
        "check_id": "CKV_AWS_18", "stack": "acme-churn-*", "resource": None, "expires": "2027-01-31",
        "justification": "Team buckets log to the central access-log bucket already.", "source": f"mlplat.yaml:{line}"}]}
    (waiver,) = load_suppressions(tmp_path)
    assert (waiver.check_id, waiver.stack, waiver.source, waiver.expires.isoformat()) == (
        "CKV_AWS_18", "acme-churn-*", f"mlplat.yaml:{line}", "2027-01-31")
