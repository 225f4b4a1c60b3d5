"""Construct ids from names that may hold characters Terraform does not allow in resource names."""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNSAFE = re.compile(r"[^a-z0-9]+")


def construct_id(prefix: str, name: str) -> str:
    """``prefix-name`` in lowercase letters, digits and dashes: ``ou-workloads-ml-prod`` for ``Workloads/ML/Prod``."""
    return f"{prefix}-{_UNSAFE.sub('-', name.lower()).strip('-')}"


def unique_ids(prefix: str, names: Iterable[str], what: str) -> dict[str, str]:
    """Name -> construct id, failing when two names map to the same id (they differ only in case or punctuation)."""
    ids: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name in names:
        cid = construct_id(prefix, name)
        if cid in seen and seen[cid] != name:
            raise ValueError(f"{what} {seen[cid]!r} and {name!r} differ only in case or punctuation; rename one")
        seen[cid] = name
        ids[name] = cid
    return ids
