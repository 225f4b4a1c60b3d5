"""What mlplat remembers about each stack, beside it: its saved plan and its last successful apply.

Each stack's working directory holds a ``.mlplat/`` folder (never anything inside Terraform's own
files):

* ``plan.tfplan``: the plan saved by ``mlplat plan`` (Terraform's own plan file);
* ``plan.json``: what that plan was made from and what it does: the digest of the stack's
  ``cdk.tf.json`` at plan time, Terraform's counts, whether outputs change;
* ``applied.json``: the digest of the ``cdk.tf.json`` last applied successfully, and whether that
  apply changed the stack's outputs (which the stacks reading them through remote state see);
* ``init.json``: the digest ``terraform init`` last succeeded for, and with which Terraform: the
  same bytes with the same Terraform need no second init (a run then skips it, and runs it after
  all when Terraform asks for it).

The digest is the SHA-256 of the synthesized file's bytes, computed when needed: synthesis stays
as it is, and the same spec gives the same bytes, so an unchanged stack has an unchanged digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlplat.files import write_atomic
from mlplat.terraform.order import StackInfo

RECORDS_DIR = ".mlplat"
PLAN_FILE = f"{RECORDS_DIR}/plan.tfplan"  # relative to the stack's working directory
PLAN_RECORD = "plan.json"
APPLIED_RECORD = "applied.json"
INIT_RECORD = "init.json"


def digest(info: StackInfo) -> str:
    """The SHA-256 of the stack's synthesized Terraform JSON, as ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(info.synthesized_stack_path.read_bytes()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class PlanRecord:
    """The saved plan of one stack (``status`` ``planned`` or ``unchanged``), or why there is none
    (``blocked``: its dependencies must be applied first)."""

    digest: str
    created_at: str
    status: str
    to_add: int = 0
    to_change: int = 0
    to_destroy: int = 0
    has_changes: bool = False
    outputs_change: bool = False
    terraform: str = ""


@dataclass(frozen=True)
class AppliedRecord:
    """The last successful apply of one stack."""

    digest: str
    applied_at: str
    outputs_changed: bool = False
    terraform: str = ""


def records_dir(info: StackInfo) -> Path:
    return info.working_directory / RECORDS_DIR


def plan_file(info: StackInfo) -> Path:
    return info.working_directory / PLAN_FILE


def _write_json(path: Path, document: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _load(cls: type, document: dict[str, Any] | None) -> Any:
    if document is None:
        return None
    fields = cls.__dataclass_fields__
    try:
        return cls(**{k: v for k, v in document.items() if k in fields})
    except TypeError:  # a record missing a required field: as if there were none
        return None


def read_plan(info: StackInfo) -> PlanRecord | None:
    """The record of the stack's saved plan; ``None`` when there is none (or its plan file is gone)."""
    record: PlanRecord | None = _load(PlanRecord, _read_json(records_dir(info) / PLAN_RECORD))
    if record is not None and record.status != "blocked" and not plan_file(info).is_file():
        return None
    return record


def write_plan(info: StackInfo, record: PlanRecord) -> None:
    _write_json(records_dir(info) / PLAN_RECORD, asdict(record))


def forget_plan(info: StackInfo) -> None:
    """Remove the saved plan and its record (applied, superseded or failed)."""
    for path in (records_dir(info) / PLAN_RECORD, plan_file(info)):
        path.unlink(missing_ok=True)


def read_applied(info: StackInfo) -> AppliedRecord | None:
    return _load(AppliedRecord, _read_json(records_dir(info) / APPLIED_RECORD))


def write_applied(info: StackInfo, record: AppliedRecord) -> None:
    _write_json(records_dir(info) / APPLIED_RECORD, asdict(record))


def forget_applied(info: StackInfo) -> None:
    (records_dir(info) / APPLIED_RECORD).unlink(missing_ok=True)


def changed_since_applied(info: StackInfo) -> bool:
    """True when the stack was never applied successfully, or its Terraform JSON changed since."""
    applied = read_applied(info)
    return applied is None or applied.digest != digest(info)


def initialized(info: StackInfo, stack_digest: str, terraform: str) -> bool:
    """Whether ``terraform init`` already succeeded for exactly this configuration with this Terraform."""
    record = _read_json(records_dir(info) / INIT_RECORD) or {}
    return record.get("digest") == stack_digest and record.get("terraform") == terraform


def write_init(info: StackInfo, stack_digest: str, terraform: str) -> None:
    _write_json(records_dir(info) / INIT_RECORD, {"digest": stack_digest, "terraform": terraform, "at": now()})


def forget_init(info: StackInfo) -> None:
    (records_dir(info) / INIT_RECORD).unlink(missing_ok=True)
