"""Logging and observability (module 7) on the synthesized enterprise example.

Account ids of created accounts are references to the organization stack's outputs named after the
account's key (``account_id_fraud-dev``); a reference to another stack's output names that stack
(``data.terraform_remote_state.<stack>``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import resources_of, stack_json

from mlplat.modules.ml_operations import defaults as operations
from mlplat.modules.observability import defaults

ORG = "northbank"
OBSERVABILITY = {"test": f"{ORG}-ml-observability-test", "prod": f"{ORG}-ml-observability-prod"}
LOG_ARCHIVE = f"{ORG}-log-archive"
ACCOUNT_REF = re.compile(r"outputs\.account_id_([a-z0-9-]+)\}")
ORG_STACK_ACCOUNT_REF = re.compile(r"aws_organizations_account\.organization_account-([a-z0-9-]+?)_[0-9A-F]{8}\.id")
RESOURCE_TYPES = ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup", "AWS::XRay::Trace"]


def _account_keys(text: str) -> set[str]:
    return set(ACCOUNT_REF.findall(text))


def _expected_sink(org, key: str) -> str | None:
    """Where each account links, written out: team accounts and the ML shared services by environment, the
    feature store to prod, nothing else."""
    account = org.account(key)
    if account.kind == "team":
        return "prod" if account.environment == "prod" else "test"
    return {"ml_shared_services_test": "test", "ml_shared_services_prod": "prod", "feature_store": "prod"}.get(account.role)


def _only(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    assert len(resources) == 1, sorted(resources)
    return next(iter(resources.values()))


def _statements(text: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(text)["Statement"]}


def _team_endpoints(team, environment: str) -> list[str]:
    if environment == "dev" or team.endpoint_instance_type is None:
        return []
    return [f"{team.model_package_group(u)}-{environment}" for u in team.use_cases]


def test_each_ml_account_links_to_exactly_the_sink_of_its_environment(enterprise) -> None:
    out, org = enterprise
    linked = 0
    for account in org.accounts:
        if account.kind == "management":
            continue
        links = resources_of(stack_json(out, account.name), "aws_oam_link")
        expected = _expected_sink(org, account.key)
        if expected is None:
            assert not links, account.key
            continue
        link = _only(links)
        other = "prod" if expected == "test" else "test"
        assert f"{OBSERVABILITY[expected]}.outputs." in link["sink_identifier"], account.key
        assert OBSERVABILITY[other] not in link["sink_identifier"], account.key
        assert link["resource_types"] == RESOURCE_TYPES
        assert link["label_template"] == "$AccountName"
        # only ML telemetry leaves the account
        config = link["link_configuration"]
        assert config["log_group_configuration"]["filter"].startswith("LogGroupName LIKE '/aws/sagemaker/%'")
        assert "AWS/SageMaker" in config["metric_configuration"]["filter"]
        linked += 1
    assert linked == 3 * len(org.teams) + 3  # every team account, both ML shared services, the feature store


def test_sink_policies_admit_only_their_accounts_in_the_organization(enterprise) -> None:
    out, org = enterprise
    for environment, stack in OBSERVABILITY.items():
        document = stack_json(out, stack)
        sink = _only(resources_of(document, "aws_oam_sink"))
        assert sink["name"] == f"{ORG}-ml-{environment}"
        policy = _only(resources_of(document, "aws_oam_sink_policy"))
        statement = _only(_statements(policy["policy"]))
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == ["oam:CreateLink", "oam:UpdateLink"]
        principals = statement["Principal"]["AWS"]
        assert all(p.startswith("arn:aws:iam::") and p.endswith(":root") for p in principals)
        expected = {a.key for a in org.members if _expected_sink(org, a.key) == environment}
        assert _account_keys(json.dumps(principals)) == expected
        assert len(principals) == len(expected)
        conditions = statement["Condition"]
        assert set(conditions) == {"StringEquals", "ForAllValues:StringEquals"}
        org_id = conditions["StringEquals"]["aws:PrincipalOrgID"]
        assert "northbank-organization" in org_id
        assert org_id.endswith(".outputs.organization_id}")
        assert conditions["ForAllValues:StringEquals"]["oam:ResourceTypes"] == RESOURCE_TYPES


def test_team_dashboards_name_only_their_own_accounts_and_endpoints(enterprise) -> None:
    out, org = enterprise
    for environment, stack in OBSERVABILITY.items():
        dashboards = {d["dashboard_name"]: d for d in
                      resources_of(stack_json(out, stack), "aws_cloudwatch_dashboard").values()}
        assert set(dashboards) == {f"{t.name}-ml" for t in org.teams}
        for team in org.teams:
            body_text = dashboards[f"{team.name}-ml"]["dashboard_body"]
            mine = {k for e, k in team.accounts.items() if _expected_sink(org, k) == environment}
            assert _account_keys(body_text) == mine, team.name
            body = json.loads(body_text)
            assert body_text == json.dumps(body, sort_keys=True, separators=(",", ":"))  # deterministic
            metrics = [m for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]]
            assert metrics
            for metric in metrics:
                options = metric[-1]
                account = options.get("accountId") or re.search(r':aws\.AccountId="([^"]+)"', options["expression"])[1]
                assert _account_keys(account) <= mine, (team.name, metric)
            shown = {m[m.index("EndpointName") + 1] for m in metrics if "EndpointName" in m}
            assert shown == {e for env, k in team.accounts.items() if _expected_sink(org, k) == environment
                             for e in _team_endpoints(team, env)}
            for other in org.teams:
                if other.name != team.name:
                    foreign = [e for env in ("test", "prod") for e in _team_endpoints(other, env)]
                    assert not any(e in body_text for e in foreign), (team.name, other.name)
            names = {m[1] for m in metrics if isinstance(m[0], str)}
            if environment == "prod":
                assert {"Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency",
                        "CPUUtilization", "MemoryUtilization", "GPUUtilization"} <= names
            searches = " ".join(m[-1].get("expression", "") for m in metrics)
            assert '"/aws/sagemaker/TrainingJobs"' in searches and '"/aws/sagemaker/ProcessingJobs"' in searches


def test_observability_alarms_watch_the_team_endpoints_with_the_team_thresholds(enterprise) -> None:
    out, org = enterprise
    for environment, stack in OBSERVABILITY.items():
        document = stack_json(out, stack)
        topics = {t["name"]: t for t in resources_of(document, "aws_sns_topic").values()}
        assert set(topics) == {f"{t.name}-ml-alerts" for t in org.teams}
        key_refs = {f"${{aws_kms_key.{k}.arn}}" for k in resources_of(document, "aws_kms_key")}
        assert all(t["kms_master_key_id"] in key_refs for t in topics.values())
        for policy in resources_of(document, "aws_sns_topic_policy").values():
            publish = _statements(policy["policy"])["AccountAlarmsPublish"]
            assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
            assert _account_keys(json.dumps(publish["Condition"])) == {f"ml-observability-{environment}"}
        alarms = {a["alarm_name"]: a for a in resources_of(document, "aws_cloudwatch_metric_alarm").values()}
        expected = {f"{e}-{suffix}": (team, e) for team in org.teams for e in _team_endpoints(team, environment)
                    for suffix in ("5xx-errors", "model-latency")}
        assert set(alarms) == set(expected)
        for name, (team, endpoint) in expected.items():
            alarm = alarms[name]
            (query,) = alarm["metric_query"]
            assert _account_keys(query["account_id"]) == {team.accounts[environment]}
            assert query["metric"]["dimensions"] == {"EndpointName": endpoint, "VariantName": "AllTraffic"}
            topic = next(k for k, t in resources_of(document, "aws_sns_topic").items() if t["name"] == f"{team.name}-ml-alerts")
            assert alarm["alarm_actions"] == [f"${{aws_sns_topic.{topic}.arn}}"]
            if name.endswith("5xx-errors"):
                assert alarm["threshold"] == operations.ERROR_ALARM_THRESHOLD
            else:
                assert alarm["threshold"] == operations.LATENCY_ALARM_THRESHOLD_MICROSECONDS
                assert query["metric"]["stat"] == "p90"


def test_sagemaker_log_groups_are_created_once_encrypted_and_kept(enterprise) -> None:
    out, org = enterprise
    assert org.controls.log_retention_days == 2557
    for team in org.teams:
        for environment, key in team.accounts.items():
            document = stack_json(out, org.account(key).name)
            groups = {g["name"]: g for g in resources_of(document, "aws_cloudwatch_log_group").values()
                      if g["name"].startswith("/aws/sagemaker/")}
            expected = {"/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TransformJobs"}
            if environment == "dev":
                expected.add("/aws/sagemaker/studio")
            expected |= {f"/aws/sagemaker/Endpoints/{e}" for e in _team_endpoints(team, environment)}
            assert set(groups) == expected, key
            all_names = [g["name"] for g in resources_of(document, "aws_cloudwatch_log_group").values()]
            assert len(all_names) == len(set(all_names)), key  # Terraform would fail on a second one
            keys = resources_of(document, "aws_kms_key")
            logs_key = next(k for k, v in keys.items() if "CloudWatchLogsEncryptsSageMakerLogs" in v["policy"])
            assert keys[logs_key]["enable_key_rotation"] is True
            for group in groups.values():
                assert group["kms_key_id"] == f"${{aws_kms_key.{logs_key}.arn}}"
                assert group["retention_in_days"] == 2557
            statement = _statements(keys[logs_key]["policy"])["CloudWatchLogsEncryptsSageMakerLogs"]
            assert statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
            context = statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
            assert context.startswith("arn:aws:logs:eu-west-1:") and context.endswith(":log-group:/aws/sagemaker/*")
            assert _account_keys(context) == {key}


@pytest.mark.parametrize(("days", "retention"), [(1, 1), (90, 90), (91, 120), (366, 400), (2000, 2192),
                                                 (2557, 2557), (3653, 3653), (3654, 0), (36500, 0)])
def test_log_retention_is_the_nearest_allowed_value_not_below(days: int, retention: int) -> None:
    assert defaults.log_retention(days) == retention


def test_fails_when_a_log_group_is_outside_sagemaker() -> None:
    from mlplat.modules.observability.log_groups import SageMakerLogGroupsProps

    with pytest.raises(ValueError, match="outside /aws/sagemaker/: /aws/lambda/x"):
        SageMakerLogGroupsProps(account_id="111122223333", region="eu-west-1", key_alias="alias/x",
                                log_group_names=["/aws/sagemaker/TrainingJobs", "/aws/lambda/x"], retention_days=365)


def test_athena_workgroup_enforces_encrypted_results_in_its_bucket(enterprise) -> None:
    out, _ = enterprise
    document = stack_json(out, LOG_ARCHIVE)
    workgroup = _only(resources_of(document, "aws_athena_workgroup"))
    assert workgroup["name"] == f"{ORG}-audit" and workgroup["state"] == "ENABLED"
    config = workgroup["configuration"]
    assert config["enforce_workgroup_configuration"] is True
    assert config["bytes_scanned_cutoff_per_query"] == 100 * 1024 ** 3
    results = config["result_configuration"]
    encryption = results["encryption_configuration"]
    assert encryption["encryption_option"] == "SSE_KMS"
    key = re.fullmatch(r"\$\{aws_kms_key\.(.+)\.arn\}", encryption["kms_key_arn"])[1]
    assert resources_of(document, "aws_kms_key")[key]["enable_key_rotation"] is True
    bucket_policy = re.fullmatch(r"s3://\$\{aws_s3_bucket_policy\.(.+)\.bucket\}/results/", results["output_location"])[1]
    bucket = resources_of(document, "aws_s3_bucket_policy")[bucket_policy]["bucket"]
    bucket_key = re.fullmatch(r"\$\{aws_s3_bucket\.(.+)\.id\}", bucket)[1]
    assert resources_of(document, "aws_s3_bucket")[bucket_key]["bucket"].startswith(f"{ORG}-log-queries-")
    sse = next(s for s in resources_of(document, "aws_s3_bucket_server_side_encryption_configuration").values()
               if s["bucket"] == bucket)
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"] == encryption["kms_key_arn"]
    block = next(b for b in resources_of(document, "aws_s3_bucket_public_access_block").values() if b["bucket"] == bucket)
    assert all(block[f] is True for f in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                          "restrict_public_buckets"))
    assert _account_keys(results["expected_bucket_owner"]) == {"log-archive"}


def test_trail_table_projects_the_organization_trail_layout(enterprise) -> None:
    out, org = enterprise
    document = stack_json(out, LOG_ARCHIVE)
    table = _only(resources_of(document, "aws_glue_catalog_table"))
    database = _only(resources_of(document, "aws_glue_catalog_database"))
    assert database["name"] == f"{ORG}_audit" and table["name"] == "organization_trail"
    storage = table["storage_descriptor"]
    location = storage["location"]
    assert location.startswith("s3://${aws_s3_bucket_policy.log-archive_bucket-policy_")  # the log archive bucket
    assert re.fullmatch(r"s3://\$\{[^}]+\}/AWSLogs/\$\{[^}]+organization[^}]+\}/", location)
    parameters = table["parameters"]
    assert parameters["storage.location.template"] == f"{location}$${{account}}/CloudTrail/$${{region}}/$${{day}}"
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.region.values"] == "eu-central-1,eu-west-1,us-east-1"
    assert parameters["projection.day.type"] == "date" and parameters["projection.day.format"] == "yyyy/MM/dd"
    assert parameters["projection.day.range"] == "NOW-2557DAYS,NOW"
    assert parameters["read_restored_glacier_objects"] == "true"  # archived days are read once restored
    accounts = parameters["projection.account.values"].split(",")
    assert len(accounts) == len(org.accounts) and "210987654321" in accounts
    assert _account_keys(parameters["projection.account.values"]) == {a.key for a in org.members}
    assert [p["name"] for p in table["partition_keys"]] == ["account", "region", "day"]
    assert storage["input_format"] == "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
    assert storage["ser_de_info"]["serialization_library"] == "org.apache.hive.hcatalog.data.JsonSerDe"
    columns = {c["name"]: c["type"] for c in storage["columns"]}
    for name in ("eventtime", "eventsource", "eventname", "requestparameters", "responseelements",
                 "recipientaccountid", "errorcode", "sourceipaddress"):
        assert columns[name] == "string"
    assert "username:string" in columns["useridentity"] and "sessionissuer:struct<" in columns["useridentity"]


def test_saved_queries_answer_the_auditors_questions(enterprise) -> None:
    out, _ = enterprise
    document = stack_json(out, LOG_ARCHIVE)
    queries = {q["name"]: q for q in resources_of(document, "aws_athena_named_query").values()}
    assert set(queries) == {"model-approvals", "persona-sign-ins", "scp-changes"}
    workgroup = next(iter(resources_of(document, "aws_athena_workgroup")))
    columns = {c["name"] for c in _only(resources_of(document, "aws_glue_catalog_table"))["storage_descriptor"]["columns"]}
    columns |= {"account", "region", "day"}
    for query in queries.values():
        sql = query["query"]
        assert query["workgroup"] == f"${{aws_athena_workgroup.{workgroup}.name}}"
        assert f'FROM "{ORG}_audit"."organization_trail"' in sql
        assert "{" not in sql.replace("${", "")  # every placeholder is filled
        assert sql.count("(") == sql.count(")")
        assert "day >= date_format(current_date - interval '30' day, '%Y/%m/%d')" in sql  # scans 30 days only
        fields = set(re.findall(r"\b(\w+)\s*(?:=|IN|IS|>=)", sql.split("WHERE", 1)[1]))
        assert fields <= columns | {"policy_type"}, fields - columns
    approvals = queries["model-approvals"]["query"]
    assert "eventname IN ('UpdateModelPackage', 'CreateModelPackage')" in approvals
    assert "json_extract_scalar(requestparameters, '$.modelApprovalStatus') = 'Approved'" in approvals
    sign_ins = queries["persona-sign-ins"]["query"]
    assert "eventname = 'AssumeRoleWithSAML'" in sign_ins and "AWSReservedSSO_" in sign_ins
    assert "recipientaccountid AS account_id" in sign_ins
    changes = queries["scp-changes"]["query"]
    assert "eventsource = 'organizations.amazonaws.com'" in changes
    for event in ("CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy"):
        assert f"'{event}'" in changes


def test_auditors_query_the_trail_in_the_log_archive_account_only(enterprise) -> None:
    out, _ = enterprise
    document = stack_json(out, f"{ORG}-organization")
    resources = document["resource"]
    names = {f"${{aws_ssoadmin_permission_set.{k}.arn}}": b["name"]
             for k, b in resources["aws_ssoadmin_permission_set"].items()}
    (policy,) = [b["inline_policy"] for b in resources["aws_ssoadmin_permission_set_inline_policy"].values()
                 if names[b["permission_set_arn"]] == "auditor"]
    statements = _statements(policy)
    assert set(statements) == {"AuditWorkgroupQueries", "AuditCatalog", "AthenaList", "AuditTables", "TrailFilesRead",
                               "TrailFilesList", "TrailBucketLocation", "QueryResultsObjects", "QueryResultsBucket",
                               "KeysThroughS3"}
    for sid, statement in statements.items():
        assert statement["Effect"] == "Allow"
        assert not any(a.endswith(":*") or a == "*" for a in statement["Action"]), sid
        if sid == "AthenaList":
            assert statement["Resource"] == "*" and all(a.startswith("athena:List") for a in statement["Action"])
            continue
        for resource in statement["Resource"]:
            assert ORG_STACK_ACCOUNT_REF.findall(resource) == ["log-archive"], (sid, resource)
    assert statements["AuditWorkgroupQueries"]["Resource"][0].endswith(":workgroup/northbank-audit")
    assert statements["TrailFilesRead"]["Action"] == ["s3:GetObject"]
    assert statements["TrailFilesRead"]["Resource"][0].endswith("/*") and "/AWSLogs/" in statements["TrailFilesRead"]["Resource"][0]
    assert set(statements["TrailFilesList"]["Condition"]["StringLike"]["s3:prefix"][0].split("/")[0:1]) == {"AWSLogs"}
    assert statements["KeysThroughS3"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
