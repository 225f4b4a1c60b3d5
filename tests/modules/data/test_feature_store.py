"""The central feature store (module 6), proven on the synthesized enterprise example.

Account ids of created accounts are references to the organization stack's outputs named after the
account's key (``...account-fraud-dev_<hash>id``), which is how a share's principal is read back.
"""

from __future__ import annotations

import json
import re

from conftest import resources_of, stack_json
from mlplat.modules.feature_store import defaults

STORE = "northbank-feature-store"
ACCOUNT_REF = re.compile(r"outputs\.account_id_([a-z0-9-]+)\}")


def _accounts(text: str) -> set[str]:
    return set(ACCOUNT_REF.findall(text))


def _access(org) -> dict[str, dict[str, set[str]]]:
    """group -> {"read": account keys, "write": account keys} as the spec resolves it."""
    teams = {t.name: t for t in org.teams}
    result = {}
    for group in org.feature_groups:
        entry = {"read": set(), "write": set()}
        for access in group.access:
            entry["write" if access.write else "read"].add(teams[access.team].accounts[access.environment])
        result[group.name] = entry
    return result


def test_the_example_shares_what_the_spec_says(enterprise) -> None:
    _, org = enterprise
    access = _access(org)
    assert access["card-velocity"]["write"] == {"fraud-prod", "aml-prod"}  # feature pipelines; no dev account writes
    assert access["card-velocity"]["read"] == {"fraud-dev", "fraud-test", "aml-dev", "aml-test", "credit-scoring-dev",
                                               "credit-scoring-test", "credit-scoring-prod"}


def test_every_feature_group_of_the_spec_is_in_the_store_encrypted_under_its_own_prefix(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, STORE)
    groups = {b["feature_group_name"]: b for b in resources_of(document, "aws_sagemaker_feature_group").values()}
    assert set(groups) == {g.name for g in org.feature_groups}
    (key,) = [a for a, b in resources_of(document, "aws_kms_key").items() if "/feature-store/key/" in b["//"]["metadata"]["path"]]
    for group in org.feature_groups:
        body = groups[group.name]
        assert [(f["feature_name"], f["feature_type"]) for f in body["feature_definition"]] == list(group.features)
        assert body["record_identifier_feature_name"] == group.record_identifier
        assert body["event_time_feature_name"] == group.event_time
        offline = body["offline_store_config"]["s3_storage_config"]
        assert offline["kms_key_id"] == f"${{aws_kms_key.{key}.arn}}"
        assert offline["s3_uri"].endswith(f"/{group.name}/")
        if group.online:
            assert body["online_store_config"] == {
                "enable_online_store": True, "security_config": {"kms_key_id": f"${{aws_kms_key.{key}.arn}}"}}
        else:
            assert "online_store_config" not in body


def test_each_group_is_shared_read_only_to_its_readers_and_read_write_to_its_writers(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, STORE)
    shares = {a: b for a, b in resources_of(document, "aws_ram_resource_share").items()}
    principals: dict[str, set[str]] = {}
    for body in resources_of(document, "aws_ram_principal_association").values():
        share = re.fullmatch(r"\$\{aws_ram_resource_share\.(.+)\.arn\}", body["resource_share_arn"]).group(1)
        principals.setdefault(share, set()).update(_accounts(body["principal"]))
    resources: dict[str, list[str]] = {}
    for body in resources_of(document, "aws_ram_resource_association").values():
        share = re.fullmatch(r"\$\{aws_ram_resource_share\.(.+)\.arn\}", body["resource_share_arn"]).group(1)
        resources.setdefault(share, []).append(body["resource_arn"])
    groups = {a: b["feature_group_name"] for a, b in resources_of(document, "aws_sagemaker_feature_group").items()}
    found: dict[tuple[str, str], set[str]] = {}
    for address, share in shares.items():
        assert share["allow_external_principals"] is False
        (permission,) = share["permission_arns"]
        if permission.endswith(defaults.CATALOG_SEARCH):
            assert resources[address] == [f"arn:aws:sagemaker:eu-west-1:{resources[address][0].split(':')[4]}"
                                          f":sagemaker-catalog/{defaults.CATALOG}"]
            catalog = principals[address]
            continue
        (resource,) = resources[address]
        group = groups[re.fullmatch(r"\$\{aws_sagemaker_feature_group\.(.+)\.arn\}", resource).group(1)]
        level = {defaults.READ_ONLY: "read", defaults.READ_WRITE: "write"}[permission.rsplit("/", 1)[1]]
        found[(group, level)] = principals[address]
    expected = {(g, level): keys for g, entry in _access(org).items() for level, keys in entry.items() if keys}
    assert found == expected
    assert catalog == {k for keys in expected.values() for k in keys}


