"""Which stacks a run covers: --stack names and globs, --with-dependencies, --changed, protected stacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplat.terraform import (
    TerraformInputError,
    UnknownStackError,
    load_manifest,
    protected_stacks,
    select,
    select_stacks,
)
from mlplat.terraform import records

from .test_order import DIAMOND, _write

ORG = {
    "acme-organization": [],
    "acme-log-archive": ["acme-organization"],
    "acme-security-tooling": ["acme-organization", "acme-log-archive"],
    "acme-network": ["acme-organization"],
    "acme-churn-dev": ["acme-organization", "acme-network"],
    "acme-churn-prod": ["acme-organization", "acme-network", "acme-churn-dev"],
}


def test_globs_and_names_select_stacks_sorted(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    assert select(manifest) == ["dev", "net", "org", "prod", "shared"]
    assert select(manifest, ["*o*", "net"]) == ["net", "org", "prod"]
    assert select(manifest, ["d?v"]) == ["dev"]


def test_with_dependencies_adds_what_they_need_and_dependents_what_needs_them(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    assert select(manifest, ["dev"], with_dependencies=True) == ["dev", "net", "org", "shared"]
    assert select(manifest, ["net"], with_dependents=True) == ["dev", "net", "prod", "shared"]


def test_fails_for_a_glob_that_matches_nothing_listing_the_known_stacks(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, DIAMOND))
    with pytest.raises(UnknownStackError) as caught:
        select(manifest, ["dev", "staging-*"])
    assert str(caught.value) == "no stack matches staging-*; known stacks: dev, net, org, prod, shared"


def test_protected_stacks_follow_the_naming_of_the_organization(tmp_path: Path) -> None:
    manifest = load_manifest(_write(tmp_path, ORG))
    assert protected_stacks(manifest) == {
        "acme-log-archive": "the log archive account's stack",
        "acme-organization": "the organization stack",
        "acme-security-tooling": "the security tooling account's stack",
    }


def test_a_renamed_core_account_is_still_protected(tmp_path: Path) -> None:
    renamed = {("central-logs" if name == "acme-log-archive" else name): [
        "central-logs" if d == "acme-log-archive" else d for d in deps] for name, deps in ORG.items()}
    out = _write(tmp_path, renamed)
    accounts = {f"organization_account-{key}_0": {"//": {"metadata": {"path": f"acme-organization/organization/account-{key}"}},
                                                  "name": name}
                for key, name in (("log-archive", "central-logs"), ("network", "acme-network"))}
    (out / "stacks" / "acme-organization" / "cdk.tf.json").write_text(
        json.dumps({"resource": {"aws_organizations_account": accounts}}))
    assert sorted(protected_stacks(load_manifest(out))) == ["acme-organization", "acme-security-tooling", "central-logs"]


def test_destroy_keeps_the_protected_stacks_and_what_they_depend_on_unless_named(tmp_path: Path) -> None:
    out = _write(tmp_path, ORG)
    everything = select_stacks(out, "destroy")
    assert everything.stacks == ["acme-churn-prod", "acme-churn-dev", "acme-network"]  # dependents first
    assert everything.excluded == {
        "acme-organization": "protected (the organization stack): destroyed only when named with --stack acme-organization",
        "acme-log-archive": "protected (the log archive account's stack): destroyed only when named with --stack "
                            "acme-log-archive",
        "acme-security-tooling": "protected (the security tooling account's stack): destroyed only when named with "
                                 "--stack acme-security-tooling",
    }
    named = select_stacks(out, "destroy", ["acme-security-tooling", "acme-log-archive"])
    assert named.stacks == ["acme-security-tooling", "acme-log-archive"] and named.excluded == {}
    # the log archive named, security tooling (which reads it) not: both stay, and the run says why
    with pytest.raises(TerraformInputError) as caught:
        select_stacks(out, "destroy", ["acme-log-archive", "acme-security-*"])
    assert str(caught.value).startswith("nothing to destroy: acme-security-tooling is protected (the security tooling "
                                        "account's stack): destroyed only when named with --stack acme-security-tooling; "
                                        "acme-log-archive is kept: the protected stack acme-security-tooling depends on it")
    partial = select_stacks(out, "destroy", ["acme-network"], with_dependencies=True)
    assert partial.stacks == ["acme-churn-prod", "acme-churn-dev", "acme-network"]
    alone = select_stacks(out, "destroy", ["acme-network"])
    assert alone.notes == ["acme-churn-dev, acme-churn-prod still read outputs of acme-network, which this run destroys"]


def test_fails_to_destroy_only_protected_stacks_selected_by_a_glob(tmp_path: Path) -> None:
    out = _write(tmp_path, ORG)
    with pytest.raises(TerraformInputError) as caught:
        select_stacks(out, "destroy", ["acme-org*"])
    assert str(caught.value) == ("nothing to destroy: acme-organization is protected (the organization stack): "
                                 "destroyed only when named with --stack acme-organization")


def test_changed_takes_the_stacks_whose_json_differs_from_the_last_apply_and_their_dependents(tmp_path: Path) -> None:
    out = _write(tmp_path, ORG)
    manifest = load_manifest(out)
    assert select_stacks(out, "plan", changed=True).excluded == {}  # never applied: everything
    for info in manifest.stacks.values():
        records.write_applied(info, records.AppliedRecord(records.digest(info), records.now()))
    assert select_stacks(out, "apply", changed=True).stacks == []
    (out / "stacks" / "acme-network" / "cdk.tf.json").write_text('{"changed": true}')
    selection = select_stacks(out, "apply", changed=True)
    assert selection.stacks == ["acme-network", "acme-churn-dev", "acme-churn-prod"]
    assert selection.excluded["acme-organization"] == "unchanged since its last successful apply"
    assert select_stacks(out, "plan", ["acme-churn-*"], changed=True).stacks == ["acme-churn-dev", "acme-churn-prod"]
    with pytest.raises(TerraformInputError, match="--changed"):
        select_stacks(out, "destroy", changed=True)
