"""The team's environment as SSM parameters, read by the Service Catalog product templates."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props


class EnvironmentParametersProps(Props):
    values: dict[str, str]  # parameter name -> value (lists joined with commas, as StringList)
    string_lists: list[str] = []  # names of the StringList parameters
    provider: Any = None


class EnvironmentParameters(Construct):
    """One SSM parameter per value (String, or StringList where named), standard tier.

    The product templates take these parameter names as defaults, so a team lead provisions a
    product without knowing the team's VPC, subnets, key or roles, and cannot point it elsewhere
    through the launch role (which may use only the team's resources).
    """

    def __init__(self, scope: Construct, id: str, props: EnvironmentParametersProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        for name, value in sorted(props.values.items()):
            aws.ssm_parameter.SsmParameter(
                self, name.strip("/").replace("/", "-"), name=name, value=value,
                type="StringList" if name in props.string_lists else "String",
                description="Set by mlplat for the Service Catalog products", **provider)
