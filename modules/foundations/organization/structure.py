"""The organization itself: all features, trusted service access, the OU tree and the member accounts."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.organization import defaults
from mlplat.modules.foundations.organization.naming import unique_ids


class OrganizationalUnitSpec(Props):
    """One OU, named by its path (``Workloads/ML/Prod``); ``parent`` is the parent's path, None under the root."""

    path: str
    name: str
    parent: str | None = None


class MemberAccountSpec(Props):
    """One member account placed in the OU at ``parent`` (a path). ``account_id`` set: an existing account, imported."""

    key: str
    name: str
    email: str
    parent: str
    role_name: str
    tags: dict[str, str] = Field(default_factory=dict)
    account_id: str | None = None


class OrganizationStructureProps(Props):
    organizational_units: list[OrganizationalUnitSpec]
    accounts: list[MemberAccountSpec]
    feature_set: str = defaults.FEATURE_SET
    aws_service_access_principals: list[str] = Field(
        default_factory=lambda: list(defaults.AWS_SERVICE_ACCESS_PRINCIPALS))
    enabled_policy_types: list[str] = Field(default_factory=lambda: list(defaults.ENABLED_POLICY_TYPES))
    close_on_deletion: bool = defaults.CLOSE_ON_DELETION
    iam_user_access_to_billing: str = defaults.IAM_USER_ACCESS_TO_BILLING
    ram_sharing_with_organization: bool = True


class OrganizationStructure(Construct):
    """The AWS organization of the management account, its OU tree and its member accounts.

    Creates ``aws_organizations_organization`` (all features, trusted access for the platform's
    organization-wide services, service control and tag policies enabled, protected from destroy), one
    ``aws_organizations_organizational_unit`` per OU nested under its parent, and one
    ``aws_organizations_account`` per member account. Accounts are never closed by Terraform
    (``close_on_deletion = false``, ``prevent_destroy``), deny IAM users access to billing, and get the
    organization's execution role; an account with a known id is adopted through an ``import`` block.
    Also turns on RAM sharing with the organization, so resource shares need no invitations.

    Exposes ``organization``, ``root_id``, ``ou_ids`` (path -> id), ``accounts`` (key -> resource) and
    ``account_ids`` (key -> id token).
    """

    def __init__(self, scope: Construct, id: str, props: OrganizationStructureProps) -> None:
        super().__init__(scope, id)
        self.organization = aws.organizations_organization.OrganizationsOrganization(
            self, "organization",
            feature_set=props.feature_set,
            aws_service_access_principals=sorted(set(props.aws_service_access_principals)),
            enabled_policy_types=sorted(set(props.enabled_policy_types)),
            lifecycle={"prevent_destroy": True},
        )
        self.root_id: str = self.organization.roots.get(0).id

        self.organizational_units: dict[str, Any] = {}
        self.ou_ids: dict[str, str] = {}
        by_path = {ou.path: ou for ou in props.organizational_units}
        ou_construct_ids = unique_ids("ou", by_path, "organizational units")
        for ou in sorted(props.organizational_units, key=lambda o: o.path.count("/")):
            if ou.parent is not None and ou.parent not in by_path:
                raise ValueError(f"organizational unit {ou.path!r}: parent {ou.parent!r} is not among the OUs")
            parent_id = self.root_id if ou.parent is None else self.ou_ids[ou.parent]
            unit = aws.organizations_organizational_unit.OrganizationsOrganizationalUnit(
                self, ou_construct_ids[ou.path], name=ou.name, parent_id=parent_id,
            )
            self.organizational_units[ou.path] = unit
            self.ou_ids[ou.path] = unit.id

        self.accounts: dict[str, Any] = {}
        self.account_ids: dict[str, str] = {}
        account_construct_ids = unique_ids("account", (a.key for a in props.accounts), "account keys")
        for account in props.accounts:
            if account.parent not in self.ou_ids:
                raise ValueError(f"account {account.key!r}: OU {account.parent!r} is not among the OUs")
            resource = aws.organizations_account.OrganizationsAccount(
                self, account_construct_ids[account.key],
                name=account.name,
                email=account.email,
                parent_id=self.ou_ids[account.parent],
                role_name=account.role_name,
                close_on_deletion=props.close_on_deletion,
                iam_user_access_to_billing=props.iam_user_access_to_billing,
                tags=dict(sorted(account.tags.items())) or None,
                lifecycle={"prevent_destroy": True, "ignore_changes": list(defaults.ACCOUNT_IGNORE_CHANGES)},
            )
            if account.account_id:
                resource.import_from(account.account_id)
            self.accounts[account.key] = resource
            self.account_ids[account.key] = resource.id

        self.ram_sharing = None
        if props.ram_sharing_with_organization:
            # RAM's trusted access (ram.amazonaws.com) comes with the organization's service access principals
            self.ram_sharing = aws.ram_sharing_with_organization.RamSharingWithOrganization(
                self, "ram-sharing", depends_on=[self.organization],
            )

    @property
    def organization_id(self) -> str:
        return self.organization.id

    @property
    def organization_arn(self) -> str:
        return self.organization.arn