def test_a_team_role_reaches_exactly_the_groups_shared_with_its_account(enterprise) -> None:
    out, org = enterprise
    access = _access(org)
    every = {g.name for g in org.feature_groups}
    for team in org.teams:
        for env, key in team.accounts.items():
            document = stack_json(out, org.account(key).name)
            policies = [json.loads(b["policy"]) for b in resources_of(document, "aws_iam_role_policy").values()
                        if b["name"] == defaults.FEATURE_ACCESS_POLICY]
            reads = {g for g, entry in access.items() if key in entry["read"] | entry["write"]}
            writes = {g for g, entry in access.items() if key in entry["write"]}
            if not reads:
                assert not policies, key
                continue
            assert policies, key
            for policy in policies:
                statements = {s["Sid"]: s for s in policy["Statement"]}
                named = {r.rsplit("/", 1)[1] for r in statements["ReadSharedFeatureGroups"]["Resource"]}
                assert named == reads, key
                written = ({r.rsplit("/", 1)[1] for r in statements["WriteSharedFeatureGroups"]["Resource"]}
                           if "WriteSharedFeatureGroups" in statements else set())
                assert written == writes, key
                assert statements.get("WriteSharedFeatureGroups", {}).get("Action", list(defaults.WRITE_ACTIONS)) == \
                    list(defaults.WRITE_ACTIONS)
                prefixes = {r.split(":::", 1)[1].split("/")[1] for r in statements["ReadOfflineStore"]["Resource"]}
                assert prefixes == reads
                assert not [g for g in every - reads if f"/{g}" in json.dumps(policy)], key


def test_the_offline_store_admits_each_group_s_accounts_under_its_prefix_only(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, STORE)
    (policy,) = [json.loads(b["policy"]) for a, b in resources_of(document, "aws_s3_bucket_policy").items()
                 if a.startswith("feature-store_offline-store_")]
    access = _access(org)
    for group in org.feature_groups:
        token = group.name.replace("-", "")
        statements = {s["Sid"]: s for s in policy["Statement"]}
        read, listing = statements[f"Read{token}"], statements[f"List{token}"]
        assert _accounts(json.dumps(read["Principal"])) == access[group.name]["read"] | access[group.name]["write"]
        assert read["Resource"].endswith(f"/{group.name}/*") and read["Action"] == ["s3:GetObject"]
        assert listing["Condition"] == {"StringLike": {"s3:prefix": f"{group.name}/*"}}


def test_the_feature_store_role_reaches_its_own_bucket_key_and_offline_tables_only(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, STORE)
    (role,) = [b for b in resources_of(document, "aws_iam_role").values() if b["name"] == defaults.FEATURE_STORE_ROLE]
    trust = json.loads(role["assume_role_policy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "sagemaker.amazonaws.com"}]
    (policy,) = [json.loads(b["policy"]) for b in resources_of(document, "aws_iam_role_policy").values()
                 if b["name"] == defaults.FEATURE_STORE_ROLE]
    text = json.dumps(policy)
    assert "northbank-features-" in text and "*" not in [s["Resource"] for s in policy["Statement"]]
    assert set(_accounts(text)) == {"feature-store"}
