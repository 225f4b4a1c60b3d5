"""A team account's side of the data mesh: resource links to the governed databases and grants to its roles."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, TeamRole, policy_document, statement
from mlplat.modules.data_lake import defaults
from mlplat.modules.data_lake.catalog import consumer_tags, lake_formation_settings, tag_policy

GLUE_SERVICE = "glue.{region}.amazonaws.com"


class GrantedData(Props):
    """What the governance account granted this account on one domain: its zones' databases and the tag values."""

    domain: str
    zones: list[str] = Field(min_length=1)
    classifications: list[str] = Field(min_length=1)
    databases: list[str] = Field(min_length=1)  # the zones' databases in the governance account


class TeamDataAccessProps(Props):
    account_id: str
    region: str
    governance_account_id: str
    catalog_key_arn: str  # the governance account's catalog key
    admin_role_arns: list[str] = Field(min_length=1)
    roles: list[TeamRole] = Field(min_length=1)  # the team's roles that read governed data
    granted: list[GrantedData] = Field(min_length=1)
    provider: Any = None


class TeamDataAccess(Construct):
    """Reading what the governance account granted, from one team account.

    * Lake Formation settings of the account: its administrators (who accept and pass on the grants,
      which AWS RAM delivers inside the organization), no IAMAllowedPrincipals default, version 4.
    * A resource link per granted database, named as its target, so that Studio, Athena and jobs see
      the governed databases in the account's own catalog.
    * For each of the team's roles: DESCRIBE on the links, and on the governance catalog exactly the tag
      expressions granted to the account (``domain = d AND zone in (...) AND classification in (...)``),
      DESCRIBE on the databases and SELECT and DESCRIBE on the tables; and an IAM policy that lets the
      role ask Lake Formation for data access and read the catalog metadata (decrypted with the
      catalog key through Glue only). The S3 data itself is reached only with Lake Formation's
      credentials: no role of the team holds rights on a lake bucket or a domain key.
    """

    def __init__(self, scope: Construct, id: str, props: TeamDataAccessProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        settings = lake_formation_settings(self, props.admin_role_arns, provider)
        glue = aws.glue_catalog_database
        links = []
        for granted in props.granted:
            for database in granted.databases:
                links.append((database, glue.GlueCatalogDatabase(
                    self, f"link-{database}", name=database,
                    description=f"Link to {database} of the data governance account",
                    target_database=glue.GlueCatalogDatabaseTargetDatabase(
                        catalog_id=props.governance_account_id, database_name=database),
                    depends_on=[settings], **provider)))
        permissions = aws.lakeformation_permissions
        for role in sorted(props.roles, key=lambda r: r.key):
            role_name, role_arn = role.key, role.arn
            for database, link in links:
                permissions.LakeformationPermissions(
                    self, f"{role_name}-{database}-link", principal=role_arn, permissions=["DESCRIBE"],
                    database=permissions.LakeformationPermissionsDatabase(name=link.name), **provider)
            for granted in props.granted:
                tags = consumer_tags(granted.domain, granted.zones, granted.classifications)
                for kind, granted_permissions in (("DATABASE", defaults.CONSUMER_DATABASE_PERMISSIONS),
                                                  ("TABLE", defaults.CONSUMER_TABLE_PERMISSIONS)):
                    permissions.LakeformationPermissions(
                        self, f"{role_name}-{granted.domain}-{kind.lower()}", principal=role_arn,
                        permissions=list(granted_permissions),
                        lf_tag_policy=tag_policy(kind, tags, props.governance_account_id),
                        depends_on=[settings], **provider)
            catalogs = [(props.region, props.account_id), (props.region, props.governance_account_id)]
            aws.iam_role_policy.IamRolePolicy(
                self, f"{role_name}-policy", name=defaults.GOVERNED_DATA_POLICY, role=role.name,
                policy=policy_document([
                    statement("AskLakeFormationForData", ["lakeformation:GetDataAccess"], "*"),
                    statement("ReadCatalogMetadata", [
                        "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition", "glue:GetPartitions",
                        "glue:GetTable", "glue:GetTableVersions", "glue:GetTables", "glue:SearchTables"],
                        [arn for region, account in catalogs for arn in (
                            f"arn:aws:glue:{region}:{account}:catalog", f"arn:aws:glue:{region}:{account}:database/*",
                            f"arn:aws:glue:{region}:{account}:table/*/*")]),
                    statement("DecryptGovernedCatalog", ["kms:Decrypt"], props.catalog_key_arn,
                              conditions={"StringEquals": {"kms:ViaService": GLUE_SERVICE.format(region=props.region)}}),
                ]), **provider)
