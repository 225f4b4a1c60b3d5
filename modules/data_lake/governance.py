"""The central data governance account: the catalog of every domain's zones, LF-tags and tag-based grants."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement, unique
from mlplat.modules.data_lake import defaults
from mlplat.modules.data_lake.catalog import consumer_tags, encrypted_catalog, lake_formation_settings, tag_policy
from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps

LAKE_FORMATION_SERVICE = "lakeformation.amazonaws.com"
GLUE_SERVICE = "glue.{region}.amazonaws.com"


class GovernedZone(Props):
    name: str
    bucket_name: str  # in the domain's account
    database_name: str


class GovernedDomain(Props):
    name: str
    account_id: str  # the producer: the domain's account
    key_arn: str  # the domain key its zone buckets are encrypted with
    classification: str
    zones: list[GovernedZone] = Field(min_length=1)


class TagGrant(Props):
    """SELECT and DESCRIBE for one account on the tables of one domain's zones and classifications."""

    account: str  # the account's key: names the grant in the stack
    account_id: str
    domain: str
    zones: list[str] = Field(min_length=1)
    classifications: list[str] = Field(min_length=1)


class DataGovernanceProps(Props):
    account_id: str
    region: str
    key_alias: str
    admin_role_arns: list[str] = Field(min_length=1)
    classifications: list[str] = Field(min_length=1)
    domains: list[GovernedDomain]
    grants: list[TagGrant]
    # accounts that read the catalog (producers and consumers): they decrypt its metadata through Glue
    catalog_reader_account_ids: list[str]
    provider: Any = None


def data_access_role_name(domain: str) -> str:
    return defaults.DATA_ACCESS_ROLE.format(domain=domain)


