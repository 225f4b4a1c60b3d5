"""Governed data (module 2): the grants of the data mesh, proven on the synthesized enterprise example.

A grant's principal is an account id; ids of created accounts are references to the organization
stack's outputs named after the account's key (``...account-fraud-dev_<hash>id``), which is how a
grant's account is read back here. A team role is a reference to an ``aws_iam_role`` of its stack.
"""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import resources_of, stack_json
from mlplat.modules.data_lake import defaults

ORG = "northbank"
GOVERNANCE = f"{ORG}-data-governance"
ACCOUNT_REF = re.compile(r"outputs\.account_id_([a-z0-9-]+)\}$")


def _account_key(principal: str) -> str:
    found = ACCOUNT_REF.search(principal)
    assert found, principal
    return found.group(1)


def _block(value: Any) -> dict[str, Any]:
    """A single nested block, as the engine writes it (an object)."""
    assert isinstance(value, dict), value
    return value


def _expression(body: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    policy = _block(body["lf_tag_policy"])
    return {e["key"]: tuple(e["values"]) for e in policy["expression"]}


def _expected(org) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(account key, domain) -> the tag expression the spec grants that account on that domain."""
    teams = {t.name: t for t in org.teams}
    expected = {}
    for domain in org.data_domains:
        for grant in domain.grants:
            for env in grant.environments:
                expected[(teams[grant.team].accounts[env], domain.name)] = {
                    defaults.DOMAIN_TAG: (domain.name,), defaults.ZONE_TAG: tuple(grant.zones),
                    defaults.CLASSIFICATION_TAG: tuple(grant.classifications)}
    return expected


def test_the_example_grants_what_the_spec_says(enterprise) -> None:
    _, org = enterprise
    grants = {(d.name, g.team): g for d in org.data_domains for g in d.grants}
    # churn produces customer: every zone; fraud consumes customer's curated zone only, from dev
    assert grants[("customer", "churn")].producer and grants[("customer", "churn")].zones == ("raw", "curated")
    assert grants[("customer", "fraud")].zones == ("curated",) and grants[("customer", "fraud")].environments == ("dev",)
    assert grants[("transactions", "aml")].zones == ("raw", "curated")  # named in its grant
    assert all("raw" not in g.zones for (d, t), g in grants.items()
               if not g.producer and (d, t) != ("transactions", "aml"))


def test_every_team_account_gets_exactly_the_tag_expressions_the_spec_grants(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    domain_accounts = {d.account for d in org.data_domains}
    found: dict[tuple[str, str], dict[str, dict[str, tuple[str, ...]]]] = {}
    for body in resources_of(document, "aws_lakeformation_permissions").values():
        if "lf_tag_policy" not in body:
            continue
        account = _account_key(body["principal"])
        if account in domain_accounts:
            continue  # the producers' own rights: below
        expression = _expression(body)
        (domain,) = expression[defaults.DOMAIN_TAG]
        kind = _block(body["lf_tag_policy"])["resource_type"]
        assert (account, domain, kind) not in {(a, d, k) for (a, d), v in found.items() for k in v}, "one grant each"
        found.setdefault((account, domain), {})[kind] = expression
        granted = {"DATABASE": ["DESCRIBE"], "TABLE": ["DESCRIBE", "SELECT"]}[kind]
        assert body["permissions"] == granted and body["permissions_with_grant_option"] == granted
    expected = _expected(org)
    assert set(found) == set(expected)
    for pair, kinds in found.items():
        assert kinds == {"DATABASE": expected[pair], "TABLE": expected[pair]}, pair


def test_an_account_sees_exactly_the_tag_values_of_its_expressions_in_one_grant_per_key(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    domain_accounts = {d.account for d in org.data_domains}
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for body in resources_of(document, "aws_lakeformation_permissions").values():
        account = _account_key(body["principal"])
        if "lf_tag" not in body or account in domain_accounts:
            continue
        tag = _block(body["lf_tag"])
        assert (account, tag["key"]) not in seen, "one grant per account and key"
        seen[(account, tag["key"])] = tuple(sorted(tag["values"]))
    union: dict[tuple[str, str], set[str]] = {}
    for (account, _), expression in _expected(org).items():
        for key, values in expression.items():
            union.setdefault((account, key), set()).update(values)
    assert seen == {k: tuple(sorted(v)) for k, v in union.items()}


def test_a_domain_account_keeps_full_rights_on_its_own_domain_only(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    owners = {d.account: d.name for d in org.data_domains}
    seen = set()
    for body in resources_of(document, "aws_lakeformation_permissions").values():
        account = _account_key(body["principal"])
        if account not in owners:
            continue
        if "lf_tag" in body:
            tag = _block(body["lf_tag"])
            assert (tag["key"], tag["values"]) == (defaults.DOMAIN_TAG, [owners[account]])
            continue
        if "data_location" in body:
            bucket = _block(body["data_location"])["arn"].removeprefix("arn:aws:s3:::")
            assert bucket.startswith(f"{ORG}-{owners[account]}-"), (account, bucket)
            assert body["permissions"] == body["permissions_with_grant_option"] == ["DATA_LOCATION_ACCESS"]
            seen.add((account, bucket.split("-")[2]))
            continue
        assert _expression(body) == {defaults.DOMAIN_TAG: (owners[account],)}
        seen.add((account, _block(body["lf_tag_policy"])["resource_type"]))
    zones = {d.account: [z.name for z in d.zones] for d in org.data_domains}
    assert seen == {(a, k) for a in owners for k in ("DATABASE", "TABLE", *zones[a])}


def test_databases_carry_their_domain_zone_and_classification(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    databases = {a: b["name"] for a, b in resources_of(document, "aws_glue_catalog_database").items()}
    expected = {d.database_name(z.name): {defaults.DOMAIN_TAG: d.name, defaults.ZONE_TAG: z.name,
                                          defaults.CLASSIFICATION_TAG: d.classification}
                for d in org.data_domains for z in d.zones}
    assert sorted(databases.values()) == sorted(expected)
    tagged = {}
    for body in resources_of(document, "aws_lakeformation_resource_lf_tags").values():
        database = _block(body["database"])
        address = re.fullmatch(r"\$\{aws_glue_catalog_database\.(.+)\.name\}", database["name"]).group(1)
        tagged[databases[address]] = {t["key"]: t["value"] for t in body["lf_tag"]}
    assert tagged == expected


def test_each_domain_is_registered_through_its_own_data_access_role(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    roles = {b["name"]: a for a, b in resources_of(document, "aws_iam_role").items()}
    for domain in org.data_domains:
        role = roles[f"lake-{domain.name}"]
        (policy,) = [json.loads(b["policy"]) for b in resources_of(document, "aws_iam_role_policy").values()
                     if b["role"] == f"${{aws_iam_role.{role}.name}}"]
        text = json.dumps(policy)
        assert f"{ORG}-{domain.name}-" in text
        for other in org.data_domains:
            if other.name != domain.name:
                assert f"{ORG}-{other.name}-" not in text and f"northbank-data-{other.name}" not in text
        (key,) = [s["Resource"] for s in policy["Statement"] if s["Sid"] == "UseDomainKey"]
        # the domain stack's key, exported by that stack
        assert key == f"${{data.terraform_remote_state.northbank-data-{domain.name}.outputs.lake_key_arn_{domain.name}}}"
        locations = [b for b in resources_of(document, "aws_lakeformation_resource").values()
                     if b["role_arn"] == f"${{aws_iam_role.{role}.arn}}"]
        assert sorted(b["arn"].split("-")[1] for b in locations) == [domain.name] * len(domain.zones)
        assert all(b["use_service_linked_role"] is False for b in locations)


def test_team_roles_read_governed_data_only_through_lake_formation(enterprise) -> None:
    out, org = enterprise
    expected = _expected(org)
    lake_names = [f"{ORG}-{d.name}-{z.name}-" for d in org.data_domains for z in d.zones]
    for team in org.teams:
        for env, key in team.accounts.items():
            document = stack_json(out, org.account(key).name)
            text = json.dumps({k: v for k, v in document.get("resource", {}).items()
                               if k in ("aws_iam_role_policy", "aws_s3_bucket_policy", "aws_kms_key")})
            assert not [n for n in lake_names if n in text], f"{key} names a lake bucket"
            permissions = resources_of(document, "aws_lakeformation_permissions").values()
            found: dict[str, set[tuple[str, str]]] = {}
            for body in permissions:
                if "lf_tag_policy" not in body:
                    continue
                expression = _expression(body)
                (domain,) = expression[defaults.DOMAIN_TAG]
                assert expression == expected[(key, domain)], (key, domain)
                assert re.fullmatch(r"\$\{aws_iam_role\.[\w-]+\.arn\}", body["principal"]), body["principal"]
                found.setdefault(domain, set()).add(body["principal"])
            assert set(found) == {d for (k, d) in expected if k == key}, key
            links = {b["name"]: _block(b["target_database"])["database_name"]
                     for b in resources_of(document, "aws_glue_catalog_database").values()}
            granted = {d.database_name(z) for d in org.data_domains for g in d.grants
                       if g.team == team.name and env in g.environments for z in g.zones}
            assert links == {n: n for n in granted}, key


def test_a_reading_role_may_ask_lake_formation_and_read_the_catalogs_and_nothing_more(enterprise) -> None:
    out, org = enterprise
    readers = {k for (k, _) in _expected(org)}
    for team in org.teams:
        for env, key in team.accounts.items():
            document = stack_json(out, org.account(key).name)
            policies = [b for b in resources_of(document, "aws_iam_role_policy").values()
                        if b["name"] == defaults.GOVERNED_DATA_POLICY]
            if key not in readers:
                assert not policies, key
                continue
            roles = {b["principal"] for b in resources_of(document, "aws_lakeformation_permissions").values()}
            assert len(policies) == len(roles) >= 1
            for policy in policies:
                statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
                assert set(statements) == {"AskLakeFormationForData", "ReadCatalogMetadata", "DecryptGovernedCatalog"}
                assert statements["AskLakeFormationForData"]["Action"] == ["lakeformation:GetDataAccess"]
                assert all(a.startswith("glue:Get") or a == "glue:SearchTables"
                           for a in statements["ReadCatalogMetadata"]["Action"])
                catalogs = {r.split(":")[4] for r in statements["ReadCatalogMetadata"]["Resource"]}
                assert len(catalogs) == 2 and any("account_id_data-governance}" in c for c in catalogs)
                assert any(f"account_id_{key}}}" in c for c in catalogs)
                decrypt = statements["DecryptGovernedCatalog"]
                assert decrypt["Action"] == ["kms:Decrypt"] and "northbank-data-governance" in decrypt["Resource"]
                assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "glue.eu-west-1.amazonaws.com"}}


def test_the_catalog_key_lets_reading_accounts_decrypt_through_glue_only(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, GOVERNANCE)
    (key,) = [b for b in resources_of(document, "aws_kms_key").values()
              if "/data-governance/key/" in b["//"]["metadata"]["path"]]
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["ReadingAccountsDecryptCatalogThroughGlue"]
    accounts = {_account_key(p.removesuffix(":root")) for p in grant["Principal"]["AWS"]}
    expected = {k for (k, _) in _expected(org)} | {d.account for d in org.data_domains}
    assert accounts == expected
    assert grant["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert grant["Condition"] == {"StringEquals": {"kms:ViaService": "glue.eu-west-1.amazonaws.com"}}
    writers = statements["DomainAccountsWriteCatalogThroughGlue"]
    assert {_account_key(p.removesuffix(":root")) for p in writers["Principal"]["AWS"]} == {
        d.account for d in org.data_domains}
    assert writers["Action"] == ["kms:Encrypt", "kms:GenerateDataKey*"] and writers["Condition"] == grant["Condition"]
