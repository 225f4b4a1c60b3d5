"""The Terraform Cloud bootstrap stack of a spec with the cloud backend, read from its synthesized JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conftest import example_spec, resources_of, stack_json
from mlplat import api
from mlplat.modules.terraform_cloud.workspaces import run_trigger_sources

BOOTSTRAP = "acme-tfc-bootstrap"
REFERENCE = re.compile(r"^\$\{tfe_workspace\.([^.]+)\.id\}$")


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


def _bootstrap(out: Path) -> dict[str, Any]:
    return stack_json(out, BOOTSTRAP)


def _workspaces(document: dict[str, Any]) -> dict[str, str]:
    """Resource name of each tfe_workspace -> the workspace's name."""
    return {address: body["name"] for address, body in resources_of(document, "tfe_workspace").items()}


def _workspace_of(document: dict[str, Any], reference: str) -> str:
    """The workspace name a '${tfe_workspace.<name>.id}' reference points at."""
    match = REFERENCE.match(reference)
    assert match, reference
    return _workspaces(document)[match.group(1)]


def test_one_workspace_per_stack_named_as_its_cloud_block_in_one_project(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    cloud_blocks = {name: stack_json(out, name)["terraform"]["cloud"] for name in _manifest(out)["stacks"]}
    assert all(block["organization"] == "acme-tfc" for block in cloud_blocks.values())
    # every stack's workspace but the bootstrap's own, which holds its state and which it cannot create
    assert sorted(_workspaces(document).values()) == sorted(
        block["workspaces"]["name"] for name, block in cloud_blocks.items() if name != BOOTSTRAP)
    assert cloud_blocks[BOOTSTRAP]["workspaces"]["name"] == BOOTSTRAP
    (project_address, project), = resources_of(document, "tfe_project").items()
    assert (project["name"], project["organization"]) == ("acme", "acme-tfc")
    for workspace in resources_of(document, "tfe_workspace").values():
        assert workspace["project_id"] == f"${{tfe_project.{project_address}.id}}"
        assert workspace["organization"] == "acme-tfc"
        assert "execution_mode" not in workspace  # deprecated there: the settings resource sets it


def test_workspaces_run_locally_and_share_state_only_with_their_dependents(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    dependents: dict[str, set[str]] = {name: set() for name in _workspaces(document).values()}
    for name, entry in _manifest(out)["stacks"].items():
        for dependency in entry["dependencies"]:
            if BOOTSTRAP not in (name, dependency):
                dependents[dependency].add(name)
    settings = resources_of(document, "tfe_workspace_settings").values()
    assert sorted(_workspace_of(document, s["workspace_id"]) for s in settings) == sorted(dependents)
    for setting in settings:
        workspace = _workspace_of(document, setting["workspace_id"])
        assert setting["execution_mode"] == "local"
        assert setting["global_remote_state"] is False and setting["project_remote_state"] is False
        assert {_workspace_of(document, r) for r in setting["remote_state_consumer_ids"]} == dependents[workspace]


def test_run_triggers_are_exactly_the_manifests_dependency_edges(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    triggers = {(_workspace_of(document, t["sourceable_id"]), _workspace_of(document, t["workspace_id"]))
                for t in resources_of(document, "tfe_run_trigger").values()}
    edges = {(dependency, name) for name, entry in _manifest(out)["stacks"].items()
             for dependency in entry["dependencies"] if BOOTSTRAP not in (name, dependency)}
    assert len(triggers) == len(resources_of(document, "tfe_run_trigger")) == len(edges)
    assert triggers == edges


def test_run_triggers_stay_within_terraform_clouds_twenty_sources() -> None:
    # 'all' depends on 25 stacks, 'mid' on the 24 leaves, 'wide' on 21 independent ones
    leaves = [f"s{i}" for i in range(24)]
    wide = [f"w{i}" for i in range(21)]
    dependencies = {name: [] for name in leaves + wide} | {"mid": leaves, "all": leaves + ["mid"], "wide": wide}
    sources = run_trigger_sources(dependencies)
    assert sources["all"] == ["mid"]  # the leaves reach it through 'mid'
    assert sources["wide"] == []  # 21 direct sources: more than Terraform Cloud takes
    assert sources["mid"] == [] and sources["s0"] == []
    assert run_trigger_sources({"a": [], "b": ["a"], "c": ["a", "b"]}) == {"a": [], "b": ["a"], "c": ["a", "b"]}


def test_each_workspace_names_the_roles_of_its_own_account_only(terraform_cloud) -> None:
    out, org = terraform_cloud
    document = _bootstrap(out)
    variables: dict[str, dict[str, dict[str, Any]]] = {}
    for variable in resources_of(document, "tfe_variable").values():
        workspace = _workspace_of(document, variable["workspace_id"])
        assert variable["key"] not in variables.setdefault(workspace, {})
        variables[workspace][variable["key"]] = variable
    account_of = {stack.name: org.account(stack.account) for stack in org.stacks}
    assert sorted(variables) == sorted(_workspaces(document).values())
    for workspace, by_key in variables.items():
        assert sorted(by_key) == ["TFC_AWS_APPLY_ROLE_ARN", "TFC_AWS_PLAN_ROLE_ARN", "TFC_AWS_PROVIDER_AUTH"]
        assert all(v["category"] == "env" for v in by_key.values())
        assert by_key["TFC_AWS_PROVIDER_AUTH"]["value"] == "true"
        # the account id as the stack's own provider names it (a literal, or the organization stack's output)
        account = account_of[workspace]
        own_stack = next(s.name for s in org.stacks if s.kind == "account" and s.account == account.key)
        (account_id,) = stack_json(out, own_stack)["provider"]["aws"][0]["allowed_account_ids"]
        for phase in ("plan", "apply"):
            arn = by_key[f"TFC_AWS_{phase.upper()}_ROLE_ARN"]["value"]
            assert arn == f"arn:aws:iam::{account_id}:role/mlplat/{workspace}-tfc-{phase}"
            # the role exists in the stack of that account
            roles = resources_of(stack_json(out, own_stack), "aws_iam_role").values()
            assert [r["path"] for r in roles if r["name"] == f"{workspace}-tfc-{phase}"] == ["/mlplat/"]
    management_id = org.management_account_id
    assert variables["acme-organization"]["TFC_AWS_APPLY_ROLE_ARN"]["value"] == (
        f"arn:aws:iam::{management_id}:role/mlplat/acme-organization-tfc-apply")


def test_existing_workspaces_are_adopted_instead_of_failing(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    (lookup_address, lookup), = document["data"]["tfe_workspace_ids"].items()
    workspaces = _workspaces(document)
    assert sorted(lookup["names"]) == sorted(workspaces.values()) and lookup["organization"] == "acme-tfc"
    imports = {block["to"]: block for block in document["import"]}
    assert sorted(imports) == sorted(f"tfe_workspace.{address}" for address in workspaces)
    for address, name in workspaces.items():
        block = imports[f"tfe_workspace.{address}"]
        assert block["id"] == "${each.value}"
        assert block["for_each"] == (
            f'${{contains(keys(data.tfe_workspace_ids.{lookup_address}.ids), "{name}") '
            f'? toset(["acme-tfc/{name}"]) : toset([])}}')


def test_the_tfe_provider_is_required_explicitly_and_no_aws_provider_runs_here(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    assert document["terraform"]["required_providers"] == {"tfe": {"source": "hashicorp/tfe", "version": "~> 0.80.0"}}
    assert document["provider"] == {"tfe": [{"organization": "acme-tfc"}]}
    assert set(document["resource"]) == {"tfe_project", "tfe_workspace", "tfe_workspace_settings", "tfe_variable",
                                         "tfe_run_trigger"}


def test_the_bootstrap_comes_after_the_organization_and_before_every_account_stack(terraform_cloud) -> None:
    out, org = terraform_cloud
    stacks = _manifest(out)["stacks"]
    assert stacks[BOOTSTRAP]["dependencies"] == ["acme-organization"]
    assert stacks["acme-organization"]["dependencies"] == []
    accounts = [s.name for s in org.stacks if s.kind == "account"]
    assert accounts and all(BOOTSTRAP in stacks[name]["dependencies"] for name in accounts)


def test_graph_rules_match_the_dependencies_the_engine_records(terraform_cloud) -> None:
    out, org = terraform_cloud
    recorded = {name: sorted(entry["dependencies"]) for name, entry in _manifest(out)["stacks"].items()}
    from mlplat.graph import stack_graph

    assert {node.name: list(node.depends_on) for node in stack_graph(org).nodes} == recorded


def test_nothing_of_terraform_cloud_with_the_s3_or_local_backend(synthesized) -> None:
    for example in ("minimal", "enterprise"):
        out = synthesized(example)
        names = _manifest(out)["stacks"]
        assert not any(name.endswith("-tfc-bootstrap") for name in names)
        assert {s.name for s in api.validate(example_spec(example)).stacks} == set(names)
        for name in names:
            document = stack_json(out, name)
            assert not any(kind.startswith("tfe_") for kind in document.get("resource", {}))
            assert "tfe" not in document["terraform"].get("required_providers", {})
            assert not resources_of(document, "aws_iam_openid_connect_provider")
            assert not [r for r in resources_of(document, "aws_iam_role").values() if "-tfc-" in r["name"]]


def test_a_terraform_enterprise_host_prefix_and_project_reach_every_name(tmp_path: Path) -> None:
    spec = tmp_path / "mlplat.yaml"
    spec.write_text(example_spec("minimal").read_text() + (
        "state:\n  backend: cloud\n  organization: acme-tfc\n  hostname: tfe.acme.example\n"
        "  workspace_prefix: lz-\n  project: landing-zone\n"))
    out = tmp_path / "out"
    api.synth(spec, out)
    document = stack_json(out, BOOTSTRAP)
    assert document["terraform"]["cloud"] == {"organization": "acme-tfc", "hostname": "tfe.acme.example",
                                              "workspaces": {"name": "lz-acme-tfc-bootstrap"}}
    assert document["provider"]["tfe"] == [{"hostname": "tfe.acme.example", "organization": "acme-tfc"}]
    assert [p["name"] for p in resources_of(document, "tfe_project").values()] == ["landing-zone"]
    assert all(name.startswith("lz-acme-") for name in _workspaces(document).values())
    (remote,) = document["data"]["terraform_remote_state"].values()
    assert remote["config"]["hostname"] == "tfe.acme.example"
    dev = stack_json(out, "acme-churn-dev")
    (oidc,) = resources_of(dev, "aws_iam_openid_connect_provider").values()
    assert oidc["url"] == "https://tfe.acme.example"
    role = next(r for r in resources_of(dev, "aws_iam_role").values() if r["name"] == "acme-churn-dev-tfc-plan")
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Condition"]["StringEquals"] == {
        "tfe.acme.example:aud": "aws.workload.identity",
        "tfe.acme.example:sub": "organization:acme-tfc:project:landing-zone:workspace:lz-acme-churn-dev:run_phase:plan"}


# The arguments of each block as the tfe provider documents them (v0.80; website/docs of
# hashicorp/terraform-provider-tfe): the engine has no bindings to check them.
DOCUMENTED = {
    "tfe_project": {"name", "organization", "description", "tags", "auto_destroy_activity_duration",
                    "ignore_additional_tags"},
    "tfe_workspace": {"name", "organization", "project_id", "description", "tags", "force_delete",
                      "terraform_version", "queue_all_runs"},
    "tfe_workspace_settings": {"workspace_id", "execution_mode", "agent_pool_id", "global_remote_state",
                               "project_remote_state", "remote_state_consumer_ids", "auto_apply",
                               "assessments_enabled", "description", "tags"},
    "tfe_variable": {"key", "value", "category", "description", "hcl", "sensitive", "workspace_id",
                     "variable_set_id"},
    "tfe_run_trigger": {"workspace_id", "sourceable_id"},
}
META = {"//", "provider", "depends_on", "lifecycle"}


def test_every_tfe_block_uses_only_documented_arguments(terraform_cloud) -> None:
    out, _ = terraform_cloud
    document = _bootstrap(out)
    for kind, blocks in document["resource"].items():
        for body in blocks.values():
            assert set(body) - META <= DOCUMENTED[kind], kind
    for body in document["data"]["tfe_workspace_ids"].values():
        assert set(body) - META <= {"names", "organization", "tag_filters"}
    for body in document["provider"]["tfe"]:
        assert set(body) <= {"hostname", "organization", "token", "ssl_skip_verify"}
    settings = next(iter(resources_of(document, "tfe_workspace_settings").values()))
    assert settings["execution_mode"] in {"remote", "local", "agent"}
    assert {v["category"] for v in resources_of(document, "tfe_variable").values()} <= {"terraform", "env"}