class DataGovernance(Construct):
    """The central catalog (the "central catalog" data mesh pattern).

    * Lake Formation settings: named administrators, no IAMAllowedPrincipals default, cross-account
      version 4; the Glue catalog encrypted with the governance key, which the reading accounts may use
      through Glue only.
    * LF-tags ``domain``, ``zone`` and ``classification`` with the values of the spec.
    * Per domain, a data access role of this account (Lake Formation registers another account's bucket
      only with a role of the registering account) that reaches that domain's zone buckets and key and
      nothing else; per zone, the bucket registered through it and a Glue database located in it and
      tagged ``domain``, ``zone`` and the domain's ``classification``.
    * Grants by tag expression: each domain's own account gets full rights on its databases and tables
      with the grant option (the producer keeps its domain); each grant of the spec gives one account
      DESCRIBE on the databases and SELECT and DESCRIBE on the tables of ``domain = d AND zone in (...)
      AND classification in (...)``, and DESCRIBE on those tag values, so that its administrator can
      grant them on to its own roles.
    """

    def __init__(self, scope: Construct, id: str, props: DataGovernanceProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        readers = unique(props.catalog_reader_account_ids)
        producers = unique(d.account_id for d in props.domains)
        through_glue = {"StringEquals": {"kms:ViaService": GLUE_SERVICE.format(region=props.region)}}
        key_statements = []
        if readers:
            key_statements.append(statement(
                "ReadingAccountsDecryptCatalogThroughGlue", ["kms:Decrypt", "kms:DescribeKey"], "*",
                principals={"AWS": [f"arn:aws:iam::{a}:root" for a in readers]}, conditions=through_glue))
        if producers:  # they create and alter their domains' tables in the central catalog
            key_statements.append(statement(
                "DomainAccountsWriteCatalogThroughGlue", ["kms:Encrypt", "kms:GenerateDataKey*"], "*",
                principals={"AWS": [f"arn:aws:iam::{a}:root" for a in producers]}, conditions=through_glue))
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description="Data governance: the central Glue catalog",
            account_id=props.account_id, provider=props.provider, policy_statements=key_statements))
        self.settings = lake_formation_settings(self, props.admin_role_arns, provider)
        # databases are created after the catalog is encrypted: Glue encrypts only what is written afterwards
        self.encryption = encrypted_catalog(self, self.key.arn, provider)

        tag_values = {
            defaults.DOMAIN_TAG: sorted(d.name for d in props.domains),
            defaults.ZONE_TAG: sorted({z.name for d in props.domains for z in d.zones}),
            defaults.CLASSIFICATION_TAG: list(props.classifications),
        }
        self.tags = {
            key: aws.lakeformation_lf_tag.LakeformationLfTag(
                self, f"tag-{key}", key=key, values=values, depends_on=[self.settings], **provider)
            for key, values in tag_values.items() if values
        }
        tagged = []
        self.locations: dict[str, list[Any]] = {}
        for domain in props.domains:
            tagged += self._domain(domain, props.account_id, provider)
        permissions = aws.lakeformation_permissions
        for domain in props.domains:
            own = [(defaults.DOMAIN_TAG, [domain.name])]
            for kind, granted in (("DATABASE", defaults.PRODUCER_DATABASE_PERMISSIONS),
                                  ("TABLE", defaults.PRODUCER_TABLE_PERMISSIONS)):
                permissions.LakeformationPermissions(
                    self, f"producer-{domain.name}-{kind.lower()}", principal=domain.account_id,
                    permissions=list(granted), permissions_with_grant_option=list(granted),
                    lf_tag_policy=tag_policy(kind, own),
                    depends_on=tagged, **provider)
            permissions.LakeformationPermissions(
                self, f"producer-{domain.name}-tag", principal=domain.account_id, permissions=["DESCRIBE"],
                permissions_with_grant_option=["DESCRIBE"],
                lf_tag=permissions.LakeformationPermissionsLfTag(key=defaults.DOMAIN_TAG, values=[domain.name]),
                depends_on=list(self.tags.values()), **provider)
            # creating a table located in a registered zone needs DATA_LOCATION_ACCESS on it
            for zone in domain.zones:
                permissions.LakeformationPermissions(
                    self, f"producer-{domain.name}-{zone.name}-location", principal=domain.account_id,
                    permissions=["DATA_LOCATION_ACCESS"], permissions_with_grant_option=["DATA_LOCATION_ACCESS"],
                    data_location=permissions.LakeformationPermissionsDataLocation(
                        arn=f"arn:aws:s3:::{zone.bucket_name}"),
                    depends_on=self.locations[domain.name], **provider)
        for grant in props.grants:
            tags = consumer_tags(grant.domain, grant.zones, grant.classifications)
            name = f"grant-{grant.domain}-{grant.account}"
            for kind, granted in (("DATABASE", defaults.CONSUMER_DATABASE_PERMISSIONS),
                                  ("TABLE", defaults.CONSUMER_TABLE_PERMISSIONS)):
                permissions.LakeformationPermissions(
                    self, f"{name}-{kind.lower()}", principal=grant.account_id, permissions=list(granted),
                    permissions_with_grant_option=list(granted),
                    lf_tag_policy=tag_policy(kind, tags),
                    depends_on=tagged, **provider)
        # DESCRIBE on the tag values an account's expressions use, one grant per account and key (a grant of
        # the same tag per expression would be revoked by removing any one of them)
        described: dict[str, tuple[str, dict[str, set[str]]]] = {}
        for grant in props.grants:
            account_id, values = described.setdefault(grant.account, (grant.account_id, {}))
            for key, granted in consumer_tags(grant.domain, grant.zones, grant.classifications):
                values.setdefault(key, set()).update(granted)
        for account, (account_id, values) in sorted(described.items()):
            for key, granted in sorted(values.items()):
                ordered = [v for v in tag_values[key] if v in granted]
                permissions.LakeformationPermissions(
                    self, f"tag-{key}-{account}", principal=account_id, permissions=["DESCRIBE"],
                    permissions_with_grant_option=["DESCRIBE"],
                    lf_tag=permissions.LakeformationPermissionsLfTag(key=key, values=ordered),
                    depends_on=list(self.tags.values()), **provider)

    def _domain(self, domain: GovernedDomain, account_id: str, provider: dict[str, Any]) -> list[Any]:
        """The data access role, the registered zone buckets and the tagged databases of one domain."""
        bucket_arns = [f"arn:aws:s3:::{z.bucket_name}" for z in domain.zones]
        role = aws.iam_role.IamRole(
            self, f"{domain.name}-data-access", name=data_access_role_name(domain.name), path=PLATFORM_IAM_PATH,
            description=f"Lake Formation reads and writes the zones of data domain {domain.name}",
            assume_role_policy=service_trust(LAKE_FORMATION_SERVICE, account_id, sid="LakeFormationAssumes"),
            **provider)
        aws.iam_role_policy.IamRolePolicy(
            self, f"{domain.name}-data-access-policy", name="lake-zones", role=role.name,
            policy=policy_document([
                statement("ListZoneBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arns),
                statement("ReadWriteZoneObjects", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                          [f"{arn}/*" for arn in bucket_arns]),
                statement("UseDomainKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                                           "kms:ReEncrypt*"], domain.key_arn),
            ]), **provider)
        tagged: list[Any] = []
        self.locations[domain.name] = []
        for zone in domain.zones:
            location = aws.lakeformation_resource.LakeformationResource(
                self, f"{domain.name}-{zone.name}-location", arn=f"arn:aws:s3:::{zone.bucket_name}", role_arn=role.arn,
                use_service_linked_role=False, hybrid_access_enabled=False, depends_on=[self.settings], **provider)
            self.locations[domain.name].append(location)
            database = aws.glue_catalog_database.GlueCatalogDatabase(
                self, f"{domain.name}-{zone.name}-database", name=zone.database_name,
                description=f"Data domain {domain.name}, zone {zone.name}",
                location_uri=f"s3://{zone.bucket_name}/", depends_on=[self.settings, self.encryption], **provider)
            lf_tags = aws.lakeformation_resource_lf_tags
            tagged.append(lf_tags.LakeformationResourceLfTags(
                self, f"{domain.name}-{zone.name}-tags",
                database=lf_tags.LakeformationResourceLfTagsDatabase(name=database.name),
                lf_tag=[lf_tags.LakeformationResourceLfTagsLfTag(key=key, value=value) for key, value in (
                    (defaults.DOMAIN_TAG, domain.name), (defaults.ZONE_TAG, zone.name),
                    (defaults.CLASSIFICATION_TAG, domain.classification))],
                depends_on=list(self.tags.values()), **provider))
        return tagged
