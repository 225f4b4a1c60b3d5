"""``mlplat bootstrap SPEC``: the S3 bucket that holds the stacks' Terraform state, made to standard.

The s3 backend needs its bucket before the first ``terraform init``; it cannot be a stack of its
own (that stack would need a bucket for its state). The bucket is created once with boto3, and
every run brings it back to the standard, changing only what differs:

* versioning enabled (a state overwritten by mistake can be recovered);
* default encryption with KMS (the spec's ``state.kms_key_id``, else the AWS managed key for S3),
  with an S3 bucket key;
* all four public access blocks on, and object ownership enforced by the bucket owner (no ACLs);
* a bucket policy statement denying any request not made over TLS (added beside the statements a
  policy already has).

Credentials are boto3's usual chain (AWS_PROFILE, environment, SSO); with ``state.role_arn`` that
role is assumed first, as Terraform's backend does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from mlplat.terraform.errors import TerraformRunError

TLS_STATEMENT_ID = "DenyInsecureTransport"
StepState = Literal["created", "set", "unchanged"]


class BootstrapError(TerraformRunError):
    """The state bucket could not be created or checked."""


@dataclass(frozen=True)
class BootstrapStep:
    setting: str
    state: StepState
    detail: str


@dataclass
class BootstrapReport:
    backend: str
    bucket: str | None = None
    region: str | None = None
    steps: list[BootstrapStep] = field(default_factory=list)
    message: str = ""

    @property
    def changed(self) -> bool:
        return any(step.state != "unchanged" for step in self.steps)


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def tls_only_statement(bucket: str, region: str) -> dict[str, Any]:
    arn = f"arn:{partition(region)}:s3:::{bucket}"
    return {
        "Sid": TLS_STATEMENT_ID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def session_for(state: Any, timeout: float | None = None) -> Any:
    """A boto3 session with the credentials Terraform's backend would use (assuming ``state.role_arn``)."""
    import boto3

    session = boto3.session.Session()
    if getattr(state, "role_arn", None):
        sts = session.client("sts", region_name=state.region, config=client_config(timeout))
        credentials = sts.assume_role(RoleArn=state.role_arn, RoleSessionName="mlplat-bootstrap")["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    return session


def client_config(timeout: float | None = None, path_style: bool = False) -> Any:
    from botocore.config import Config

    options: dict[str, Any] = {}
    if timeout is not None:
        options.update(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1, "mode": "standard"})
    if path_style:
        options["s3"] = {"addressing_style": "path"}
    return Config(**options)


def s3_client(state: Any, session: Any, timeout: float | None = None) -> Any:
    return session.client("s3", region_name=state.region, endpoint_url=state.endpoint or None,
                          config=client_config(timeout, bool(state.use_path_style)))


def _code(error: Any) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def bootstrap_state_bucket(state: Any) -> BootstrapReport:
    """Create the state bucket of ``state`` (the spec's resolved ``state``) or bring it to standard."""
    if state.backend != "s3":
        where = "local files (OUT/state)" if state.backend == "local" else "Terraform Cloud workspaces"
        return BootstrapReport(state.backend, message=f"state is kept in {where}: there is no bucket to create")
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:  # boto3 is a dependency of mlplat; a broken install
        raise BootstrapError(f"boto3 is not installed ({exc}); reinstall mlplat") from exc
    report = BootstrapReport("s3", state.bucket, state.region)
    try:
        s3 = s3_client(state, session_for(state))
        _bucket(s3, state, report)
        _versioning(s3, state, report)
        _encryption(s3, state, report)
        _public_access(s3, state, report)
        _policy(s3, state, report)
    except ClientError as exc:
        raise BootstrapError(f"state bucket {state.bucket}: {exc}") from exc
    except BotoCoreError as exc:
        raise BootstrapError(
            f"state bucket {state.bucket}: {exc}. Check the AWS credentials (AWS_PROFILE and `aws sso login`, "
            "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the network; `mlplat doctor SPEC` checks both"
        ) from exc
    return report


