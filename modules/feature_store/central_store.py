"""The feature store account: feature groups with their offline store, shared by AWS RAM to the teams' accounts."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust, statement, unique
from mlplat.modules.feature_store import defaults
from mlplat.modules.foundations.identity.defaults import PLATFORM_IAM_PATH
from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
VIA_SERVICES = ("s3.{region}.amazonaws.com", "sagemaker.{region}.amazonaws.com")


class Feature(Props):
    name: str
    type: str  # Integral, Fractional or String


class SharedAccount(Props):
    key: str  # the account's key: names the share association
    account_id: str


class FeatureGroupSpec(Props):
    name: str
    description: str | None = None
    record_identifier: str
    event_time: str
    features: list[Feature] = Field(min_length=2)
    online: bool = True
    readers: list[SharedAccount] = Field(default_factory=list)  # read-only
    writers: list[SharedAccount] = Field(default_factory=list)  # read-write


class CentralFeatureStoreProps(Props):
    account_id: str
    region: str
    key_alias: str
    bucket_name: str
    access_logs_bucket_name: str
    share_prefix: str  # names the RAM shares
    groups: list[FeatureGroupSpec]
    provider: Any = None


def offline_prefix(group: str) -> str:
    """Where a feature group's offline store lives in the bucket: one prefix per group."""
    return f"{group}/"


