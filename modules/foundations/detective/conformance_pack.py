"""The template body of an organization conformance pack, rendered from the catalogue.

No engine here. mlplat ships one Jinja2 template (``templates/conformance_packs/conformance-pack.yaml.j2``)
and fills it with the pack's rules for one region: the home region gets every rule, the other regions
leave out the global ones (IAM and account-wide settings are evaluated once).
"""

from __future__ import annotations

import json
import re
from importlib import resources

import jinja2
import yaml

from mlplat.modules.foundations.detective import defaults
from mlplat.modules.foundations.detective.catalog import FRAMEWORKS, ConfigRule, ConformancePack

TEMPLATE = ("conformance_packs", "conformance-pack.yaml.j2")


class ConformancePackError(ValueError):
    """A conformance pack cannot be rendered, or is larger than AWS Config accepts."""


def pack_rules(pack: ConformancePack, home_region: bool) -> tuple[ConfigRule, ...]:
    """The rules of ``pack`` deployed in a region: all of them in the home region, the regional ones elsewhere."""
    return tuple(r for r in pack.rules if home_region or not r.global_only)


def logical_id(rule: ConfigRule) -> str:
    """The CloudFormation logical id of a rule: its name in CamelCase (s3-tls-requests-only: S3TlsRequestsOnly)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule.name) if part)


def render_conformance_pack(pack: ConformancePack, region: str, home_region: bool,
                            max_bytes: int = defaults.CONFORMANCE_PACK_TEMPLATE_MAX_BYTES) -> str:
    """The YAML template body of ``pack`` in ``region``; fails on a template error or excess size."""
    template = resources.files("mlplat.templates").joinpath(*TEMPLATE).read_text(encoding="utf-8")
    rules = [{"logical_id": logical_id(r), "name": r.name, "protects": r.protects, "identifier": r.identifier,
              "scope": r.scope, "parameters": r.parameters} for r in pack_rules(pack, home_region)]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    environment.filters["quote"] = lambda value: json.dumps(value, ensure_ascii=False)  # a YAML double-quoted scalar
    try:
        body = environment.from_string(template).render(
            title=pack.title, framework_title=FRAMEWORKS[pack.framework], region=region, rules=rules)
    except jinja2.TemplateError as exc:
        raise ConformancePackError(f"conformance pack {pack.name!r}: template error: {exc}") from exc
    try:
        document = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise ConformancePackError(f"conformance pack {pack.name!r}: the template renders invalid YAML: {exc}") from exc
    if len(document["Resources"]) != len(rules):
        raise ConformancePackError(f"conformance pack {pack.name!r}: two rules share a logical id")
    size = len(body.encode("utf-8"))
    if size > max_bytes:
        raise ConformancePackError(f"conformance pack {pack.name!r} is {size:,} bytes in {region}; AWS Config "
                                   f"accepts a template body of at most {max_bytes:,} bytes")
    return body