def _bucket(s3: Any, state: Any, report: BootstrapReport) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=state.bucket)
        report.steps.append(BootstrapStep("bucket", "unchanged", f"{state.bucket} exists"))
        return
    except ClientError as exc:
        if _code(exc) in ("403", "AccessDenied", "Forbidden"):
            raise BootstrapError(
                f"state bucket {state.bucket} exists but these credentials may not use it (it belongs to another "
                "account, or the role lacks s3 permissions); choose another state.bucket or other credentials"
            ) from exc
        if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    options: dict[str, Any] = {"Bucket": state.bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if state.region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": state.region}
    try:
        s3.create_bucket(**options)
    except ClientError as exc:
        if _code(exc) != "BucketAlreadyOwnedByYou":
            raise
    report.steps.append(BootstrapStep("bucket", "created", f"{state.bucket} in {state.region}"))


def _versioning(s3: Any, state: Any, report: BootstrapReport) -> None:
    if s3.get_bucket_versioning(Bucket=state.bucket).get("Status") == "Enabled":
        report.steps.append(BootstrapStep("versioning", "unchanged", "enabled"))
        return
    s3.put_bucket_versioning(Bucket=state.bucket, VersioningConfiguration={"Status": "Enabled"})
    report.steps.append(BootstrapStep("versioning", "set", "enabled"))


def _encryption(s3: Any, state: Any, report: BootstrapReport) -> None:
    from botocore.exceptions import ClientError

    wanted: dict[str, Any] = {"SSEAlgorithm": "aws:kms"}
    if state.kms_key_id:
        wanted["KMSMasterKeyID"] = state.kms_key_id
    detail = f"KMS with {state.kms_key_id or 'the AWS managed key for S3'}, bucket key on"
    try:
        rules = s3.get_bucket_encryption(Bucket=state.bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    current = [r.get("ApplyServerSideEncryptionByDefault", {}) for r in rules]
    if any(c.get("SSEAlgorithm") == "aws:kms" and c.get("KMSMasterKeyID") == wanted.get("KMSMasterKeyID")
           for c in current):
        report.steps.append(BootstrapStep("encryption", "unchanged", detail))
        return
    s3.put_bucket_encryption(Bucket=state.bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": wanted, "BucketKeyEnabled": True}]})
    report.steps.append(BootstrapStep("encryption", "set", detail))


_PUBLIC_ACCESS = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                  "RestrictPublicBuckets": True}


def _public_access(s3: Any, state: Any, report: BootstrapReport) -> None:
    from botocore.exceptions import ClientError

    try:
        current = s3.get_public_access_block(Bucket=state.bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if _code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = {}
    if all(current.get(k) is True for k in _PUBLIC_ACCESS):
        report.steps.append(BootstrapStep("public access block", "unchanged", "all four blocks on"))
        return
    s3.put_public_access_block(Bucket=state.bucket, PublicAccessBlockConfiguration=dict(_PUBLIC_ACCESS))
    report.steps.append(BootstrapStep("public access block", "set", "all four blocks on"))


def _policy(s3: Any, state: Any, report: BootstrapReport) -> None:
    from botocore.exceptions import ClientError

    statement = tls_only_statement(state.bucket, state.region)
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=state.bucket)["Policy"])
    except ClientError as exc:
        if _code(exc) != "NoSuchBucketPolicy":
            raise
        policy = {"Version": "2012-10-17", "Statement": []}
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else list(statements)
    if statement in statements:
        report.steps.append(BootstrapStep("bucket policy", "unchanged", "denies requests without TLS"))
        return
    policy["Statement"] = [s for s in statements if s.get("Sid") != TLS_STATEMENT_ID] + [statement]
    s3.put_bucket_policy(Bucket=state.bucket, Policy=json.dumps(policy))
    report.steps.append(BootstrapStep("bucket policy", "set", "denies requests without TLS"))
