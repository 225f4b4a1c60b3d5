"""Terraform over a synthesized app: the stacks of manifest.json as a graph, planned, applied and
destroyed with failure isolation, saved plans and a digest per stack.

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
    TerraformInputError,
    TerraformRunError,
    UnknownStackError,
)
from mlplat.terraform.order import Manifest, StackInfo, load_manifest, select, waves
from mlplat.terraform.program import TerraformProgram, choose
from mlplat.terraform.protect import PROTECTED_CORE_ROLES, protected_stacks
from mlplat.terraform.environment import terraform_env
from mlplat.terraform.runner import RunReport, StackEvent, StackResult, run
from mlplat.terraform.selection import PlannedStack, Selection, preview_apply, select_stacks

__all__ = [
    "DependencyCycleError",
    "Diagnostic",
    "Failure",
    "Manifest",
    "ManifestError",
    "PROTECTED_CORE_ROLES",
    "PlannedStack",
    "ProviderInstallError",
    "RunReport",
    "Selection",
    "StackEvent",
    "StackFailedError",
    "StackInfo",
    "StackResult",
    "TerraformCrashedError",
    "TerraformInputError",
    "TerraformProgram",
    "TerraformRunError",
    "UnknownStackError",
    "choose",
    "load_manifest",
    "preview_apply",
    "protected_stacks",
    "run",
    "select",
    "select_stacks",
    "terraform_env",
    "waves",
]
