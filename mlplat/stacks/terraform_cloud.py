"""Placement of the Terraform Cloud bootstrap stack (cloud backend only).

The bootstrap stack makes the project and every other stack's workspace, with its settings, variables
and run triggers, from the same graph that orders the stacks (:mod:`mlplat.graph`, which a test holds
equal to the dependencies the engine records). It comes after the organization stack, whose account ids
the role ARNs in the variables need, and before every account stack, so that their workspaces exist, in
their project and mode, before their first ``terraform init``. Its own state is in a workspace it does
not manage (``<prefix><org>-tfc-bootstrap``): a stack cannot create the workspace that holds its state.
"""

from __future__ import annotations

from mlplat.graph import stack_graph
from mlplat.stacks.context import StackSet
from mlplat.stacks.foundations.terraform_cloud import role_arn


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.identity.defaults import TERRAFORM_CLOUD_RUN_PHASES
    from mlplat.modules.terraform_cloud.workspaces import (
        TerraformCloudWorkspaces,
        TerraformCloudWorkspacesProps,
        Workspace,
        run_trigger_sources,
    )

    org = stacks.org
    bootstrap = stacks.tfc_bootstrap
    if bootstrap is None:
        return
    state = org.state
    for handle in stacks.accounts():
        if handle.built:
            handle.scope.add_dependency(bootstrap.scope)  # its workspace exists before its first run
    if not bootstrap.built:
        return
    graph = stack_graph(org)
    managed = [node for node in graph.nodes if node.name != bootstrap.name]
    dependencies = {node.name: [d for d in node.depends_on if d != bootstrap.name] for node in managed}
    TerraformCloudWorkspaces(bootstrap.scope, "terraform-cloud", TerraformCloudWorkspacesProps(
        organization=state.organization, hostname=state.hostname, project=state.project,
        description=f"the {org.name} organization's stacks, synthesized by mlplat",
        workspaces=[Workspace(stack=node.name, name=state.workspace(node.name),
                              role_arns={phase: role_arn(bootstrap.account_id(node.account), node.name, phase)
                                         for phase in TERRAFORM_CLOUD_RUN_PHASES})
                    for node in managed],
        dependencies=dependencies,
        run_trigger_sources=run_trigger_sources(dependencies),
    ))
    # the role ARNs read the organization stack's account ids; with only adopted accounts they would
    # not, and the order would still be: organization, bootstrap, every account stack
    bootstrap.scope.add_dependency(stacks.organization.scope)
