"""The stacks ``mlplat destroy`` leaves alone unless each is named with ``--stack``.

Destroying them takes the organization's foundations away: the organization stack holds the
organization, its OUs, accounts and SCPs; the log archive holds the organization's audit trail;
security tooling is the delegated administrator of GuardDuty, Security Hub and Config.

Their names come from the synthesized output, the way :mod:`mlplat.resolve` names them: the
organization stack is ``<org>-organization`` (the stack every account stack depends on), and the
core accounts' stacks carry their account's name, ``<org>-<role>`` by default. An account renamed in
the spec is found through the organization stack, whose account resources keep the role in their
construct path (``<org>-organization/organization/account-<role>``).
"""

from __future__ import annotations

import json
from typing import Any

from mlplat.terraform.order import Manifest

ORGANIZATION_SUFFIX = "-organization"
# The core account roles (mlplat.spec.framework.CORE_ACCOUNTS) whose stacks are protected.
PROTECTED_CORE_ROLES: tuple[str, ...] = ("log_archive", "security_tooling")


def _organization_stacks(manifest: Manifest) -> list[str]:
    return [name for name, info in manifest.stacks.items() if name.endswith(ORGANIZATION_SUFFIX) and not info.dependencies]


def _renamed_accounts(manifest: Manifest, organization: str) -> dict[str, str]:
    """role suffix -> account (and stack) name, from the organization stack's account resources."""
    try:
        document: Any = json.loads(manifest.stacks[organization].synthesized_stack_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    accounts = (document.get("resource") or {}).get("aws_organizations_account") or {}
    found: dict[str, str] = {}
    for body in accounts.values():
        path = str(((body.get("//") or {}).get("metadata") or {}).get("path", ""))
        suffix = path.rsplit("/account-", 1)[1] if "/account-" in path else None
        if suffix and isinstance(body.get("name"), str):
            found[suffix] = body["name"]
    return found


def protected_stacks(manifest: Manifest) -> dict[str, str]:
    """The protected stacks of ``manifest`` (name -> what it is)."""
    from mlplat.spec.framework import CORE_ACCOUNTS  # the framework's role suffixes; imported only to destroy

    protected: dict[str, str] = {}
    for organization in _organization_stacks(manifest):
        protected[organization] = "the organization stack"
        org = organization[: -len(ORGANIZATION_SUFFIX)]
        renamed = _renamed_accounts(manifest, organization)
        for role in PROTECTED_CORE_ROLES:
            suffix = CORE_ACCOUNTS[role].suffix
            for name in {f"{org}-{suffix}", renamed.get(suffix, "")}:
                if name in manifest.stacks:
                    protected[name] = f"the {suffix.replace('-', ' ')} account's stack"
    return dict(sorted(protected.items()))
