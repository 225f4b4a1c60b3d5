"""Placement of Terraform Cloud's access to every account (cloud backend only).

Each account's stack gets the OIDC provider of the Terraform Cloud host and a plan and an apply role for
each workspace whose runs act in that account: its own stack's, and in the management account also the
organization stack's. The management account's roles are in the management stack, with the rest of what
that account runs for itself: an account holds one OIDC provider per host, so one stack must hold it.
The bootstrap stack names the same roles in each workspace's variables (:func:`role_arn`).
"""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.resolve.model import Org
from mlplat.stacks.context import StackSet


def workspace_stacks(org: Org) -> dict[str, list[str]]:
    """Account key -> the stacks whose runs act in that account (each has a workspace)."""
    found: dict[str, list[str]] = {}
    for stack in org.stacks:
        if stack.kind in ("organization", "account"):
            found.setdefault(stack.account, []).append(stack.name)
    return found


def role_arn(account_id: str, stack: str, phase: str) -> str:
    from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH

    return f"arn:aws:iam::{account_id}:role{PLATFORM_IAM_PATH}{naming.tfc_role_name(stack, phase)}"


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.identity.defaults import TERRAFORM_CLOUD_RUN_PHASES
    from mlplat.modules.foundations.identity.terraform_cloud import (
        TerraformCloudAccess,
        TerraformCloudAccessProps,
        WorkspaceRoles,
    )

    org = stacks.org
    state = org.state
    if state.backend != "cloud":
        return
    for account, names in workspace_stacks(org).items():
        handle = stacks.for_account(account)
        if not handle.built:
            continue
        TerraformCloudAccess(handle.scope, "terraform-cloud", TerraformCloudAccessProps(
            hostname=state.cloud_hostname, organization=state.organization, project=state.project,
            workspaces=[WorkspaceRoles(workspace=state.workspace(name),
                                       role_names={phase: naming.tfc_role_name(name, phase)
                                                   for phase in TERRAFORM_CLOUD_RUN_PHASES})
                        for name in names],
            provider=handle.provider(),
        ))
