"""A data domain's lake in its own account: zone buckets under the domain key, and its Lake Formation settings."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct
from mlplat.modules.base import Props, statement
from mlplat.modules.data_lake.catalog import encrypted_catalog, lake_formation_settings
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps, macie_decrypts
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps

S3_SERVICE = "s3.{region}.amazonaws.com"


class ZoneSpec(Props):
    name: str
    bucket_name: str
    retention_days: int | None = None


class DomainLakeProps(Props):
    domain: str
    account_id: str
    region: str
    key_alias: str
    access_logs_bucket_name: str
    zones: list[ZoneSpec] = Field(min_length=1)
    # the data lake administrators of this account: role ARNs (Terraform's execution role at least);
    # they accept what the governance account grants the domain and pass it on to the domain's roles
    admin_role_arns: list[str] = Field(min_length=1)
    # the role Lake Formation in the data governance account reaches the zones with
    governance_account_id: str
    governance_role_arn: str
    provider: Any = None


class DomainLake(Construct):
    """The lake of one data domain, in the domain's account (the producer).

    * A KMS key of the domain and, per zone, a :class:`PrivateBucket` under it (versioned, TLS only, no
      public access, access-logged, expiring objects after the zone's retention). The bucket policy lets
      the governance account's data access role of this domain (which Lake Formation registers the zone
      with) read and write objects, and denies every other principal outside this account; the key lets
      that role use it through S3 only. Principals are matched by ``aws:PrincipalArn`` under the
      governance account, so the policies hold before that role exists.
    * Lake Formation settings of the account: the named administrators, no IAMAllowedPrincipals default on
      new databases and tables, cross-account version 4 (tag-based grants through AWS RAM).
    * The Glue catalog of the account encrypted with the domain key.
    """

    def __init__(self, scope: Construct, id: str, props: DomainLakeProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        governance = {"AWS": f"arn:aws:iam::{props.governance_account_id}:root"}
        role_condition = {"ArnEquals": {"aws:PrincipalArn": props.governance_role_arn}}
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description=f"Data domain {props.domain}: lake buckets and Glue catalog",
            account_id=props.account_id, provider=props.provider, policy_statements=[statement(
                "GovernanceDataAccessThroughS3", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                                  "kms:GenerateDataKey*", "kms:ReEncrypt*"], "*",
                principals=governance,
                conditions={**role_condition,
                            "StringEquals": {"kms:ViaService": S3_SERVICE.format(region=props.region)}}),
                macie_decrypts(props.account_id, props.region)]))
        self.key_arn: str = self.key.arn
        self.access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=props.account_id, kms_key_arn=None,
            access_logs_bucket=None, provider=props.provider))
        self.buckets: dict[str, PrivateBucket] = {}
        for zone in props.zones:
            bucket_arn = f"arn:aws:s3:::{zone.bucket_name}"
            self.buckets[zone.name] = PrivateBucket(self, f"zone-{zone.name}", PrivateBucketProps(
                bucket_name=zone.bucket_name, account_id=props.account_id, kms_key_arn=self.key_arn,
                access_logs_bucket=self.access_logs.bucket_name, expiration_days=zone.retention_days,
                policy_statements=[
                    statement("DenyOtherAccounts", ["s3:*"], [bucket_arn, f"{bucket_arn}/*"], effect="Deny",
                              principals={"AWS": "*"},
                              conditions={"StringNotEquals": {"aws:PrincipalAccount": props.account_id},
                                          "ArnNotEquals": {"aws:PrincipalArn": props.governance_role_arn}}),
                    statement("GovernanceListsZone", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arn,
                              principals=governance, conditions=role_condition),
                    statement("GovernanceReadsWritesZone", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                              f"{bucket_arn}/*", principals=governance, conditions=role_condition),
                ],
                provider=props.provider))
        lake_formation_settings(self, props.admin_role_arns, provider)
        encrypted_catalog(self, self.key_arn, provider)
