"""Waivers: failed checks that are accepted on purpose, each with the reason why.

A waiver names a check id and, optionally, globs on the stack name and on the Terraform resource
address (``fnmatch`` syntax, case-sensitive). It waives every failure of that check whose stack and
resource match. The reason is mandatory: it explains why the failure is acceptable in this
architecture, so a reviewer can judge it later. A waiver that matches no failure in a scan is
reported as unused, so stale waivers do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_WAIVERS = Path(__file__).with_name("waivers.yaml")
CHECK_ID_PATTERN = r"^CKV2?_[A-Za-z]+_[0-9]+$"


class WaiverError(ValueError):
    """The waivers file cannot be read or does not follow the format."""


class Waiver(BaseModel):
    """One accepted failure (or family of failures) of one check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: str = Field(
        pattern=CHECK_ID_PATTERN,
        description="Id of the waived check, e.g. CKV_AWS_18 (stock checkov) or CKV_MLP_001 (mlplat pack).",
    )
    stack: str | None = Field(
        default=None,
        min_length=1,
        description="Glob on the stack name (fnmatch syntax, e.g. 'ml-*'); omitted means every stack.",
    )
    resource: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Glob on the Terraform resource address as the scan reports it (e.g. "
            "'aws_s3_bucket.access_logs*'); omitted means every resource."
        ),
    )
    reason: str = Field(
        description="Why this failure is acceptable in this architecture; mandatory and not blank.",
    )
    expires: date | None = Field(
        default=None, description="Last day the waiver applies; after it the failure counts again.",
    )
    source: str | None = Field(
        default=None,
        description="Where the waiver is declared when it is not mlplat's own: the organization's spec "
        "('mlplat.yaml:42'), or a product template's Metadata.",
    )

    @field_validator("reason")
    @classmethod
    def _reason_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a waiver needs a reason saying why the failure is acceptable")
        return value

    def matches(self, check_id: str, stack: str, resource: str) -> bool:
        return (
            check_id == self.check_id
            and (self.stack is None or fnmatchcase(stack, self.stack))
            and (self.resource is None or fnmatchcase(resource, self.resource))
        )

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def describe(self) -> str:
        scope = [f"stack {self.stack}" if self.stack else "", f"resource {self.resource}" if self.resource else ""]
        where = ", ".join(s for s in scope if s) or "everywhere"
        return f"{self.check_id} ({where})"


class WaiverFile(BaseModel):
    """The content of a waivers YAML file."""

    model_config = ConfigDict(extra="forbid")

    waivers: list[Waiver] = Field(default_factory=list, description="The accepted failures.")

    @model_validator(mode="after")
    def _no_duplicates(self) -> "WaiverFile":
        seen: set[tuple[str, str | None, str | None]] = set()
        for waiver in self.waivers:
            key = (waiver.check_id, waiver.stack, waiver.resource)
            if key in seen:
                raise ValueError(f"duplicate waiver for {waiver.describe()}")
            seen.add(key)
        return self


def parse_waivers(data: Any, source: str = "waivers") -> list[Waiver]:
    """Validate already-loaded YAML data (``None`` for an empty file)."""
    if data is None:
        return []
    try:
        return WaiverFile.model_validate(data).waivers
    except ValidationError as exc:
        raise WaiverError(f"{source} is not a valid waivers file:\n{exc}") from exc


def load_waivers(path: Path | None = None) -> list[Waiver]:
    """Load and validate a waivers file (by default mlplat's own ``waivers.yaml``)."""
    path = DEFAULT_WAIVERS if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WaiverError(f"cannot read waivers file {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path} is not valid YAML: {exc}") from exc
    return parse_waivers(data, str(path))


class _Failure(Protocol):
    check_id: str
    stack: str
    resource: str


@dataclass(frozen=True)
class WaiverOutcome:
    """Failures split by the waivers: those still failing, those waived (with their waiver)."""

    unwaived: list[Any]
    waived: list[tuple[Any, Waiver]]
    unused: list[Waiver]
    expired: list[Waiver] = field(default_factory=list)  # past their expiry: they waive nothing


def apply_waivers(failures: Iterable[_Failure], waivers: Iterable[Waiver], today: date | None = None) -> WaiverOutcome:
    """Split ``failures``: each is waived by the first waiver (in order) that matches it.

    A waiver past its expiry date (``today`` by default the current date) waives nothing and is
    returned as expired, whether or not it would match; an unexpired one that matches nothing is unused.
    """
    today = today or date.today()
    waivers = list(waivers)
    expired = [w for w in waivers if w.expired(today)]
    live = [w for w in waivers if not w.expired(today)]
    used: set[int] = set()
    unwaived: list[Any] = []
    waived: list[tuple[Any, Waiver]] = []
    for failure in failures:
        matching = [i for i, w in enumerate(live) if w.matches(failure.check_id, failure.stack, failure.resource)]
        used.update(matching)
        if matching:
            waived.append((failure, live[matching[0]]))
        else:
            unwaived.append(failure)
    unused = [w for i, w in enumerate(live) if i not in used]
    return WaiverOutcome(unwaived, waived, unused, expired)
