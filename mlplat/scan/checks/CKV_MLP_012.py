import json
import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# `${` starts a Terraform expression; `$${` is Terraform's escape for a literal `${`, as cdktn
# writes IAM policy variables such as `$${aws:username}`.
_EXPRESSION = re.compile(r"(?<!\$)\$\{")
_ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths")  # IAM condition keys ignore case
_ORG_OPERATORS = ("StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _is_expression(value):
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def _limits_to_organization(condition):
    for operator, tests in condition.items() if isinstance(condition, dict) else ():
        if operator in _ORG_OPERATORS and isinstance(tests, dict):
            for key, values in tests.items():
                values = _as_list(values)
                if key.lower() in _ORG_KEYS and all(isinstance(v, str) and v.strip("* ") for v in values):
                    return True
    return False


def _access(statement):
    """``open`` (grants any principal), ``unknown`` (depends on an expression) or ``closed``."""
    if not isinstance(statement, dict) or statement.get("Effect") == "Deny":
        return "closed"
    if _limits_to_organization(statement.get("Condition")):
        return "closed"
    principal = "*" if "NotPrincipal" in statement else statement.get("Principal")
    groups = principal.values() if isinstance(principal, dict) else [principal]
    principals = [p for group in groups for p in _as_list(group)]
    if "*" in principals:
        return "unknown" if _is_expression(statement.get("Effect")) else "open"
    return "unknown" if any(_is_expression(p) for p in principals) else "closed"


class CKV_MLP_012(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """CloudWatch observability (OAM) sink policies must not admit source accounts beyond the organization.

    Wrong: an ``Allow`` statement in an ``aws_oam_sink_policy``'s ``policy`` whose ``Principal`` is
    ``"*"`` or ``{"AWS": "*"}`` (or lists ``"*"``, or that uses ``NotPrincipal``) without a condition
    that limits it to the organization. Any AWS account can then link to the monitoring account and
    pour its metrics, logs and traces into the platform's dashboards and alarms, or an attacker can
    hide a workload's telemetry among the organization's.

    Good: the account ids of the source accounts, or ``"*"`` with ``StringEquals`` on
    ``aws:PrincipalOrgID`` (or ``ForAnyValue:StringLike`` on ``aws:PrincipalOrgPaths``) in the same
    statement. A policy that is a Terraform expression (a data source's ``json``, ``jsonencode(...)``)
    is not judged; a literal JSON policy with expressions inside its values is.
    """

    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch observability sink policy admits only source accounts within the organization",
            id="CKV_MLP_012",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_oam_sink_policy"],
            guideline="https://docs.aws.amazon.com/OAM/latest/APIReference/API_PutSinkPolicy.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["policy"]
        document = (conf.get("policy") or [None])[0]
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                return CheckResult.UNKNOWN  # an expression, known only at apply time
        if not isinstance(document, dict):
            return CheckResult.UNKNOWN
        verdicts = []
        for index, statement in enumerate(_as_list(document.get("Statement") or [])):
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            verdicts.append((repr(sid) if sid else f"#{index}", _access(statement)))
        opened = [label for label, verdict in verdicts if verdict == "open"]
        if opened:
            reason = "allows any principal without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition"
            self.details = [f"statement {label} {reason}" for label in opened]
            return CheckResult.FAILED
        return CheckResult.UNKNOWN if any(v == "unknown" for _, v in verdicts) else CheckResult.PASSED


check = CKV_MLP_012()
