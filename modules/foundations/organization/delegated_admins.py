"""Delegated administration of the organization's security services to the security tooling account."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.organization import defaults


class DelegatedAdministratorsProps(Props):
    admin_account_id: str
    service_principals: list[str] = Field(default_factory=lambda: list(defaults.DELEGATED_SERVICE_PRINCIPALS))
    # what must exist first: the organization, with trusted access for these services
    depends_on: list[Any] = Field(default_factory=list)


class DelegatedAdministrators(Construct):
    """Registers ``admin_account_id`` as delegated administrator of organization-wide services.

    One ``aws_organizations_delegated_administrator`` per service principal (by default AWS Config,
    Config multi-account setup and IAM Access Analyzer), created after the organization has granted those
    services trusted access.
    """

    def __init__(self, scope: Construct, id: str, props: DelegatedAdministratorsProps) -> None:
        super().__init__(scope, id)
        for principal in sorted(set(props.service_principals)):
            aws.organizations_delegated_administrator.OrganizationsDelegatedAdministrator(
                self, principal.removesuffix(".amazonaws.com"),
                account_id=props.admin_account_id,
                service_principal=principal,
                depends_on=list(props.depends_on) or None,
            )


SERVICE_CATALOG_PRINCIPAL = "servicecatalog.amazonaws.com"


class ServiceCatalogOrganizationsAccessProps(Props):
    depends_on: list[Any] = Field(default_factory=list)  # the organization


class ServiceCatalogOrganizationsAccess(Construct):
    """Turns on Service Catalog's AWS Organizations access (from the management account), which
    portfolio shares with OUs, and a delegated administrator for Service Catalog, need."""

    def __init__(self, scope: Construct, id: str, props: ServiceCatalogOrganizationsAccessProps) -> None:
        super().__init__(scope, id)
        self.access = aws.servicecatalog_organizations_access.ServicecatalogOrganizationsAccess(
            self, "access", enabled=True, depends_on=list(props.depends_on) or None)


class RegionalSecurityAdministratorsProps(Props):
    admin_account_id: str
    provider: Any = None  # the management account's provider in this region; None: the default provider
    finding_publishing_frequency: str = defaults.GUARDDUTY_FINDING_PUBLISHING_FREQUENCY
    enable_default_standards: bool = defaults.SECURITYHUB_ENABLE_DEFAULT_STANDARDS
    auto_enable_controls: bool = defaults.SECURITYHUB_AUTO_ENABLE_CONTROLS
    depends_on: list[Any] = Field(default_factory=list)


class RegionalSecurityAdministrators(Construct):
    """GuardDuty and Security Hub administered from ``admin_account_id`` in one region.

    Both services take their delegated administrator per region, from the management account, once the
    management account itself runs them there: creates the management account's ``aws_guardduty_detector``
    (enabled, findings published every 15 minutes) and ``aws_securityhub_account``, then
    ``aws_guardduty_organization_admin_account`` and ``aws_securityhub_organization_admin_account``.
    """

    def __init__(self, scope: Construct, id: str, props: RegionalSecurityAdministratorsProps) -> None:
        super().__init__(scope, id)
        after = list(props.depends_on)
        detector = aws.guardduty_detector.GuarddutyDetector(
            self, "guardduty-detector",
            enable=True,
            finding_publishing_frequency=props.finding_publishing_frequency,
            provider=props.provider,
        )
        aws.guardduty_organization_admin_account.GuarddutyOrganizationAdminAccount(
            self, "guardduty-admin",
            admin_account_id=props.admin_account_id,
            provider=props.provider,
            depends_on=[*after, detector],
        )
        hub = aws.securityhub_account.SecurityhubAccount(
            self, "securityhub",
            enable_default_standards=props.enable_default_standards,
            auto_enable_controls=props.auto_enable_controls,
            provider=props.provider,
        )
        aws.securityhub_organization_admin_account.SecurityhubOrganizationAdminAccount(
            self, "securityhub-admin",
            admin_account_id=props.admin_account_id,
            provider=props.provider,
            depends_on=[*after, hub],
        )
