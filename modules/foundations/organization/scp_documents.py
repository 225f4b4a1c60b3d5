"""The documents of the service control policies, rendered from the templates shipped with mlplat.

No engine here: ``mlplat controls`` reads the same documents that the organization stack attaches.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jinja2
from pydantic import Field

from mlplat.modules.base import Props
from mlplat.modules.foundations.organization import defaults

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
