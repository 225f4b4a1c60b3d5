"""Terraform over a synthesized app: stack order from manifest.json, then init/plan/apply per stack.

``run(out_dir, "plan" | "apply" | "destroy")`` is the entry point; see :mod:`mlplat.terraform.runner`.
"""

from mlplat.terraform.errors import (
    DependencyCycleError,
    Diagnostic,
    Failure,
    ManifestError,
    ProviderInstallError,
    StackFailedError,
    TerraformCrashedError,
    TerraformRunError,
    UnknownStackError,
)
from mlplat.terraform.order import Manifest, StackInfo, load_manifest, waves
from mlplat.terraform.runner import RunReport, StackEvent, StackResult, run, terraform_env

__all__ = [
    "DependencyCycleError",
    "Diagnostic",
    "Failure",
    "Manifest",
    "ManifestError",
    "ProviderInstallError",
    "RunReport",
    "StackEvent",
    "StackFailedError",
    "StackInfo",
    "StackResult",
    "TerraformCrashedError",
    "TerraformRunError",
    "UnknownStackError",
    "load_manifest",
    "run",
    "terraform_env",
    "waves",
]