class CentralFeatureStore(Construct):
    """The central feature store, in the feature store account.

    * A KMS key and the offline store bucket (a :class:`PrivateBucket` under it); each feature group
      writes its offline store under its own prefix, through the ``feature-store`` role (assumed by
      SageMaker for this account only), which reaches that bucket, that key and the offline store's
      Glue database, nothing else.
    * Per feature group: the group (online store encrypted with the key, if on), and AWS RAM shares to
      the accounts the spec names: read-only to readers, read-write to writers; the feature group
      catalog shared for discoverability with all of them. Shares stay inside the organization.
    * Offline data is read in place: the bucket policy lets each account that reads or writes a group
      get objects under that group's prefix (and list it), and the key lets those accounts decrypt
      through S3 and SageMaker only.
    """

    def __init__(self, scope: Construct, id: str, props: CentralFeatureStoreProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        region, account = props.region, props.account_id
        sharing = unique(a.account_id for g in props.groups for a in g.readers + g.writers)
        key_statements = []
        if sharing:
            key_statements.append(statement(
                "TeamAccountsDecryptThroughS3AndSageMaker", ["kms:Decrypt", "kms:DescribeKey"], "*",
                principals={"AWS": [f"arn:aws:iam::{a}:root" for a in sharing]},
                conditions={"StringEquals": {"kms:ViaService": [s.format(region=region) for s in VIA_SERVICES]}}))
        self.key = CustomerKey(self, "key", CustomerKeyProps(
            alias=props.key_alias, description="Feature store: offline and online stores",
            account_id=account, policy_statements=key_statements, provider=props.provider))
        key_arn = self.key.arn
        self.access_logs = PrivateBucket(self, "access-logs", PrivateBucketProps(
            bucket_name=props.access_logs_bucket_name, account_id=account, kms_key_arn=None,
            access_logs_bucket=None, provider=props.provider))
        bucket_arn = f"arn:aws:s3:::{props.bucket_name}"
        bucket_statements = []
        for group in props.groups:
            accounts = unique(a.account_id for a in group.readers + group.writers)
            if not accounts:
                continue
            principals = {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}
            token = group.name.replace("-", "")
            bucket_statements += [
                statement(f"Read{token}", ["s3:GetObject"], f"{bucket_arn}/{offline_prefix(group.name)}*",
                          principals=principals),
                statement(f"List{token}", ["s3:ListBucket"], bucket_arn, principals=principals,
                          conditions={"StringLike": {"s3:prefix": f"{offline_prefix(group.name)}*"}}),
            ]
        self.bucket = PrivateBucket(self, "offline-store", PrivateBucketProps(
            bucket_name=props.bucket_name, account_id=account, kms_key_arn=key_arn,
            access_logs_bucket=self.access_logs.bucket_name, policy_statements=bucket_statements,
            provider=props.provider))
        catalog = f"arn:aws:glue:{region}:{account}"
        role = aws.iam_role.IamRole(
            self, "role", name=defaults.FEATURE_STORE_ROLE, path=PLATFORM_IAM_PATH,
            description="SageMaker Feature Store writes the offline store and its Glue tables",
            assume_role_policy=service_trust(SAGEMAKER_SERVICE, account, sid="SageMakerAssumes"), **provider)
        role_policy = aws.iam_role_policy.IamRolePolicy(
            self, "role-policy", name=defaults.FEATURE_STORE_ROLE, role=role.name, policy=policy_document([
                statement("OfflineStoreBucket", ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket"], bucket_arn),
                statement("OfflineStoreObjects", ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"], f"{bucket_arn}/*"),
                statement("StoreKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"], key_arn),
                statement("OfflineStoreTables", ["glue:BatchCreatePartition", "glue:CreateDatabase", "glue:CreateTable",
                                                 "glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"],
                          [f"{catalog}:catalog", f"{catalog}:database/{defaults.OFFLINE_STORE_DATABASE}",
                           f"{catalog}:table/{defaults.OFFLINE_STORE_DATABASE}/*"]),
            ]), **provider)
        fg = aws.sagemaker_feature_group
        self.arns: dict[str, str] = {}
        everyone: dict[str, str] = {}
        for group in props.groups:
            online = fg.SagemakerFeatureGroupOnlineStoreConfig(
                enable_online_store=True, security_config=fg.SagemakerFeatureGroupOnlineStoreConfigSecurityConfig(
                    kms_key_id=key_arn)) if group.online else None
            feature_group = fg.SagemakerFeatureGroup(
                self, f"group-{group.name}", feature_group_name=group.name, description=group.description,
                record_identifier_feature_name=group.record_identifier, event_time_feature_name=group.event_time,
                role_arn=role.arn,
                feature_definition=[fg.SagemakerFeatureGroupFeatureDefinition(feature_name=f.name, feature_type=f.type)
                                    for f in group.features],
                offline_store_config=fg.SagemakerFeatureGroupOfflineStoreConfig(
                    s3_storage_config=fg.SagemakerFeatureGroupOfflineStoreConfigS3StorageConfig(
                        s3_uri=f"s3://{self.bucket.bucket_name}/{offline_prefix(group.name)}", kms_key_id=key_arn),
                    disable_glue_table_creation=False),
                online_store_config=online, depends_on=[role_policy], **provider)
            self.arns[group.name] = feature_group.arn
            for level, accounts, permission in (("read", group.readers, defaults.READ_ONLY),
                                                ("write", group.writers, defaults.READ_WRITE)):
                if accounts:
                    self._share(f"{group.name}-{level}", f"{props.share_prefix}-{group.name}-{level}",
                                [feature_group.arn], permission, accounts, provider)
                for shared in accounts:
                    everyone[shared.key] = shared.account_id
        if everyone:
            self._share("catalog", f"{props.share_prefix}-catalog",
                        [f"arn:aws:sagemaker:{region}:{account}:sagemaker-catalog/{defaults.CATALOG}"],
                        defaults.CATALOG_SEARCH,
                        [SharedAccount(key=k, account_id=v) for k, v in sorted(everyone.items())], provider)

    def _share(self, id: str, name: str, resource_arns: list[str], permission: str, accounts: list[SharedAccount],
               provider: dict[str, Any]) -> None:
        share = aws.ram_resource_share.RamResourceShare(
            self, f"share-{id}", name=name, allow_external_principals=False,
            permission_arns=[defaults.RAM_PERMISSION.format(name=permission)], **provider)
        for i, arn in enumerate(resource_arns):
            aws.ram_resource_association.RamResourceAssociation(
                self, f"share-{id}-resource-{i}", resource_arn=arn, resource_share_arn=share.arn, **provider)
        for shared in accounts:
            aws.ram_principal_association.RamPrincipalAssociation(
                self, f"share-{id}-{shared.key}", principal=shared.account_id, resource_share_arn=share.arn, **provider)
