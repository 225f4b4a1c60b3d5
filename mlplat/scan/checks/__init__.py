"""The mlplat ML policy pack: custom checkov checks for the synthesized Terraform JSON.

Conventions (the tests enforce them):

* One check per file. The check id, the file name and the class name are the same string, for
  example ``CKV_MLP_001`` in ``CKV_MLP_001.py`` defining ``class CKV_MLP_001``. Ids follow
  checkov's ``CKV_<PACK>_<NUMBER>`` form with pack ``MLP`` and a three-digit number; numbers are
  never reused.
* Each check subclasses checkov's ``BaseResourceCheck``, which registers it for the ``terraform``
  framework; checkov's ``terraform_json`` framework runs the same resource checks on
  ``cdk.tf.json`` files, so mlplat scans with ``--framework terraform_json``.
* Each file ends with ``check = CKV_MLP_NNN()`` (checkov loads the files by path and registers
  the instance), imports only checkov and the standard library (files are loaded one by one, not
  as a package), and has a class docstring saying what is wrong and what good looks like. The
  ``guideline`` is a link to the AWS documentation.
* Values that are Terraform expressions (``${...}``) are not known before apply: a check returns
  ``UNKNOWN`` for them rather than guessing.

checkov loads this directory with ``--external-checks-dir``; it skips this ``__init__.py``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

CHECKS_DIR = Path(__file__).parent
CHECK_ID_RE = re.compile(r"^CKV_MLP_[0-9]{3}$")


def check_files() -> list[Path]:
    """The check files of the pack, sorted by id."""
    return sorted(p for p in CHECKS_DIR.glob("*.py") if p.name != "__init__.py")


def load_checks() -> dict[str, Any]:
    """Import every check of the pack (this imports checkov) and return them by id."""
    checks: dict[str, Any] = {}
    for path in check_files():
        module = importlib.import_module(f"{__name__}.{path.stem}")
        checks[path.stem] = module.check
    return checks
