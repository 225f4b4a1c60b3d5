"""The Terraform Cloud project of an organization's stacks, their workspaces, run triggers and credentials."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from pydantic import Field

from mlplat import engine
from mlplat.engine import Construct
from mlplat.modules.base import Props
from mlplat.modules.terraform_cloud import defaults


class Workspace(Props):
    """One stack's workspace and the roles its runs assume in the stack's account."""

    stack: str
    name: str  # the workspace's name: the one the stack's cloud block selects
    role_arns: dict[str, str]  # run phase (plan, apply) -> role ARN in the stack's own account


class TerraformCloudWorkspacesProps(Props):
    organization: str
    hostname: str | None = None  # None: app.terraform.io
    project: str
    description: str
    workspaces: list[Workspace] = Field(min_length=1)
    dependencies: dict[str, list[str]]  # stack -> the stacks it depends on (every edge of the graph)
    run_trigger_sources: dict[str, list[str]]  # stack -> the stacks whose applies queue a run in its workspace


def run_trigger_sources(dependencies: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Which workspaces queue a run in each workspace: every one it depends on; for a workspace with more
    than Terraform Cloud's 20, only those it depends on directly (the others reach it through them); none
    when even those are more than 20."""
    above: dict[str, set[str]] = {}

    def ancestors(name: str) -> set[str]:
        if name not in above:
            above[name] = set()
            for dependency in dependencies.get(name, ()):
                above[name] |= {dependency} | ancestors(dependency)
        return above[name]

    sources = {}
    for stack, upstream in dependencies.items():
        chosen = list(upstream)
        if len(chosen) > defaults.MAX_RUN_TRIGGER_SOURCES:
            chosen = [d for d in upstream if not any(d in ancestors(other) for other in upstream if other != d)]
        sources[stack] = sorted(chosen) if len(chosen) <= defaults.MAX_RUN_TRIGGER_SOURCES else []
    return sources


class TerraformCloudWorkspaces(Construct):
    """A project named for the organization and, per stack, a workspace with its settings, variables and
    run triggers, through the ``hashicorp/tfe`` provider.

    * Workspaces run in ``local`` execution mode: mlplat plans and applies, Terraform Cloud keeps the state.
      A workspace that already exists (one ``terraform init`` created, or one made by hand) is adopted
      through an ``import`` block instead of failing the apply.
    * State is shared only along the graph: no organization-wide sharing, and each workspace names the
      workspaces of the stacks that read its outputs as its only remote state consumers.
    * A run trigger from each dependency's workspace (see :func:`run_trigger_sources`); they queue runs
      only in workspaces that run remotely.
    * ``TFC_AWS_PROVIDER_AUTH`` and the plan and apply role ARNs of the stack's own account, as environment
      variables: the dynamic credentials of a run inside Terraform Cloud.
    """

    def __init__(self, scope: Construct, id: str, props: TerraformCloudWorkspacesProps) -> None:
        super().__init__(scope, id)
        stack = engine.core.TerraformStack.of(self)
        tfe = engine.generic_provider(stack, defaults.PROVIDER_NAME, source=defaults.PROVIDER_SOURCE,
                                      version=defaults.PROVIDER_VERSION, hostname=props.hostname,
                                      organization=props.organization)
        project = engine.generic_resource(self, "project", "tfe_project", tfe, name=props.project,
                                          organization=props.organization, description=props.description)
        names = [w.name for w in props.workspaces]
        existing = engine.generic_data_source(self, "existing", "tfe_workspace_ids", tfe,
                                              organization=props.organization, names=names)
        existing_ids = f"keys({_reference(existing, 'ids')})"

        self.workspace_ids: dict[str, str] = {}
        imports = []
        resources = {}
        for workspace in props.workspaces:
            resource = engine.generic_resource(
                self, workspace.stack, "tfe_workspace", tfe, name=workspace.name, organization=props.organization,
                project_id=project.get_string_attribute("id"),
                description=f"Stack {workspace.stack} of {props.description}")
            resources[workspace.stack] = resource
            self.workspace_ids[workspace.stack] = resource.get_string_attribute("id")
            full_name = json.dumps(f"{props.organization}/{workspace.name}")
            imports.append({
                "for_each": f"${{contains({existing_ids}, {json.dumps(workspace.name)}) ? toset([{full_name}]) : toset([])}}",
                "to": f"tfe_workspace.{resource.friendly_unique_id}",
                "id": "${each.value}",
            })
        engine.import_blocks(stack, imports)

        dependents: dict[str, list[str]] = {w.stack: [] for w in props.workspaces}
        for stack_name, upstream in props.dependencies.items():
            for dependency in upstream:
                dependents[dependency].append(stack_name)
        for workspace in props.workspaces:
            workspace_id = self.workspace_ids[workspace.stack]
            engine.generic_resource(
                self, f"{workspace.stack}-settings", "tfe_workspace_settings", tfe, workspace_id=workspace_id,
                execution_mode=defaults.EXECUTION_MODE, global_remote_state=False, project_remote_state=False,
                remote_state_consumer_ids=[self.workspace_ids[d] for d in sorted(dependents[workspace.stack])])
            engine.generic_resource(
                self, f"{workspace.stack}-aws-auth", "tfe_variable", tfe, workspace_id=workspace_id,
                key=defaults.PROVIDER_AUTH_VARIABLE, value="true", category=defaults.VARIABLE_CATEGORY,
                description="Runs in Terraform Cloud authenticate to AWS with dynamic credentials")
            for phase, key in defaults.ROLE_VARIABLES.items():
                engine.generic_resource(
                    self, f"{workspace.stack}-{phase}-role", "tfe_variable", tfe, workspace_id=workspace_id,
                    key=key, value=workspace.role_arns[phase], category=defaults.VARIABLE_CATEGORY,
                    description=f"The role {phase} runs assume in the stack's account")
            for source in props.run_trigger_sources.get(workspace.stack, []):
                engine.generic_resource(
                    self, f"{workspace.stack}-after-{source}", "tfe_run_trigger", tfe,
                    workspace_id=workspace_id, sourceable_id=self.workspace_ids[source])


def _reference(element: object, attribute: str) -> str:
    """``data.<type>.<name>.<attribute>`` of a data source, for use inside a larger expression."""
    return f"data.{element.terraform_resource_type}.{element.friendly_unique_id}.{attribute}"  # type: ignore[attr-defined]
