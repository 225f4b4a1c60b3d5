"""Placement of module 1 (multi-account foundations), in the order the shared values flow."""

from __future__ import annotations

from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.stacks.foundations import baseline, detective, logging, network, organization, terraform_cloud

    organization.place(stacks)  # account ids, organization id/ARN, SCPs, Identity Center
    logging.place(stacks)  # log archive, organization trail, security services
    baseline.place(stacks)  # every account: baseline and Config recorder into the log archive
    detective.place(stacks)  # Config organization rules and conformance packs, Macie (security tooling, applied last)
    network.place(stacks)  # Transit Gateway hub, endpoint hub, spokes
    terraform_cloud.place(stacks)  # every account: Terraform Cloud's OIDC provider and roles (cloud backend only)
