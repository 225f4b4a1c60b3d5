"""Severity of a failed check, for ``mlplat scan --fail-on`` and for the reports.

checkov reports severities only with a platform key; offline, mlplat assigns its own from
``severities.yaml`` (what each level means is written there). A check not listed is MEDIUM.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")  # in increasing order
DEFAULT_SEVERITY = "MEDIUM"
SEVERITIES_FILE = Path(__file__).with_name("severities.yaml")


@cache
def severity_table() -> dict[str, str]:
    """check id -> severity, from ``severities.yaml``."""
    data = yaml.safe_load(SEVERITIES_FILE.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for level, checks in data.items():
        if level not in SEVERITIES:
            raise ValueError(f"{SEVERITIES_FILE}: unknown severity {level!r}; use {', '.join(SEVERITIES)}")
        for check_id in checks or []:
            if check_id in table:
                raise ValueError(f"{SEVERITIES_FILE}: {check_id} is listed as {table[check_id]} and {level}")
            table[check_id] = level
    return table


def severity_of(check_id: str) -> str:
    return severity_table().get(check_id, DEFAULT_SEVERITY)


def parse_severity(value: str) -> str:
    """A severity named in any case; ValueError naming the allowed ones otherwise."""
    level = value.strip().upper()
    if level not in SEVERITIES:
        raise ValueError(f"unknown severity {value!r}; use one of {', '.join(s.lower() for s in SEVERITIES)}")
    return level


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)
