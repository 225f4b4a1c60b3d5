"""Terraform failures translated into messages a platform engineer can act on.

Terraform's own text is always kept next to the translation (``Failure.original``), so nothing
Terraform said is lost; the translation only adds what to do about it.

The most common failure on a locked-down machine is provider installation: ``terraform init``
cannot reach the provider registry. mlplat does not work around that (it never fakes a plan); it
says which stack failed and how to make providers available offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

FailureKind = Literal[
    "provider_registry_unreachable",
    "provider_not_in_mirror",
    "upstream_state_missing",
    "state_bucket_missing",
    "state_locked",
    "backend_changed",
    "aws_credentials",
    "stale_plan",
    "stack_changed",
    "terraform_crashed",
    "terraform",
]


class TerraformRunError(RuntimeError):
    """Base class of the errors this package raises."""


class ManifestError(TerraformRunError):
    """manifest.json is missing, unreadable or inconsistent."""


class UnknownStackError(ManifestError):
    """A stack was selected by a name that the manifest does not know."""

    def __init__(self, unknown: Iterable[str], known: Iterable[str]) -> None:
        self.unknown = sorted(set(unknown))
        self.known = sorted(set(known))
        names = ", ".join(self.unknown)
        known_text = ", ".join(self.known) or "(none)"
        plural = "s" if len(self.unknown) > 1 else ""
        if any(c in name for name in self.unknown for c in "*?["):
            super().__init__(f"no stack matches {names}; known stacks: {known_text}")
        else:
            super().__init__(f"unknown stack{plural}: {names}; known stacks: {known_text}")


class TerraformInputError(TerraformRunError):
    """The run cannot start as asked (a Terraform program that does not exist, nothing left to
    destroy, ...): bad input, not a failed run."""


class DependencyCycleError(ManifestError):
    """The stacks' dependencies form a cycle, so no deployment order exists."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(
            "stack dependencies form a cycle: "
            + " -> ".join(cycle)
            + "; a stack cannot read outputs of a stack that (indirectly) reads its own"
        )


@dataclass(frozen=True)
class Diagnostic:
    """One diagnostic as Terraform reported it (from its ``-json`` output or its plain text)."""

    severity: str
    summary: str
    detail: str = ""
    address: str | None = None
    snippet: str | None = None

    def text(self) -> str:
        head = f"{self.severity.capitalize()}: {self.summary}"
        parts = [head]
        if self.address:
            parts.append(f"  with {self.address}")
        if self.detail:
            parts.append(self.detail)
        return "\n\n".join(parts)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "Diagnostic":
        diag = event.get("diagnostic") or {}
        snippet = diag.get("snippet") or {}
        code = snippet.get("code") if isinstance(snippet, dict) else None
        return cls(
            severity=str(diag.get("severity") or event.get("@level") or "error"),
            summary=str(diag.get("summary") or event.get("@message") or ""),
            detail=str(diag.get("detail") or ""),
            address=diag.get("address"),
            snippet=code,
        )


