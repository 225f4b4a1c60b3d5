"""Translation of Terraform failures into actionable messages."""

from __future__ import annotations

from mlplat.terraform.errors import (
    Diagnostic,
    ProviderInstallError,
    StackFailedError,
    TerraformCrashedError,
    crashed,
    error_for,
    explain,
)

REGISTRY_DOWN = Diagnostic(
    "error",
    "Failed to query available provider packages",
    "Could not retrieve the list of available versions for provider hashicorp/aws: could not "
    "connect to registry.terraform.io: failed to request discovery document: dial tcp: lookup "
    "registry.terraform.io: no such host",
)


def test_registry_unreachable_names_the_stack_and_both_fixes() -> None:
    failure = explain("ml-dev", "init", [REGISTRY_DOWN], working_directory="/out/stacks/ml-dev")
    assert failure.kind == "provider_registry_unreachable"
    assert failure.message.startswith("stack 'ml-dev': terraform init failed: could not install provider hashicorp/aws")
    assert "`terraform providers mirror DIR` in /out/stacks/ml-dev" in failure.message
    assert 'filesystem_mirror { path = "DIR" }' in failure.message
    assert "TF_CLI_CONFIG_FILE" in failure.message and "TF_PLUGIN_CACHE_DIR" in failure.message
    assert "mlplat never fakes a plan" in failure.message
    assert "could not connect to registry.terraform.io" in failure.original
    err = error_for(failure)
    assert isinstance(err, ProviderInstallError) and err.stack == "ml-dev" and str(err) == failure.message


def test_provider_missing_from_the_mirror_is_told_apart() -> None:
    diag = Diagnostic(
        "error",
        "Failed to query available provider packages",
        "Could not retrieve the list of available versions for provider hashicorp/aws: provider "
        "registry.terraform.io/hashicorp/aws was not found in any of the search locations\n\n- /mirror",
    )
    failure = explain("ml-dev", "init", [diag])
    assert failure.kind == "provider_not_in_mirror"
    assert "is not in the configured provider mirror" in failure.message
    assert "provider hashicorp/aws is not in" in failure.message


def test_other_known_failures_get_their_fix() -> None:
    cases = {
        "upstream_state_missing": Diagnostic(
            "error", "Unable to find remote state", "No stored state was found", "data.terraform_remote_state.x"
        ),
        "state_bucket_missing": Diagnostic(
            "error", "Failed to get existing workspaces", 'S3 bucket "tf-state" does not exist.'
        ),
        "state_locked": Diagnostic("error", "Error acquiring the state lock", "Lock Info:\n  ID: 1234"),
        "backend_changed": Diagnostic("error", "Backend configuration changed", "..."),
        "aws_credentials": Diagnostic(
            "error", "No valid credential sources found", "Please see the provider documentation"
        ),
    }
    for kind, diag in cases.items():
        failure = explain("s", "plan", [diag])
        assert failure.kind == kind, (kind, failure.message)
        assert diag.summary in failure.original
        assert isinstance(error_for(failure), StackFailedError)
    assert "force-unlock" in explain("s", "plan", [cases["state_locked"]]).message


def test_unknown_failures_keep_terraforms_first_line_and_all_text() -> None:
    diags = [
        Diagnostic("warning", "Deprecated attribute", "old"),
        Diagnostic("error", "Invalid function argument", "bad value", "terraform_data.x"),
    ]
    failure = explain("s", "plan", diags, stderr="extra stderr text")
    assert failure.kind == "terraform"
    assert failure.message == "stack 's': terraform plan failed: Invalid function argument"
    assert "with terraform_data.x" in failure.original and "extra stderr text" in failure.original
    assert "Deprecated attribute" not in failure.original


def test_plain_stderr_without_diagnostics_is_kept() -> None:
    failure = explain("s", "init", [], stderr="Error: something odd\n")
    assert failure.message == "stack 's': terraform init failed: Error: something odd"
    assert failure.original == "Error: something odd"


def test_crash_is_its_own_error() -> None:
    failure = crashed("s", "apply", "panic: boom\n")
    assert failure.kind == "terraform_crashed" and failure.original == "panic: boom"
    assert isinstance(error_for(failure), TerraformCrashedError)
