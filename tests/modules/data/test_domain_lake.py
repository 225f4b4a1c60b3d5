"""The data domains' lakes (module 2), proven on the synthesized enterprise example.

Account ids of created accounts are references to the organization stack's outputs named after the
account's key (``...account-data-customer_<hash>id``), so the account a policy names is readable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import resources_of, stack_json

ORG = "northbank"


def _domains(enterprise):
    out, org = enterprise
    for domain in org.data_domains:
        yield domain, stack_json(out, org.account(domain.account).name), org


def _account_ref(document: dict[str, Any]) -> str:
    """How the stack names its own account id: the id its provider is pinned to."""
    (provider,) = [p for p in document["provider"]["aws"] if "alias" not in p]
    (account,) = provider["allowed_account_ids"]
    return account


def _zone_buckets(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """zone -> (address, bucket) of the lake's zone buckets."""
    result = {}
    for address, body in resources_of(document, "aws_s3_bucket").items():
        path = body["//"]["metadata"]["path"]
        found = re.search(r"/data-lake/zone-(\w+)/bucket$", path)
        if found:
            result[found.group(1)] = (address, body)
    return result


def _governance_role(org, domain) -> str:
    """How a domain stack names the governance account's data access role of the domain."""
    return f"role/mlplat/lake-{domain.name}"


def test_every_zone_of_the_spec_has_a_bucket_and_the_catalog_is_central(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        zones = {z.name for z in domain.zones}
        assert set(_zone_buckets(document)) == zones
        for name, (_, bucket) in _zone_buckets(document).items():
            assert bucket["bucket"] == f"{ORG}-{domain.name}-{name}-{_account_ref(document)}"
        # databases and registered locations live in the data governance account (the central catalog)
        assert not resources_of(document, "aws_glue_catalog_database")
        assert not resources_of(document, "aws_lakeformation_resource")


def test_zone_buckets_are_encrypted_with_the_domain_key_versioned_and_closed(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (key_address,) = [a for a, b in resources_of(document, "aws_kms_key").items()
                          if "/data-lake/key/" in b["//"]["metadata"]["path"]]
        for zone, (address, _) in _zone_buckets(document).items():
            prefix = address.rsplit("_bucket_", 1)[0]  # data-lake_zone-<zone>
            sse = [b for a, b in resources_of(document, "aws_s3_bucket_server_side_encryption_configuration").items()
                   if a.startswith(prefix + "_")]
            (rule,) = sse[0]["rule"]
            assert rule["apply_server_side_encryption_by_default"] == {
                "kms_master_key_id": f"${{aws_kms_key.{key_address}.arn}}", "sse_algorithm": "aws:kms"}
            (versioning,) = [b for a, b in resources_of(document, "aws_s3_bucket_versioning").items() if a.startswith(prefix + "_")]
            assert versioning["versioning_configuration"]["status"] == "Enabled"
            (block,) = [b for a, b in resources_of(document, "aws_s3_bucket_public_access_block").items()
                        if a.startswith(prefix + "_")]
            assert all(block[f] is True for f in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                   "restrict_public_buckets"))


def test_a_zone_bucket_admits_its_account_and_the_domain_governance_role_only(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        for zone, (address, _) in _zone_buckets(document).items():
            prefix = address.rsplit("_bucket_", 1)[0]
            (policy,) = [json.loads(b["policy"]) for a, b in resources_of(document, "aws_s3_bucket_policy").items()
                         if a.startswith(prefix + "_")]
            (deny,) = [s for s in policy["Statement"] if s["Sid"] == "DenyOtherAccounts"]
            assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"} and deny["Action"] == ["s3:*"]
            assert deny["Condition"]["StringNotEquals"] == {"aws:PrincipalAccount": _account_ref(document)}
            (exempt,) = deny["Condition"]["ArnNotEquals"].values()
            assert exempt.endswith(_governance_role(org, domain))
            allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
            assert {s["Sid"] for s in allows} == {"GovernanceListsZone", "GovernanceReadsWritesZone"}
            for allow in allows:
                assert allow["Principal"]["AWS"].endswith(":root") and "account_id_data-governance}" in allow["Principal"]["AWS"]
                assert allow["Condition"] == {"ArnEquals": {"aws:PrincipalArn": exempt}}
            others = [d.name for d in org.data_domains if d.name != domain.name]
            assert not [o for o in others if f"lake-{o}" in json.dumps(policy)]


def test_a_zone_retention_expires_its_objects_and_only_its_own(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        retention = {z.name: z.retention_days for z in domain.zones}
        for zone, (address, _) in _zone_buckets(document).items():
            prefix = address.rsplit("_bucket_", 1)[0]
            (lifecycle,) = [b for a, b in resources_of(document, "aws_s3_bucket_lifecycle_configuration").items()
                            if a.startswith(prefix + "_")]
            expirations = [r["expiration"][0]["days"] for r in lifecycle["rule"] if r.get("expiration")]
            assert expirations == ([retention[zone]] if retention[zone] else [])
    transactions = next(d for d in enterprise[1].data_domains if d.name == "transactions")
    assert {z.name: z.retention_days for z in transactions.zones} == {"raw": 400, "curated": None}


def test_the_domain_key_serves_the_domain_governance_role_through_s3_only(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (key,) = [b for b in resources_of(document, "aws_kms_key").values() if "/data-lake/key/" in b["//"]["metadata"]["path"]]
        statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
        grant = statements["GovernanceDataAccessThroughS3"]
        assert "account_id_data-governance}" in grant["Principal"]["AWS"]
        assert grant["Condition"]["ArnEquals"]["aws:PrincipalArn"].endswith(_governance_role(org, domain))
        assert grant["Condition"]["StringEquals"] == {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
        assert set(statements) == {"AccountAdministers", "GovernanceDataAccessThroughS3", "MacieDiscoversThroughS3"}


def test_lake_formation_settings_name_the_admins_and_give_iam_nothing_by_default(enterprise) -> None:
    for domain, document, org in _domains(enterprise):
        (settings,) = resources_of(document, "aws_lakeformation_data_lake_settings").values()
        assert settings["admins"] == [f"arn:aws:iam::{_account_ref(document)}:role/{org.execution_role}"]
        assert settings["create_database_default_permissions"] == []
        assert settings["create_table_default_permissions"] == []
        assert settings["parameters"] == {"CROSS_ACCOUNT_VERSION": "4"}
        (encryption,) = resources_of(document, "aws_glue_data_catalog_encryption_settings").values()
        at_rest = encryption["data_catalog_encryption_settings"]["encryption_at_rest"]
        assert at_rest["catalog_encryption_mode"] == "SSE-KMS" and "aws_kms_key.data-lake_key" in at_rest["sse_aws_kms_key_id"]
