"""``mlplat terraform STACK -- ARGS``: any Terraform command in one stack's working directory.

For what plan and apply do not cover (``state list``, ``import``, ``force-unlock LOCK_ID -force``,
``output``), with the environment mlplat runs Terraform with (its CLI configuration, the shared
plugin cache) and the chosen Terraform. The output goes straight to the caller's terminal.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from mlplat.terraform.errors import TerraformInputError
from mlplat.terraform.order import load_manifest, select
from mlplat.terraform.program import choose
from mlplat.terraform.environment import terraform_env


def run_in_stack(out_dir: Path, stack: str, args: list[str], terraform: str | None = None) -> int:
    """Run Terraform with ``args`` in ``stack``'s working directory; its exit code."""
    manifest = load_manifest(Path(out_dir))
    names = select(manifest, [stack])
    if len(names) != 1:
        raise TerraformInputError(f"{stack!r} matches {len(names)} stacks ({', '.join(names)}); name one")
    name = names[0]
    program = choose(terraform)
    with tempfile.TemporaryDirectory(prefix="mlplat-tf-") as tmp:
        env = terraform_env(Path(tmp))
        done = subprocess.run(program.command(args or ["--help"]), cwd=manifest.stacks[name].working_directory,
                              env=env, check=False)
    return done.returncode
