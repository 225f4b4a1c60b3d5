"""mlplat bootstrap (the state bucket, against the moto S3 server) and mlplat doctor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlplat import api
from mlplat.cli import app
from mlplat.terraform.doctor import diagnose

from .conftest import S3Server, _free_port

MINIMAL = (Path(__file__).parents[2] / "examples" / "minimal" / "mlplat.yaml").read_text()


def _spec(tmp_path: Path, server: S3Server, bucket: str, **state: str) -> Path:
    lines = ["state:", "  backend: s3", f"  bucket: {bucket}", "  region: eu-west-1",
             f"  endpoint: {server.endpoint}", "  use_path_style: true"]
    lines += [f"  {key}: {value}" for key, value in state.items()]
    spec = tmp_path / "mlplat.yaml"
    spec.write_text(MINIMAL + "\n" + "\n".join(lines) + "\n")
    return spec


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, moto_s3: S3Server) -> S3Server:
    """Credentials for the moto server, and STS answered by it; nothing from the machine's AWS configuration."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_s3.endpoint)
    return moto_s3


def _client(server: S3Server):
    return server.client()


def test_bootstrap_creates_the_state_bucket_to_standard_then_changes_nothing(tmp_path: Path, aws: S3Server) -> None:
    spec = _spec(tmp_path, aws, "acme-state-created")
    report = api.bootstrap(spec)
    assert [(s.setting, s.state) for s in report.steps] == [
        ("bucket", "created"), ("versioning", "set"), ("encryption", "set"), ("public access block", "set"),
        ("bucket policy", "set")]
    s3 = _client(aws)
    bucket = "acme-state-created"
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms"} and rule["BucketKeyEnabled"]
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]

    again = CliRunner().invoke(app, ["bootstrap", str(spec)])
    assert again.exit_code == 0, again.output
    assert f"state bucket s3://{bucket} (eu-west-1):" in again.stdout
    assert again.stdout.count("unchanged") == 5 and "already to standard: nothing changed" in again.stdout


def test_bootstrap_keeps_the_statements_of_an_existing_policy_and_uses_the_spec_key(tmp_path: Path, aws: S3Server) -> None:
    bucket = "acme-state-existing"
    s3 = _client(aws)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    theirs = {"Sid": "ReadForAudit", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))
    key = "arn:aws:kms:eu-west-1:111122223333:key/0f2b6c54-state"
    report = api.bootstrap(_spec(tmp_path, aws, bucket, kms_key_id=key))
    assert report.steps[0].state == "unchanged" and report.steps[2].detail.startswith(f"KMS with {key}")
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["ReadForAudit", "DenyInsecureTransport"]
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key


def test_bootstrap_has_nothing_to_create_for_local_state(tmp_path: Path) -> None:
    spec = tmp_path / "mlplat.yaml"
    spec.write_text(MINIMAL)
    result = CliRunner().invoke(app, ["bootstrap", str(spec)])
    assert result.exit_code == 0
    assert result.stdout == "state is kept in local files (OUT/state): there is no bucket to create\n"


def test_doctor_says_what_is_missing_and_how_to_fix_it(tmp_path: Path, aws: S3Server,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "plugin-cache"
    cache.mkdir()
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", str(cache))
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.terraformrc
    spec = _spec(tmp_path, aws, "acme-state-doctor")
    registry = f"http://127.0.0.1:{_free_port()}/.well-known/terraform.json"  # nothing listens: offline

    report = diagnose(api.validate(spec).state, registry=registry)
    checks = {c.name: c for c in report.checks}
    assert checks["AWS credentials"].status == "ok" and "account 123456789012" in checks["AWS credentials"].detail
    assert checks["Terraform"].status == "ok" and checks["Terraform"].detail.startswith("Terraform v1.")
    assert checks["Node.js"].status == "ok" and checks["Node.js"].detail.startswith("v")
    assert checks["providers"].status == "missing" and "the registry is unreachable" in checks["providers"].detail
    assert "terraform providers mirror DIR" in checks["providers"].fix
    assert checks["state backend"].status == "missing"
    assert checks["state backend"].fix == "create it with `mlplat bootstrap SPEC`"
    assert not report.ok

    result = CliRunner().invoke(app, ["doctor", str(spec)])
    assert result.exit_code == 1
    assert "fix state backend: create it with `mlplat bootstrap SPEC`" in result.stdout

    (cache / "registry.terraform.io" / "hashicorp" / "aws" / "6.69.1" / "linux_amd64").mkdir(parents=True)
    api.bootstrap(spec)
    report = diagnose(api.validate(spec).state, registry=registry)
    checks = {c.name: c for c in report.checks}
    assert checks["providers"].status == "ok" and f"the plugin cache {cache}" in checks["providers"].detail
    assert checks["state backend"].status == "ok" and report.ok


def test_doctor_without_credentials_or_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    report = diagnose(None, registry=f"http://127.0.0.1:{_free_port()}/")
    checks = {c.name: c for c in report.checks}
    assert (checks["AWS credentials"].status, checks["AWS credentials"].detail) == ("missing", "no AWS credentials found")
    assert "AWS_PROFILE" in checks["AWS credentials"].fix
    assert checks["state backend"].status == "skipped"
