"""What every construct shares: the props base model and deterministic IAM policy documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict


class Props(BaseModel):
    """Base of every construct's props: typed, frozen, no unknown fields.

    Values may be Terraform tokens (strings such as another stack's bucket ARN); ``provider`` fields
    hold engine provider objects, hence arbitrary types.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class TeamRole(Props):
    """A role of a team account that other modules grant to (governed data, features)."""

    key: str  # names the role's grants in the stack (the role's own name)
    name: str  # the role's name (a reference to the role, so that grants wait for it)
    arn: str


def unique(values: Iterable[str]) -> list[str]:
    """``values`` once each, in their first order. Account ids and ARNs that another stack exports are tokens
    whose text says nothing of their value (nor of their order), so they are never sorted."""
    return list(dict.fromkeys(values))


def statement(sid: str, actions: Iterable[str], resources: Iterable[str] | str | None = "*", *, effect: str = "Allow",
              principals: Mapping[str, Any] | None = None, conditions: Mapping[str, Mapping[str, Any]] | None = None,
              not_actions: bool = False) -> dict[str, Any]:
    """One IAM policy statement with sorted, de-duplicated actions; ``resources=None`` leaves out
    ``Resource``, which a role's trust policy must not have."""
    body: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principals is not None:
        body["Principal"] = dict(principals)
    body["NotAction" if not_actions else "Action"] = sorted(set(actions))
    if resources is not None:
        body["Resource"] = resources if isinstance(resources, str) else list(resources)
    if conditions:
        body["Condition"] = {op: dict(values) for op, values in conditions.items()}
    return body


def policy_document(statements: Iterable[Mapping[str, Any]]) -> str:
    """A compact IAM policy document; the same statements always give the same bytes."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def service_trust(service: str, account_id: str, sid: str = "ServiceAssumes") -> str:
    """A trust policy: ``service`` may assume the role when acting for ``account_id`` only (confused deputy guard)."""
    return policy_document([statement(sid, ["sts:AssumeRole"], None, principals={"Service": service},
                                      conditions={"StringEquals": {"aws:SourceAccount": account_id}})])
