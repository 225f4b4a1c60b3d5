"""A data domain's lake in its own account: zone buckets, the domain key, Lake Formation and the Glue catalog."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement
from mlplat.modules.data_lake import defaults
from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps

LAKE_FORMATION_SERVICE = "lakeformation.amazonaws.com"


class ZoneSpec(Props):
    name: str
    bucket_name: str
    database_name: str
    retention_days: int | None = None


class DomainLakeProps(Props):
    domain: str
    account_id: str
    region: str
    key_alias: str
    access_logs_bucket_name: str
    zones: list[ZoneSpec] = Field(min_length=1)
    # the data lake administrators: role ARNs of this account (Terraform's execution role at least, which
    # must be one to register locations and create databases)
    admin_role_arns: list[str] = Field(min_length=1)
    provider: Any = None


class DomainLake(Construct):
    """The lake of one data domain, in the domain's account.

    * A KMS key of the domain and, per zone, a :class:`PrivateBucket` under it (versioned, TLS only, no
      public access, access-logged, expiring objects after the zone's retention) whose policy denies
      every principal of another account: the domain's roles and Lake Formation (through the data access
      role, a role of this account) are the only ones that reach the data.
    * The data access role: Lake Formation assumes it (for this account only) to read and write the
      zone buckets it registers; its policy names those buckets and the domain key, nothing else.
    * Lake Formation's settings: the named administrators, no default grant to IAMAllowedPrincipals on
      new databases and tables (Lake Formation permissions alone decide), cross-account version 4.
    * Per zone, the bucket registered with Lake Formation through the data access role (not the
      service-linked role) in Lake Formation mode only, and a Glue database ``<domain>_<zone>`` located
      in it; the Glue catalog encrypted with the domain key.
    """

    def __init__(self, scope: Construct, id: str, props: DomainLakeProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description=f"Data domain {props.domain}: lake buckets and Glue catalog",
            account_id=props.account_id, provider=props.provider))
        key_arn = self.key.arn
        self.access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=props.account_id, kms_key_arn=None,
            access_logs_bucket=None, provider=props.provider))
        self.buckets: dict[str, PrivateBucket] = {}
        for zone in props.zones:
            bucket_arn = f"arn:aws:s3:::{zone.bucket_name}"
            self.buckets[zone.name] = PrivateBucket(self, f"zone-{zone.name}", PrivateBucketProps(
                bucket_name=zone.bucket_name, account_id=props.account_id, kms_key_arn=key_arn,
                access_logs_bucket=self.access_logs.bucket_name, expiration_days=zone.retention_days,
                policy_statements=[statement(
                    "DenyOtherAccounts", ["s3:*"], [bucket_arn, f"{bucket_arn}/*"], effect="Deny",
                    principals={"AWS": "*"},
                    conditions={"StringNotEquals": {"aws:PrincipalAccount": props.account_id}})],
                provider=props.provider))
        bucket_arns = [f"arn:aws:s3:::{zone.bucket_name}" for zone in props.zones]
        self.data_access_role = aws.iam_role.IamRole(
            self, "data-access-role", name=defaults.DATA_ACCESS_ROLE, path=PLATFORM_IAM_PATH,
            description=f"Lake Formation reads and writes the lake of data domain {props.domain}",
            assume_role_policy=service_trust(LAKE_FORMATION_SERVICE, props.account_id, sid="LakeFormationAssumes"),
            **provider)
        self.data_access_role_arn: str = self.data_access_role.arn
        aws.iam_role_policy.IamRolePolicy(
            self, "data-access-policy", name="lake-zones", role=self.data_access_role.name,
            policy=policy_document([
                statement("ListZoneBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arns),
                statement("ReadWriteZoneObjects", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                          [f"{arn}/*" for arn in bucket_arns]),
                statement("UseDomainKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                                           "kms:ReEncrypt*"], key_arn),
            ]), **provider)
        settings_module = aws.lakeformation_data_lake_settings
        self.settings = settings_module.LakeformationDataLakeSettings(
            self, "settings", admins=list(props.admin_role_arns),
            create_database_default_permissions=[], create_table_default_permissions=[],
            parameters={"CROSS_ACCOUNT_VERSION": defaults.CROSS_ACCOUNT_VERSION}, **provider)
        catalog = aws.glue_data_catalog_encryption_settings
        aws.glue_data_catalog_encryption_settings.GlueDataCatalogEncryptionSettings(
            self, "catalog-encryption", data_catalog_encryption_settings=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettings(
                encryption_at_rest=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsEncryptionAtRest(
                    catalog_encryption_mode="SSE-KMS", sse_aws_kms_key_id=key_arn),
                connection_password_encryption=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsConnectionPasswordEncryption(
                    return_connection_password_encrypted=True, aws_kms_key_id=key_arn)),
            **provider)
        self.database_names: dict[str, str] = {}
        for zone in props.zones:
            bucket = self.buckets[zone.name]
            aws.lakeformation_resource.LakeformationResource(
                self, f"location-{zone.name}", arn=bucket.arn, role_arn=self.data_access_role_arn,
                use_service_linked_role=False, hybrid_access_enabled=False, depends_on=[self.settings], **provider)
            database = aws.glue_catalog_database.GlueCatalogDatabase(
                self, f"database-{zone.name}", name=zone.database_name,
                description=f"Data domain {props.domain}, zone {zone.name}",
                location_uri=f"s3://{bucket.bucket_name}/", depends_on=[self.settings], **provider)
            self.database_names[zone.name] = database.name
