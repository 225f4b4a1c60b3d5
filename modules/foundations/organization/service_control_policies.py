"""Service control policies rendered from the templates shipped with mlplat, and their OU attachments."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.organization import defaults
from mlplat.modules.foundations.organization.naming import construct_id
from mlplat.modules.foundations.organization.scp_documents import (  # noqa: F401 - re-exported
    ScpParameters,
    ServiceControlPolicyError,
    render_service_control_policy,
    template_names,
)


class PolicyAttachment(Props):
    """Attach ``policy`` to the target whose stable name is ``target`` (an OU path) and id is ``target_id``."""

    target: str
    target_id: str
    policy: str


class ServiceControlPoliciesProps(Props):
    name_prefix: str  # policies are named '<prefix>-<policy>'
    policies: dict[str, str]  # policy name -> description
    attachments: list[PolicyAttachment]
    parameters: ScpParameters
    max_characters: int = defaults.MAX_SCP_CHARACTERS
    max_policies_per_target: int = defaults.MAX_SCPS_PER_TARGET
    depends_on: list[Any] = Field(default_factory=list)


class ServiceControlPolicies(Construct):
    """One ``aws_organizations_policy`` (SERVICE_CONTROL_POLICY) per policy and one attachment per (target, policy).

    Each document is rendered from ``templates/scp/<name>.json.j2`` with the allowed regions, the execution
    role (exempt from the guardrails that protect the platform's own resources), the region-exempt roles
    and the log archive bucket name pattern, checked to be JSON and minified. Fails, naming the policy,
    when a document exceeds AWS's 5,120 characters or a target would get more than 4 policies
    (FullAWSAccess takes the fifth place).

    Exposes ``documents`` (name -> minified JSON) and ``policy_ids`` (name -> id token).
    """

    def __init__(self, scope: Construct, id: str, props: ServiceControlPoliciesProps) -> None:
        super().__init__(scope, id)
        per_target = Counter(a.target for a in props.attachments)
        crowded = sorted(t for t, n in per_target.items() if n > props.max_policies_per_target)
        if crowded:
            raise ServiceControlPolicyError(
                f"more than {props.max_policies_per_target} service control policies attached to "
                f"{', '.join(crowded)}; AWS allows 5 per target including FullAWSAccess")
        unknown = sorted({a.policy for a in props.attachments} - set(props.policies))
        if unknown:
            raise ServiceControlPolicyError(f"attachments name policies that are not declared: {', '.join(unknown)}")

        self.documents: dict[str, str] = {}
        self.policy_ids: dict[str, str] = {}
        for name in sorted(props.policies):
            document = render_service_control_policy(name, props.parameters, props.max_characters)
            policy = aws.organizations_policy.OrganizationsPolicy(
                self, name,
                name=f"{props.name_prefix}-{name}",
                description=props.policies[name],
                type=defaults.SCP_TYPE,
                content=document,
                depends_on=list(props.depends_on) or None,
            )
            self.documents[name] = document
            self.policy_ids[name] = policy.id

        seen: set[str] = set()
        for attachment in sorted(props.attachments, key=lambda a: (a.target, a.policy)):
            cid = construct_id(f"attach-{attachment.policy}", attachment.target)
            if cid in seen:
                raise ServiceControlPolicyError(
                    f"policy {attachment.policy!r} is attached twice to {attachment.target!r} (or to a target "
                    "whose name differs only in case or punctuation)")
            seen.add(cid)
            aws.organizations_policy_attachment.OrganizationsPolicyAttachment(
                self, cid, policy_id=self.policy_ids[attachment.policy], target_id=attachment.target_id,
            )
