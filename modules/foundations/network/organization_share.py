"""A resource shared with the whole organization through AWS RAM."""

from __future__ import annotations

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.network import defaults


class OrganizationShareProps(Props):
    name: str
    resource_arn: str
    principal: str  # the organization's ARN


class OrganizationShare(Construct):
    """A RAM resource share of one resource with the organization.

    External principals are not allowed, so only accounts of the organization see the resource.
    Accounts receive it without an invitation once RAM sharing with AWS Organizations is enabled in
    the management account.
    """

    def __init__(self, scope: Construct, id: str, props: OrganizationShareProps) -> None:
        super().__init__(scope, id)
        self.share = aws.ram_resource_share.RamResourceShare(
            self, "share",
            name=props.name,
            allow_external_principals=defaults.ALLOW_EXTERNAL_PRINCIPALS,
            tags={"Name": props.name},
        )
        aws.ram_resource_association.RamResourceAssociation(
            self, "resource", resource_share_arn=self.share.arn, resource_arn=props.resource_arn)
        aws.ram_principal_association.RamPrincipalAssociation(
            self, "organization", resource_share_arn=self.share.arn, principal=props.principal)
