"""The tag policy of the OUs holding the teams' accounts: the cost tags' keys and the values the spec knows."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.cost import defaults
from mlplat.modules.foundations.organization.naming import unique_ids


class TagPolicyError(ValueError):
    """A tag policy larger than AWS Organizations accepts."""


class CostTagPolicyProps(Props):
    name: str
    description: str
    content: str  # the minified policy document
    targets: dict[str, str]  # OU path -> id
    depends_on: list[Any] = Field(default_factory=list)  # the organization, which enables the policy type


class CostTagPolicy(Construct):
    """An ``aws_organizations_policy`` of type TAG_POLICY and its attachment to each target OU.

    The policy fixes each cost tag key's case and lists its allowed values; AWS reports resources that do
    not comply, and refuses noncompliant tagging on the resource types its ``enforced_for`` names. Fails
    when the document exceeds AWS's 10,000 characters (the resolver reports it first, against the spec).
    """

    def __init__(self, scope: Construct, id: str, props: CostTagPolicyProps) -> None:
        super().__init__(scope, id)
        if len(props.content) > defaults.MAX_TAG_POLICY_CHARACTERS:
            raise TagPolicyError(f"tag policy {props.name!r} is {len(props.content):,} characters; AWS Organizations "
                                 f"accepts {defaults.MAX_TAG_POLICY_CHARACTERS:,}")
        depends_on = list(props.depends_on) or None
        policy = aws.organizations_policy.OrganizationsPolicy(
            self, "policy", name=props.name, description=props.description, type=defaults.TAG_POLICY_TYPE,
            content=props.content, depends_on=depends_on)
        self.policy_id: str = policy.id
        for path, cid in unique_ids("attach", sorted(props.targets), "tag policy targets").items():
            aws.organizations_policy_attachment.OrganizationsPolicyAttachment(
                self, cid, policy_id=policy.id, target_id=props.targets[path], depends_on=depends_on)
