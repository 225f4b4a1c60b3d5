"""Cost and reporting (module 8), proven on the synthesized enterprise example.

Account ids of created accounts are references to the organization stack's outputs, named after the
account's key (``...organization_account-fraud-dev_<hash>id``), so the accounts a cost category rule or a
budget names can be read back as keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import resources_of, stack_json

ORG = "northbank"
MANAGEMENT = f"{ORG}-management"
ACCOUNT_REF = re.compile(r"outputs\.account_id_([a-z0-9-]+)\}$")


def _keys(values: list[str]) -> list[str]:
    """The account keys a list of account id references names (every value must be such a reference)."""
    keys = []
    for value in values:
        match = ACCOUNT_REF.search(value)
        assert match, value
        keys.append(match.group(1))
    return keys


def _path(body: dict[str, Any]) -> str:
    return body["//"]["metadata"]["path"]


def _one(document: dict[str, Any], kind: str, path_part: str) -> dict[str, Any]:
    (body,) = [b for b in resources_of(document, kind).values() if path_part in _path(b)]
    return body


def _statements(text: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(text)["Statement"]}


@pytest.fixture(scope="module")
def management(enterprise) -> dict[str, Any]:
    out, _ = enterprise
    return stack_json(out, MANAGEMENT)


def test_team_cost_category_names_exactly_each_team_accounts(enterprise, management) -> None:
    _, org = enterprise
    category = _one(management, "aws_ce_cost_category", "/cost-category-team/")
    assert category["name"] == f"{ORG}_ml_team" and category["default_value"] == "platform"
    rules = {r["value"]: r["rule"]["dimension"] for r in category["rule"]}
    assert set(rules) == {t.name for t in org.teams}
    for team in org.teams:
        dimension = rules[team.name]
        assert dimension["key"] == "LINKED_ACCOUNT" and dimension["match_options"] == ["EQUALS"]
        assert sorted(_keys(dimension["values"])) == sorted(team.accounts.values())
    # no account is in two teams' rules
    every = [k for d in rules.values() for k in _keys(d["values"])]
    assert len(every) == len(set(every))


def test_line_of_business_category_takes_its_teams_and_data_domains(enterprise, management) -> None:
    _, org = enterprise
    category = _one(management, "aws_ce_cost_category", "/cost-category-line-of-business/")
    rules = {r["value"]: sorted(_keys(r["rule"]["dimension"]["values"])) for r in category["rule"]}
    for lob in ("retail", "wealth", "risk"):
        expected = [a.key for a in org.accounts if a.line_of_business == lob and a.kind in ("team", "data_domain")]
        assert rules[lob] == sorted(expected)
    assert rules["risk"] == sorted(["aml-dev", "aml-test", "aml-prod", "data-transactions",
                                    "fraud-dev", "fraud-test", "fraud-prod"])


def _budgets(management: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["name"]: b for b in resources_of(management, "aws_budgets_budget").values()}


def test_every_team_and_team_account_has_a_budget_over_exactly_its_accounts(enterprise, management) -> None:
    _, org = enterprise
    budgets = _budgets(management)
    for team in org.teams:
        # fraud's budget is the spec's; every other team gets one of cost.team_monthly_limit_usd
        name = f"{ORG}-fraud" if team.name == "fraud" else f"{ORG}-team-{team.name}"
        budget = budgets[name]
        (linked,) = budget["cost_filter"]
        assert linked["name"] == "LinkedAccount"
        assert sorted(_keys(linked["values"])) == sorted(team.accounts.values())
        limit = 25000 if team.name == "fraud" else 15000
        assert budget["limit_amount"] == f"{limit:.2f}"
        for env, key in team.accounts.items():
            account_budget = budgets[f"{ORG}-account-{key}"]
            (linked,) = account_budget["cost_filter"]
            assert _keys(linked["values"]) == [key]
            share = {"dev": 30, "test": 20, "prod": 50}[env]
            assert account_budget["limit_amount"] == f"{limit * share / 100:.2f}"
    # the spec's line of business budget covers what its cost category counts: its teams' and data domains' accounts
    (linked,) = budgets[f"{ORG}-retail-ml"]["cost_filter"]
    retail_domains = [a.key for a in org.accounts if a.kind == "data_domain" and a.line_of_business == "retail"]
    assert retail_domains == ["data-customer"]
    assert sorted(_keys(linked["values"])) == sorted(
        [k for t in org.teams if t.line_of_business == "retail" for k in t.accounts.values()] + retail_domains)
    assert len(budgets) == 1 + 6 + 6 * 3  # retail-ml, a budget per team, one per team account


def _subscribers(body: dict[str, Any]) -> set[str]:
    return {s["address"] for s in body["subscriber"]}


def test_team_budgets_and_anomaly_alerts_go_to_the_team_leads_or_finops(enterprise, management) -> None:
    _, org = enterprise
    budgets = _budgets(management)
    subscriptions = {b["name"]: b for b in resources_of(management, "aws_ce_anomaly_subscription").values()}
    monitors = {b["name"]: b for b in resources_of(management, "aws_ce_anomaly_monitor").values()}
    lead = "priya.raman@northbank.example"
    for team in org.teams:
        expected = ({"fraud-leads@northbank.example", lead} if team.name == "fraud"
                    else {"ml-finops@northbank.example"})
        name = f"{ORG}-team-{team.name}"
        assert _subscribers(subscriptions[name]) == expected, team.name
        for budget_name in [f"{ORG}-fraud" if team.name == "fraud" else name,
                            *(f"{ORG}-account-{k}" for k in team.accounts.values())]:
            for notification in budgets[budget_name]["notification"]:
                assert set(notification["subscriber_email_addresses"]) == expected, budget_name
        spec = json.loads(monitors[name]["monitor_specification"])
        assert spec["CostCategories"]["Values"] == [team.name]
        assert re.fullmatch(r"\$\{aws_ce_cost_category\.cost-category-team_category_[0-9A-F]{8}\.name\}",
                            spec["CostCategories"]["Key"])
        assert subscriptions[name]["frequency"] == "DAILY"
        assert subscriptions[name]["threshold_expression"]["dimension"] == {
            "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "match_options": ["GREATER_THAN_OR_EQUAL"], "values": ["250"]}
    assert _subscribers(subscriptions[f"{ORG}-lob-wealth"]) == {"wealth-ml-exec@northbank.example"}
    assert _subscribers(subscriptions[f"{ORG}-lob-risk"]) == {"risk-ml-exec@northbank.example"}
    assert _subscribers(subscriptions[f"{ORG}-lob-retail"]) == {"retail-ml-finance@northbank.example"}
    assert len(subscriptions) == len(monitors) == 6 + 3


def test_tag_policy_allows_exactly_the_spec_values_on_the_ml_ous(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, f"{ORG}-organization")
    (organization,) = resources_of(document, "aws_organizations_organization").values()
    assert "TAG_POLICY" in organization["enabled_policy_types"]
    policy = _one(document, "aws_organizations_policy", "/cost-tag-policy/")
    assert policy["type"] == "TAG_POLICY" and len(policy["content"]) <= 10000
    tags = json.loads(policy["content"])["tags"]
    values = {key: entry["tag_value"]["@@assign"] for key, entry in tags.items()}
    assert {key: entry["tag_key"]["@@assign"] for key, entry in tags.items()} == {k: k for k in values}
    assert values == {
        "team": sorted(t.name for t in org.teams),
        "line-of-business": ["retail", "risk", "wealth"],
        "environment": ["dev", "prod", "test"],
        "cost-center": ["CC-2100", "CC-3100", "CC-3150", "CC-4100"],  # portfolio has its own
    }
    assert not any("enforced_for" in entry for entry in tags.values())  # cost.tag_policy_enforced_for is empty
    attachments = [b for b in resources_of(document, "aws_organizations_policy_attachment").values()
                   if "/cost-tag-policy/" in _path(b)]
    ous = {_path(b).rsplit("/", 1)[1]: b for b in resources_of(document, "aws_organizations_organizational_unit").values()}
    targets = {b["target_id"] for b in attachments}
    expected = {f"${{aws_organizations_organizational_unit.{name}.id}}"
                for name, body in resources_of(document, "aws_organizations_organizational_unit").items()
                if _path(body).endswith(("/ou-workloads-ml-prod", "/ou-workloads-ml-nonprod"))}
    assert targets == expected and len(expected) == 2, ous.keys()
    for attachment in attachments:
        assert attachment["policy_id"] == f"${{aws_organizations_policy.{_name_of(document, policy)}.id}}"
        assert attachment["depends_on"] == policy["depends_on"] == [
            f"aws_organizations_organization.{next(iter(resources_of(document, 'aws_organizations_organization')))}"]


def _name_of(document: dict[str, Any], body: dict[str, Any]) -> str:
    return next(n for n, b in resources_of(document, "aws_organizations_policy").items() if b is body)


def test_cost_allocation_tags_are_the_platform_keys_and_sagemakers(management) -> None:
    tags = {b["tag_key"]: b["status"] for b in resources_of(management, "aws_ce_cost_allocation_tag").values()}
    assert tags == {key: "Active" for key in (
        "team", "line-of-business", "environment", "cost-center", "sagemaker:domain-arn",
        "sagemaker:user-profile-arn", "sagemaker:space-arn", "sagemaker:project-name")}


def test_every_team_account_carries_the_activated_tag_keys(enterprise) -> None:
    _, org = enterprise
    for account in org.accounts:
        assert set(org.cost.tag_keys.values()) <= set(account.tags), account.key


def test_export_bucket_admits_only_the_export_service_of_this_account(management) -> None:
    account = "210987654321"
    bucket = _one(management, "aws_s3_bucket", "/cost-export/bucket/")
    assert bucket["bucket"] == f"{ORG}-cost-reports-{account}-eu-west-1"
    policy = _one(management, "aws_s3_bucket_policy", "/cost-export/bucket/")
    statements = _statements(policy["policy"])
    assert set(statements) == {"DenyInsecureTransport", "DenyOutdatedTls", "DataExportsWrite", "DataExportsChecksPolicy"}
    allows = [s for s in statements.values() if s["Effect"] == "Allow"]
    conditions = {"StringEquals": {"aws:SourceAccount": account},
                  "ArnLike": {"aws:SourceArn": f"arn:aws:bcm-data-exports:us-east-1:{account}:export/*"}}
    for allow in allows:
        assert allow["Principal"] == {"Service": "bcm-data-exports.amazonaws.com"}
        assert allow["Condition"] == conditions
    assert statements["DataExportsWrite"]["Action"] == ["s3:PutObject"]
    assert statements["DataExportsWrite"]["Resource"] == f"arn:aws:s3:::{bucket['bucket']}/cur2/*"
    assert statements["DataExportsChecksPolicy"]["Action"] == ["s3:GetBucketPolicy"]
    encryption = _one(management, "aws_s3_bucket_server_side_encryption_configuration", "/cost-export/bucket/")
    (rule,) = encryption["rule"]
    key = _one(management, "aws_kms_key", "/cost-export/key/")
    assert key["enable_key_rotation"] is True
    key_name = next(n for n, b in resources_of(management, "aws_kms_key").items() if b is key)
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms", "kms_master_key_id": f"${{aws_kms_key.{key_name}.arn}}"}
    key_statements = _statements(key["policy"])
    assert set(key_statements) == {"AccountAdministers", "DataExportsEncrypts"}
    assert key_statements["DataExportsEncrypts"]["Condition"] == conditions
    (block,) = [b for b in resources_of(management, "aws_s3_bucket_public_access_block").values()
                if "/cost-export/bucket/" in _path(b)]
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                          "restrict_public_buckets"))


def _export(management: dict[str, Any]) -> dict[str, Any]:
    (body,) = resources_of(management, "aws_bcmdataexports_export").values()
    (export,) = body["export"]
    return export


def test_export_is_cur2_parquet_with_resources_into_the_bucket(management) -> None:
    export = _export(management)
    (query,) = export["data_query"]
    assert query["query_statement"].endswith(" FROM COST_AND_USAGE_REPORT")
    assert query["table_configurations"]["COST_AND_USAGE_REPORT"]["INCLUDE_RESOURCES"] == "TRUE"
    (destination,) = export["destination_configurations"]
    (s3,) = destination["s3_destination"]
    policy_name = next(n for n, b in resources_of(management, "aws_s3_bucket_policy").items()
                       if "/cost-export/bucket/" in _path(b))
    # the bucket's name is read through its policy: the export waits until the service may write
    assert s3["s3_bucket"] == f"${{aws_s3_bucket_policy.{policy_name}.bucket}}"
    assert (s3["s3_prefix"], s3["s3_region"]) == ("cur2", "eu-west-1")
    (output,) = s3["s3_output_configurations"]
    assert output == {"format": "PARQUET", "compression": "PARQUET", "output_type": "CUSTOM",
                      "overwrite": "OVERWRITE_REPORT"}


def test_glue_table_reads_exactly_the_exported_columns_per_billing_period(management) -> None:
    export = _export(management)
    (query,) = export["data_query"]
    selected = query["query_statement"].removeprefix("SELECT ").split(" FROM ")[0].split(", ")
    table = _one(management, "aws_glue_catalog_table", "/cost-reports/")
    assert [c["name"] for c in table["storage_descriptor"]["columns"]] == selected
    location = f"s3://{ORG}-cost-reports-210987654321-eu-west-1/cur2/{export['name']}/data/"
    assert table["storage_descriptor"]["location"] == location
    assert table["partition_keys"] == [{"name": "billing_period", "type": "string"}]
    parameters = table["parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["storage.location.template"] == f"{location}BILLING_PERIOD=$${{billing_period}}/"
    assert table["storage_descriptor"]["ser_de_info"]["serialization_library"].endswith("ParquetHiveSerDe")
    (catalog,) = resources_of(management, "aws_glue_data_catalog_encryption_settings").values()
    rest = catalog["data_catalog_encryption_settings"]["encryption_at_rest"]
    assert rest["catalog_encryption_mode"] == "SSE-KMS"


def test_athena_workgroup_enforces_encrypted_results_in_its_own_bucket(management) -> None:
    (workgroup,) = resources_of(management, "aws_athena_workgroup").values()
    configuration = workgroup["configuration"]
    assert configuration["enforce_workgroup_configuration"] is True
    result = configuration["result_configuration"]
    key_name = next(n for n, b in resources_of(management, "aws_kms_key").items() if "/cost-export/key/" in _path(b))
    assert result["encryption_configuration"] == {"encryption_option": "SSE_KMS",
                                                  "kms_key_arn": f"${{aws_kms_key.{key_name}.arn}}"}
    results_policy = next(n for n, b in resources_of(management, "aws_s3_bucket_policy").items()
                          if "/cost-reports/queries/results/" in _path(b))
    assert result["output_location"] == f"s3://${{aws_s3_bucket_policy.{results_policy}.bucket}}/"
    assert result["expected_bucket_owner"] == "210987654321"
    assert configuration["bytes_scanned_cutoff_per_query"] > 0


def test_saved_queries_report_on_the_export_table(management) -> None:
    (workgroup_name,) = resources_of(management, "aws_athena_workgroup")
    (database_name,) = resources_of(management, "aws_glue_catalog_database")
    database = resources_of(management, "aws_glue_catalog_database")[database_name]["name"]
    queries = {b["name"].removeprefix(f"{ORG}-"): b for b in resources_of(management, "aws_athena_named_query").values()}
    assert set(queries) == {"cost-by-ml-user", "cost-by-ml-team", "cost-by-ml-product", "usage-studio-users",
                            "usage-instance-types", "usage-endpoints"}
    for name, query in queries.items():
        assert query["database"] == f"${{aws_glue_catalog_database.{database_name}.name}}"
        assert query["workgroup"] == f"${{aws_athena_workgroup.{workgroup_name}.name}}"
        assert f'FROM "{database}"."cost_and_usage"' in query["query"], name
        assert "billing_period >= date_format(" in query["query"]
        assert "[" not in query["query"], name  # map values through element_at: a missing key is NULL
    assert "'user_sagemaker_user_profile_arn'" in queries["cost-by-ml-user"]["query"]
    assert f"element_at(cost_category, '{ORG}_ml_team') AS ml_team" in queries["cost-by-ml-team"]["query"]
    assert f"element_at(cost_category, '{ORG}_line_of_business')" in queries["cost-by-ml-team"]["query"]
    assert "'user_sagemaker_project_name'" in queries["cost-by-ml-product"]["query"]
    assert "COUNT(DISTINCT element_at(resource_tags, 'user_sagemaker_user_profile_arn'))" in \
        queries["usage-studio-users"]["query"]
    assert "product_instance_type" in queries["usage-instance-types"]["query"]
    assert "LIKE '%:endpoint/%'" in queries["usage-endpoints"]["query"]


def test_cost_resources_use_the_home_region_provider_only(management) -> None:
    kinds = ("aws_ce_cost_allocation_tag", "aws_ce_cost_category", "aws_ce_anomaly_monitor",
             "aws_ce_anomaly_subscription", "aws_bcmdataexports_export", "aws_athena_workgroup",
             "aws_athena_named_query", "aws_glue_catalog_table")
    for kind in kinds:
        for body in resources_of(management, kind).values():
            assert body.get("provider", "aws") == "aws", kind
