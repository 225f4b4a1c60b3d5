"""The data domains' lakes (module 2), proven on the synthesized enterprise example.

Account ids of created accounts are references to the organization stack's outputs named after the
account's key (``...account-data-customer_<hash>id``), so the account a policy names is readable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlplat import api
from mlplat.modules.data_lake import defaults

ORG = "northbank"


@pytest.fixture(scope="module")
def enterprise(synthesized) -> tuple[Path, Any]:
    from conftest import example_spec

    return synthesized("enterprise"), api.validate(example_spec("enterprise"))


def _stack(out: Path, name: str) -> dict[str, Any]:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def _resources(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return document.get("resource", {}).get(kind, {})


def _domains(enterprise):
    out, org = enterprise
    for domain in org.data_domains:
        yield domain, _stack(out, org.account(domain.account).name), org


def _account_ref(document: dict[str, Any]) -> str:
    """How the stack names its own account id: the id its provider is pinned to."""
    (provider,) = [p for p in document["provider"]["aws"] if "alias" not in p]
    (account,) = provider["allowed_account_ids"]
    return account


def _zone_buckets(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """zone -> (address, bucket) of the lake's zone buckets."""
    result = {}
    for address, body in _resources(document, "aws_s3_bucket").items():
        path = body["//"]["metadata"]["path"]
        found = re.search(r"/data-lake/zone-(\w+)/bucket$", path)
        if found:
            result[found.group(1)] = (address, body)
    return result


def test_every_zone_of_the_spec_has_a_bucket_and_a_database(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        zones = {z.name for z in domain.zones}
        assert set(_zone_buckets(document)) == zones
        databases = {b["name"] for b in _resources(document, "aws_glue_catalog_database").values()}
        assert databases == {f"{domain.name}_{z}" for z in zones}
        for name, (_, bucket) in _zone_buckets(document).items():
            assert bucket["bucket"] == f"{ORG}-{domain.name}-{name}-{_account_ref(document)}"


def test_zone_buckets_are_encrypted_with_the_domain_key_versioned_and_closed(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (key_address,) = [a for a, b in _resources(document, "aws_kms_key").items()
                          if "/data-lake/key/" in b["//"]["metadata"]["path"]]
        for zone, (address, _) in _zone_buckets(document).items():
            prefix = address.rsplit("_bucket_", 1)[0]  # data-lake_zone-<zone>
            sse = [b for a, b in _resources(document, "aws_s3_bucket_server_side_encryption_configuration").items()
                   if a.startswith(prefix + "_")]
            (rule,) = sse[0]["rule"]
            assert rule["apply_server_side_encryption_by_default"] == {
                "kms_master_key_id": f"${{aws_kms_key.{key_address}.arn}}", "sse_algorithm": "aws:kms"}
            (versioning,) = [b for a, b in _resources(document, "aws_s3_bucket_versioning").items() if a.startswith(prefix + "_")]
            assert versioning["versioning_configuration"]["status"] == "Enabled"
            (block,) = [b for a, b in _resources(document, "aws_s3_bucket_public_access_block").items()
                        if a.startswith(prefix + "_")]
            assert all(block[f] is True for f in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                   "restrict_public_buckets"))
            (policy,) = [json.loads(b["policy"]) for a, b in _resources(document, "aws_s3_bucket_policy").items()
                         if a.startswith(prefix + "_")]
            (deny,) = [s for s in policy["Statement"] if s["Sid"] == "DenyOtherAccounts"]
            assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"} and deny["Action"] == ["s3:*"]
            assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalAccount": _account_ref(document)}}
            assert not [s for s in policy["Statement"] if s["Effect"] == "Allow"], "a lake bucket grants nobody else"


def test_a_zone_retention_expires_its_objects_and_only_its_own(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        retention = {z.name: z.retention_days for z in domain.zones}
        for zone, (address, _) in _zone_buckets(document).items():
            prefix = address.rsplit("_bucket_", 1)[0]
            (lifecycle,) = [b for a, b in _resources(document, "aws_s3_bucket_lifecycle_configuration").items()
                            if a.startswith(prefix + "_")]
            expirations = [r["expiration"][0]["days"] for r in lifecycle["rule"] if r.get("expiration")]
            assert expirations == ([retention[zone]] if retention[zone] else [])
    transactions = next(d for d in enterprise[1].data_domains if d.name == "transactions")
    assert {z.name: z.retention_days for z in transactions.zones} == {"raw": 400, "curated": None}


def test_lake_formation_serves_the_zones_through_the_domain_data_access_role(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (role_address, role), = [(a, b) for a, b in _resources(document, "aws_iam_role").items()
                                 if b["name"] == defaults.DATA_ACCESS_ROLE]
        trust = json.loads(role["assume_role_policy"])["Statement"]
        assert trust == [{"Sid": "LakeFormationAssumes", "Effect": "Allow",
                          "Principal": {"Service": "lakeformation.amazonaws.com"}, "Action": ["sts:AssumeRole"],
                          "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": _account_ref(document)}}}]
        locations = _resources(document, "aws_lakeformation_resource")
        assert len(locations) == len(domain.zones)
        buckets = {f"${{aws_s3_bucket.{address}.arn}}" for address, _ in _zone_buckets(document).values()}
        assert {loc["arn"] for loc in locations.values()} == buckets
        for location in locations.values():
            assert location["role_arn"] == f"${{aws_iam_role.{role_address}.arn}}"
            assert location["use_service_linked_role"] is False and location["hybrid_access_enabled"] is False


def test_the_data_access_role_reaches_its_own_domain_only(enterprise) -> None:
    out, org = enterprise
    for domain, document, _ in _domains(enterprise):
        (policy,) = [json.loads(b["policy"]) for b in _resources(document, "aws_iam_role_policy").values()
                     if b["name"] == "lake-zones"]
        resources = [r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
        own = f"{ORG}-{domain.name}-"
        for resource in resources:
            if resource.startswith("arn:aws:s3:::"):
                assert resource.startswith(f"arn:aws:s3:::{own}"), resource
            else:
                assert re.fullmatch(r"\$\{aws_kms_key\.data-lake_key_\w+\.arn\}", resource), resource
        others = [d.name for d in org.data_domains if d.name != domain.name]
        assert not [o for o in others if f"-{o}-" in json.dumps(policy)]
        assert {s["Sid"] for s in policy["Statement"]} == {"ListZoneBuckets", "ReadWriteZoneObjects", "UseDomainKey"}


def test_lake_formation_settings_name_the_admins_and_give_iam_nothing_by_default(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (settings,) = _resources(document, "aws_lakeformation_data_lake_settings").values()
        assert settings["admins"] == [f"arn:aws:iam::{_account_ref(document)}:role/{org.execution_role}"]
        assert settings["create_database_default_permissions"] == []
        assert settings["create_table_default_permissions"] == []
        assert settings["parameters"] == {"CROSS_ACCOUNT_VERSION": "4"}
        for database in _resources(document, "aws_glue_catalog_database").values():
            assert database["depends_on"] == [f"aws_lakeformation_data_lake_settings.{next(iter(_resources(document, 'aws_lakeformation_data_lake_settings')))}"]
        (encryption,) = _resources(document, "aws_glue_data_catalog_encryption_settings").values()
        at_rest = encryption["data_catalog_encryption_settings"]["encryption_at_rest"]
        assert at_rest["catalog_encryption_mode"] == "SSE-KMS" and "aws_kms_key.data-lake_key" in at_rest["sse_aws_kms_key_id"]
