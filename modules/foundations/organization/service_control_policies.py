"""Service control policies rendered from the templates shipped with mlplat, and their OU attachments."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from typing import Any

import jinja2
from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.organization import defaults
from mlplat.modules.foundations.organization.naming import construct_id

TEMPLATE_PACKAGE = "mlplat.templates"


class ServiceControlPolicyError(ValueError):
    """A service control policy cannot be rendered, is not JSON, or is larger than AWS accepts."""


class ScpParameters(Props):
    """What the SCP templates are filled with."""

    allowed_regions: list[str]
    execution_role_name: str
    region_exempt_role_names: list[str] = Field(default_factory=list)
    log_archive_bucket_pattern: str  # bucket name with wildcards: '<org>-log-archive-*'
    global_service_actions: list[str] = Field(default_factory=lambda: list(defaults.GLOBAL_SERVICE_ACTIONS))

    def template_context(self) -> dict[str, Any]:
        execution_role_arn = _role_arn(self.execution_role_name)
        exempt = [execution_role_arn] + [_role_arn(n) for n in sorted(set(self.region_exempt_role_names))
                                         if n != self.execution_role_name]
        bucket = f"arn:aws:s3:::{self.log_archive_bucket_pattern}"
        return {
            "allowed_regions": sorted(set(self.allowed_regions)),
            "execution_role_arn": execution_role_arn,
            "exempt_role_arns": exempt,
            "log_archive_bucket_arns": [bucket, f"{bucket}/*"],
            "global_service_actions": sorted(set(self.global_service_actions)),
        }


def _role_arn(name: str) -> str:
    return f"arn:aws:iam::*:role/{name}"


def template_names() -> list[str]:
    """The SCP names mlplat ships a template for."""
    folder = resources.files(TEMPLATE_PACKAGE) / "scp"
    return sorted(p.name.removesuffix(".json.j2") for p in folder.iterdir() if p.name.endswith(".json.j2"))


def render_service_control_policy(name: str, parameters: ScpParameters,
                                  max_characters: int = defaults.MAX_SCP_CHARACTERS) -> str:
    """The minified JSON document of the SCP ``name``; fails on an unknown name, invalid JSON or excess size."""
    template_file = resources.files(TEMPLATE_PACKAGE) / "scp" / f"{name}.json.j2"
    if not template_file.is_file():
        raise ServiceControlPolicyError(
            f"service control policy {name!r} has no template; known: {', '.join(template_names())}")
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    try:
        rendered = environment.from_string(template_file.read_text(encoding="utf-8")).render(
            **parameters.template_context())
    except jinja2.TemplateError as exc:
        raise ServiceControlPolicyError(f"service control policy {name!r}: template error: {exc}") from exc
    try:
        document = json.loads(rendered)
    except json.JSONDecodeError as exc:
        raise ServiceControlPolicyError(
            f"service control policy {name!r}: the template renders invalid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}") from exc
    minified = json.dumps(document, separators=(",", ":"))
    if len(minified) > max_characters:
        raise ServiceControlPolicyError(
            f"service control policy {name!r} is {len(minified):,} characters once minified; AWS Organizations "
            f"accepts at most {max_characters:,}. The document grows with the allowed regions "
            f"({len(parameters.allowed_regions)}) and the exempt roles ({len(parameters.region_exempt_role_names)}): "
            "allow fewer regions or exempt fewer roles.")
    return minified


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