@dataclass(frozen=True)
class Failure:
    """Why a stack failed: an actionable ``message`` plus Terraform's ``original`` text."""

    kind: FailureKind
    stack: str
    phase: str
    message: str
    original: str
    diagnostics: tuple[Diagnostic, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return self.message


class StackFailedError(TerraformRunError):
    """A stack failed; ``failure`` holds the translated message and Terraform's own text."""

    def __init__(self, failure: Failure) -> None:
        self.failure = failure
        super().__init__(failure.message)

    @property
    def stack(self) -> str:
        return self.failure.stack

    @property
    def original(self) -> str:
        return self.failure.original


class ProviderInstallError(StackFailedError):
    """``terraform init`` could not install a provider (registry unreachable, mirror incomplete)."""


class TerraformCrashedError(StackFailedError):
    """The Terraform library itself died (no exit code, no diagnostics)."""


_PROVIDER_SUMMARIES = (
    "failed to query available provider packages",
    "failed to install provider",
    "failed to install provider from shared cache",
    "failed to resolve provider packages",
    "failed to read any lock file",
)
_NETWORK_MARKERS = (
    "could not connect to registry",
    "failed to request discovery document",
    "dial tcp",
    "no such host",
    "i/o timeout",
    "connection refused",
    "network is unreachable",
    "tls handshake timeout",
    "context deadline exceeded",
)
_MIRROR_MARKERS = (
    "was not found in any of the search locations",
    "filesystem mirror",
    "network mirror",
    "does not match any of the checksums",
)
_PROVIDER_RE = re.compile(r"provider ((?:[\w.-]+/)?[\w.-]+/[\w.-]+)")


def _provider_fix(where: str, provider: str) -> str:
    short = provider.split("/", 1)[1] if provider.count("/") == 2 else provider
    return (
        "Make the provider available without the registry, in either of two ways:\n"
        f"  1. A provider mirror: on a machine that reaches the registry, run "
        f"`terraform providers mirror DIR` in {where} (or any configuration needing {short}), "
        "copy DIR here, and name it in a Terraform CLI configuration file selected with "
        "TF_CLI_CONFIG_FILE:\n"
        "       provider_installation {\n"
        '         filesystem_mirror { path = "DIR" }\n'
        "       }\n"
        f"  2. A plugin cache: set TF_PLUGIN_CACHE_DIR to a directory already holding {short} "
        "for this platform (filled by a `terraform init` run on a machine with registry access).\n"
        "mlplat never fakes a plan: until Terraform can load the provider, this stack cannot be "
        "planned or applied."
    )


def _contains(text: str, markers: Iterable[str]) -> bool:
    low = text.lower()
    return any(m in low for m in markers)


def _all_text(diagnostics: Iterable[Diagnostic], stderr: str) -> str:
    texts = [d.text() for d in diagnostics]
    if stderr.strip():
        texts.append(stderr.strip())
    return "\n\n".join(texts)


def _reads_remote_state(diag: Diagnostic) -> bool:
    blob = " ".join(filter(None, [diag.detail, diag.snippet, diag.address]))
    return "terraform_remote_state" in blob or "cross-stack-output" in blob


def explain(
    stack: str,
    phase: str,
    diagnostics: Iterable[Diagnostic] = (),
    stderr: str = "",
    *,
    working_directory: str | None = None,
) -> Failure:
    """Turn Terraform's diagnostics/stderr for a failed ``phase`` of ``stack`` into a Failure."""
    diags = tuple(d for d in diagnostics if d.severity == "error") or tuple(diagnostics)
    original = _all_text(diags, stderr) or f"terraform {phase} failed without any message"
    where = working_directory or f"stacks/{stack}"
    prefix = f"stack {stack!r}: terraform {phase} failed"

    for diag in diags:
        summary = diag.summary.lower()
        body = f"{diag.summary}\n{diag.detail}"
        if summary.startswith(_PROVIDER_SUMMARIES) or (
            phase == "init" and "provider" in summary and _contains(body, _NETWORK_MARKERS)
        ):
            match = _PROVIDER_RE.search(diag.detail) or _PROVIDER_RE.search(diag.summary)
            provider = match.group(1).rstrip(":.") if match else "the required providers"
            if _contains(body, _MIRROR_MARKERS) and not _contains(body, ("could not connect",)):
                return Failure(
                    "provider_not_in_mirror",
                    stack,
                    phase,
                    f"{prefix}: provider {provider} is not in the configured provider mirror or "
                    "plugin cache (or its checksum does not match the lock).\n"
                    + _provider_fix(where, provider),
                    original,
                    diags,
                )
            if _contains(body, _NETWORK_MARKERS):
                return Failure(
                    "provider_registry_unreachable",
                    stack,
                    phase,
                    f"{prefix}: could not install provider {provider} because the provider "
                    "registry is unreachable from this machine.\n" + _provider_fix(where, provider),
                    original,
                    diags,
                )
        if "unable to find remote state" in summary or (
            summary == "unsupported attribute" and _reads_remote_state(diag)
        ):
            return Failure(
                "upstream_state_missing",
                stack,
                phase,
                f"{prefix}: it reads outputs of another stack through remote state "
                f"({diag.address or 'terraform_remote_state'}), and that stack has not been "
                "applied with those outputs yet. Apply the stacks it depends on first "
                "(mlplat applies stacks in dependency order).",
                original,
                diags,
            )
        if "s3 bucket" in body.lower() and "does not exist" in body.lower():
            return Failure(
                "state_bucket_missing",
                stack,
                phase,
                f"{prefix}: the S3 bucket that holds its Terraform state does not exist. "
                "Create the state bucket (the bootstrap step) or fix the backend's bucket name "
                "and region.",
                original,
                diags,
            )
        if summary == "saved plan is stale":
            return Failure(
                "stale_plan",
                stack,
                phase,
                f"{prefix}: its saved plan is stale: the stack's state changed after the plan was "
                "made (another apply ran). Plan again (`mlplat plan`), review, then apply.",
                original,
                diags,
            )
        if "error acquiring the state lock" in summary or "state lock" in summary:
            return Failure(
                "state_locked",
                stack,
                phase,
                f"{prefix}: its state is locked by another Terraform run. Wait for that run to "
                f"finish; if it died, remove the lock with `terraform force-unlock LOCK_ID` in "
                f"{where} (the lock ID is in Terraform's message below).",
                original,
                diags,
            )
        if "backend configuration changed" in summary or "backend initialization required" in summary:
            return Failure(
                "backend_changed",
                stack,
                phase,
                f"{prefix}: its backend configuration differs from the one {where} was "
                "initialised with. Run `terraform init -migrate-state` there to move the state, "
                "or `terraform init -reconfigure` if the state is already in the new backend.",
                original,
                diags,
            )
        if _contains(body, ("no valid credential sources", "invalidclienttokenid", "expiredtoken")):
            return Failure(
                "aws_credentials",
                stack,
                phase,
                f"{prefix}: no valid AWS credentials. Set AWS_PROFILE (and `aws sso login`) or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the account this stack targets.",
                original,
                diags,
            )

    first = diags[0].summary if diags else (stderr.strip().splitlines() or ["no message"])[0]
    return Failure("terraform", stack, phase, f"{prefix}: {first}", original, diags)


def stack_changed(stack: str, planned_at: str, working_directory: str) -> Failure:
    """The stack's Terraform JSON is not the one its saved plan was made from."""
    message = (
        f"stack {stack!r}: refusing to apply its saved plan: the stack changed after it was planned "
        f"(at {planned_at}; {working_directory}/cdk.tf.json differs from the planned one). "
        "Plan again (`mlplat plan`), review, then apply."
    )
    return Failure("stack_changed", stack, "apply", message, message)


def crashed(stack: str, phase: str, detail: str) -> Failure:
    """The Terraform library's worker process died without reporting a result."""
    return Failure(
        "terraform_crashed",
        stack,
        phase,
        f"stack {stack!r}: Terraform crashed during {phase}; its own output follows.",
        detail.strip() or "(no output)",
    )


def error_for(failure: Failure) -> StackFailedError:
    """The exception to raise for a failure."""
    if failure.kind in ("provider_registry_unreachable", "provider_not_in_mirror"):
        return ProviderInstallError(failure)
    if failure.kind == "terraform_crashed":
        return TerraformCrashedError(failure)
    return StackFailedError(failure)
