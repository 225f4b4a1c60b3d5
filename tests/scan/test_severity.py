"""mlplat's severities of checks: every check of the ML policy pack has one, the table is well formed."""

from __future__ import annotations

import pytest
import yaml

from mlplat.scan.checks import CHECKS_DIR
from mlplat.scan.severity import SEVERITIES, SEVERITIES_FILE, at_or_above, parse_severity, severity_of, severity_table


def test_every_check_of_the_ml_pack_has_a_severity() -> None:
    pack = sorted(p.stem for p in CHECKS_DIR.glob("CKV_MLP_*.py"))
    assert pack and sorted(set(pack) - set(severity_table())) == []


def test_the_table_lists_each_check_once_under_a_known_level_in_order() -> None:
    data = yaml.safe_load(SEVERITIES_FILE.read_text())
    assert list(data) == list(reversed(SEVERITIES))
    for level, checks in data.items():
        assert checks == sorted(checks), level
    assert severity_of("CKV_MLP_001") == "CRITICAL" and severity_of("CKV_AWS_144") == "LOW"
    assert severity_of("CKV_AWS_99999") == "MEDIUM"  # not listed


def test_thresholds() -> None:
    assert parse_severity(" High ") == "HIGH"
    with pytest.raises(ValueError, match="use one of low, medium, high, critical"):
        parse_severity("urgent")
    assert at_or_above("CRITICAL", "HIGH") and at_or_above("HIGH", "HIGH") and not at_or_above("MEDIUM", "HIGH")
