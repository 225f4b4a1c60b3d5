"""Waivers: format, validation and matching."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from mlplat.scan import Waiver, WaiverError, apply_waivers, load_waivers, parse_waivers
from mlplat.scan.waivers import DEFAULT_WAIVERS, WaiverFile


@dataclass(frozen=True)
class F:
    stack: str
    resource: str
    check_id: str


def test_packaged_waivers_are_valid_scoped_and_explained() -> None:
    waivers = load_waivers()
    assert waivers == load_waivers(DEFAULT_WAIVERS)
    text = DEFAULT_WAIVERS.read_text()
    assert text.lstrip().startswith("#")
    assert len(yaml.safe_load(text)["waivers"]) == len(waivers) > 0
    for waiver in waivers:
        assert waiver.resource, f"{waiver.check_id} must name the resources it waives"
        assert len(waiver.reason.split()) >= 12, f"{waiver.check_id} needs a reason that explains itself"


def test_waivers_load_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "waivers:\n"
        "  - check_id: CKV_AWS_18\n"
        "    stack: 'ml-*'\n"
        "    resource: aws_s3_bucket.access_logs*\n"
        "    reason: >-\n"
        "      The access-log bucket cannot log to itself.\n"
        "  - check_id: CKV2_AWS_62\n"
        "    reason: Event notifications are not used in this architecture.\n"
    )
    first, second = load_waivers(path)
    assert first == Waiver(
        check_id="CKV_AWS_18",
        stack="ml-*",
        resource="aws_s3_bucket.access_logs*",
        reason="The access-log bucket cannot log to itself.",
    )
    assert (second.stack, second.resource) == (None, None)
    assert load_waivers(tmp_path / "w.yaml") == [first, second]
    (tmp_path / "empty.yaml").write_text("# only a comment\n")
    assert load_waivers(tmp_path / "empty.yaml") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"waivers": [{"check_id": "CKV_AWS_18"}]}, "reason"),
        ({"waivers": [{"check_id": "CKV_AWS_18", "reason": "   "}]}, "needs a reason"),
        ({"waivers": [{"check_id": "AWS_18", "reason": "r"}]}, "check_id"),
        ({"waivers": [{"check_id": "CKV_AWS_18", "reason": "r", "resources": "x"}]}, "Extra inputs"),
        ({"waivers": [{"check_id": "CKV_AWS_18", "reason": "r", "stack": ""}]}, "stack"),
        ({"waiver": []}, "Extra inputs"),
        ([{"check_id": "CKV_AWS_18", "reason": "r"}], "valid dictionary"),
        (
            {"waivers": [{"check_id": "CKV_AWS_18", "reason": "a"}, {"check_id": "CKV_AWS_18", "reason": "b"}]},
            "duplicate waiver for CKV_AWS_18 \\(everywhere\\)",
        ),
    ],
)
def test_fails_on_an_invalid_waiver(data: object, message: str) -> None:
    with pytest.raises(WaiverError, match=message):
        parse_waivers(data, "test.yaml")


def test_fails_on_unreadable_or_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(WaiverError, match="cannot read waivers file"):
        load_waivers(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("waivers: [\n")
    with pytest.raises(WaiverError, match="not valid YAML"):
        load_waivers(tmp_path / "bad.yaml")


def test_fields_are_described_for_the_schema() -> None:
    schema = WaiverFile.model_json_schema()
    fields = schema["$defs"]["Waiver"]["properties"]
    assert set(fields) == {"check_id", "stack", "resource", "reason", "expires", "source"}
    assert all(f.get("description") for f in fields.values())
    assert schema["$defs"]["Waiver"]["required"] == ["check_id", "reason"]


def test_matching_by_check_stack_and_resource_globs() -> None:
    failures = [
        F("ml-dev", "aws_s3_bucket.access_logs", "CKV_AWS_18"),
        F("ml-prod", "aws_s3_bucket.access_logs_eu", "CKV_AWS_18"),
        F("shared", "aws_s3_bucket.access_logs", "CKV_AWS_18"),
        F("ml-dev", "aws_s3_bucket.data", "CKV_AWS_18"),
        F("ml-dev", "aws_s3_bucket.data", "CKV_AWS_21"),
    ]
    logs = Waiver(check_id="CKV_AWS_18", stack="ml-*", resource="aws_s3_bucket.access_logs*", reason="r1")
    everywhere = Waiver(check_id="CKV_AWS_21", reason="r2")
    stale = Waiver(check_id="CKV_AWS_145", stack="ml-dev", reason="r3")
    outcome = apply_waivers(failures, [logs, everywhere, stale])
    assert outcome.unwaived == [failures[2], failures[3]]
    assert outcome.waived == [(failures[0], logs), (failures[1], logs), (failures[4], everywhere)]
    assert outcome.unused == [stale]


def test_first_matching_waiver_wins_and_all_matching_count_as_used() -> None:
    failure = F("ml-dev", "aws_s3_bucket.x", "CKV_AWS_18")
    narrow = Waiver(check_id="CKV_AWS_18", resource="aws_s3_bucket.x", reason="narrow")
    broad = Waiver(check_id="CKV_AWS_18", reason="broad")
    outcome = apply_waivers([failure], [narrow, broad])
    assert outcome.waived == [(failure, narrow)] and outcome.unused == []


def test_globs_are_case_sensitive() -> None:
    waiver = Waiver(check_id="CKV_AWS_18", stack="ML-*", reason="r")
    assert not waiver.matches("CKV_AWS_18", "ml-dev", "aws_s3_bucket.x")
    assert waiver.matches("CKV_AWS_18", "ML-dev", "aws_s3_bucket.x")


def test_an_expired_waiver_waives_nothing_and_is_reported_apart_from_the_unused() -> None:
    from datetime import date

    failure = F("acme-churn-dev", "aws_s3_bucket.data", "CKV_AWS_18")
    until = Waiver(check_id="CKV_AWS_18", reason="Logged centrally until the migration.", expires=date(2027, 1, 31),
                   source="mlplat.yaml:40")
    unused = Waiver(check_id="CKV_AWS_21", reason="Matches nothing here.")
    on_the_day = apply_waivers([failure], [until, unused], today=date(2027, 1, 31))
    assert on_the_day.waived == [(failure, until)] and on_the_day.expired == [] and on_the_day.unused == [unused]
    after = apply_waivers([failure], [until, unused], today=date(2027, 2, 1))
    assert after.unwaived == [failure] and after.waived == [] and after.expired == [until] and after.unused == [unused]


def test_a_damaged_suppressions_file_is_bad_input(tmp_path: Path) -> None:
    from mlplat.scan.runner import load_suppressions

    assert load_suppressions(tmp_path) == []
    (tmp_path / "scan-suppressions.json").write_text('{"suppressions": [{"check_id": "CKV_AWS_18"}]}')
    with pytest.raises(WaiverError, match="not a suppressions file written by mlplat synth"):
        load_suppressions(tmp_path)
