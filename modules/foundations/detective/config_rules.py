"""AWS Config rules and conformance packs deployed to every account of the organization, one region at a time."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, model_validator

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.detective import defaults
from mlplat.modules.foundations.detective.catalog import ConfigRule, ConformancePack
from mlplat.modules.foundations.detective.conformance_pack import render_conformance_pack

CONFIG_RULE_NAME_MAX = 64  # AWS Config: organization rule names
CONFORMANCE_PACK_NAME_MAX = 128


class OrganizationConfigRulesProps(Props):
    name_prefix: str  # the organization's name: rules are named '<prefix>-<rule name>'
    region: str
    home_region: bool  # the global rules (IAM, account-wide settings) are deployed here only
    rules: list[ConfigRule]
    timeout: str = defaults.ORGANIZATION_RULE_TIMEOUT
    # what must exist first: the delegated administrator's own recorder in this region (AWS Config deploys
    # each rule to that account too, and the rule fails where nothing records)
    depends_on: list[Any] = Field(default_factory=list)
    provider: Any = None

    @model_validator(mode="after")
    def _names_fit(self) -> OrganizationConfigRulesProps:
        names = [f"{self.name_prefix}-{r.name}" for r in self.rules]
        too_long = [n for n in names if len(n) > CONFIG_RULE_NAME_MAX]
        if too_long:
            raise ValueError(f"Config rule names longer than {CONFIG_RULE_NAME_MAX} characters: {', '.join(too_long)}")
        if len(set(names)) != len(names):
            raise ValueError("two Config rules have the same name")
        return self


class OrganizationConfigRules(Construct):
    """AWS Config managed rules for the whole organization, in one region of the delegated administrator.

    One ``aws_config_organization_managed_rule`` per rule (the global ones in the home region only), named
    ``<prefix>-<rule>``, excluding no account, scoped to the resource types the rule evaluates (account-wide
    rules run on AWS Config's schedule). AWS Config deploys each rule into every account, where it needs the
    account's configuration recorder in that region.
    """

    def __init__(self, scope: Construct, id: str, props: OrganizationConfigRulesProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        module = aws.config_organization_managed_rule
        self.rule_names: list[str] = []
        for rule in props.rules:
            if rule.global_only and not props.home_region:
                continue
            name = f"{props.name_prefix}-{rule.name}"
            module.ConfigOrganizationManagedRule(
                self, rule.name,
                name=name,
                rule_identifier=rule.identifier,
                description=rule.protects,
                resource_types_scope=list(rule.scope) or None,
                input_parameters=json.dumps(dict(rule.parameters), sort_keys=True) if rule.parameters else None,
                timeouts=module.ConfigOrganizationManagedRuleTimeouts(
                    create=props.timeout, update=props.timeout, delete=props.timeout),
                depends_on=list(props.depends_on) or None,
                **provider,
            )
            self.rule_names.append(name)


class OrganizationConformancePacksProps(Props):
    name_prefix: str  # packs are named '<prefix>-<pack name>'
    region: str
    home_region: bool
    packs: list[ConformancePack] = Field(default_factory=list)
    timeout: str = defaults.CONFORMANCE_PACK_TIMEOUT
    # what must exist first: the delegated administrator's own recorder in this region (AWS Config deploys
    # each rule to that account too, and the rule fails where nothing records)
    depends_on: list[Any] = Field(default_factory=list)
    provider: Any = None

    @model_validator(mode="after")
    def _names_fit(self) -> OrganizationConformancePacksProps:
        too_long = [p.name for p in self.packs if len(f"{self.name_prefix}-{p.name}") > CONFORMANCE_PACK_NAME_MAX]
        if too_long:
            raise ValueError(f"conformance pack names longer than {CONFORMANCE_PACK_NAME_MAX} characters: "
                             f"{', '.join(too_long)}")
        return self


class OrganizationConformancePacks(Construct):
    """AWS Config conformance packs for the whole organization, in one region of the delegated administrator.

    One ``aws_config_organization_conformance_pack`` per compliance framework, named ``<prefix>-<pack>``,
    excluding no account, whose template body mlplat renders from its catalogue (the global rules in the
    home region only) and checks against AWS Config's 51,200-byte limit.
    """

    def __init__(self, scope: Construct, id: str, props: OrganizationConformancePacksProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        module = aws.config_organization_conformance_pack
        for pack in props.packs:
            module.ConfigOrganizationConformancePack(
                self, pack.name,
                name=f"{props.name_prefix}-{pack.name}",
                template_body=render_conformance_pack(pack, props.region, props.home_region),
                timeouts=module.ConfigOrganizationConformancePackTimeouts(
                    create=props.timeout, update=props.timeout, delete=props.timeout),
                depends_on=list(props.depends_on) or None,
                **provider,
            )
