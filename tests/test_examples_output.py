"""Properties every synthesized example holds: nothing lost on the way through the engine, no unexplained scan failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES

# blocks where an empty body is meaningful (a lifecycle rule's empty filter applies it to every object)
EMPTY_ALLOWED = {"filter"}


def _empty_blocks(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list) and any(entry == {} for entry in item) and key not in EMPTY_ALLOWED:
                yield f"{path}.{key}"
            yield from _empty_blocks(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _empty_blocks(item, f"{path}[{i}]")


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_nested_block_lost_its_arguments(example: str, synthesized) -> None:
    """A nested block given as a dict with snake_case keys reaches Terraform empty; every block must have a body."""
    out = synthesized(example)
    found = []
    for file in sorted((out / "stacks").glob("*/cdk.tf.json")):
        found += [f"{file.parent.name}{where}" for where in _empty_blocks(json.loads(file.read_text()))]
    assert found == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_scan_leaves_no_unexplained_failure(example: str, synthesized) -> None:
    from mlplat.scan import scan

    report = scan(synthesized(example))
    assert report.parsing_errors == []
    assert [f"{f.check_id} {f.stack} {f.resource}" for f in report.failed] == []
    assert report.passed_count > 300  # the scan really ran over every stack
    assert all(w.reason.strip() for w in report.waived)
    # every check the example meets has a severity of its own, and the SARIF code scanning reads is valid
    from mlplat.report import scan_sarif
    from mlplat.scan.severity import severity_table

    met = {f.check_id for f in [*report.passed, *(w.finding for w in report.waived)]}
    assert sorted(met - set(severity_table())) == []
    import jsonschema

    schema = json.loads((Path(__file__).parent / "scan" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(json.loads(scan_sarif(report, synthesized(example), Path.cwd())))


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_role_trust_policy_names_a_resource(example: str, synthesized) -> None:
    """IAM refuses a trust policy with a Resource element (MalformedPolicyDocument: Has prohibited field Resource)."""
    out = synthesized(example)
    trusts = 0
    for file in sorted((out / "stacks").glob("*/cdk.tf.json")):
        for name, role in json.loads(file.read_text()).get("resource", {}).get("aws_iam_role", {}).items():
            document = role["assume_role_policy"]
            if "${" in document and not document.lstrip().startswith("{"):
                continue  # a reference, not a literal document
            trusts += 1
            statements = json.loads(document)["Statement"]
            assert all("Resource" not in s and "NotResource" not in s for s in statements), f"{file.parent.name} {name}"
    assert trusts > 10
