"""A team account's side of the central feature store: what its roles may do on the groups shared with it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, TeamRole, policy_document, statement
from mlplat.modules.feature_store import defaults
from mlplat.modules.feature_store.central_store import VIA_SERVICES, offline_prefix


class TeamFeatureAccessProps(Props):
    region: str
    store_account_id: str
    store_key_arn: str
    store_bucket_name: str
    read: list[str] = Field(default_factory=list)  # feature groups read only
    write: list[str] = Field(default_factory=list)  # feature groups read and written
    roles: list[TeamRole] = Field(min_length=1)
    provider: Any = None


class TeamFeatureAccess(Construct):
    """One IAM policy per team role: the feature group calls AWS RAM shared with the account, on those groups
    only (writes only on the groups it writes), search of the shared catalog, and the groups' offline data
    under their prefixes, decrypted through S3 and SageMaker only."""

    def __init__(self, scope: Construct, id: str, props: TeamFeatureAccessProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        groups = sorted(set(props.read) | set(props.write))
        def arn(group: str) -> str:
            return f"arn:aws:sagemaker:{props.region}:{props.store_account_id}:feature-group/{group}"

        bucket = f"arn:aws:s3:::{props.store_bucket_name}"
        statements = [
            statement("ReadSharedFeatureGroups", defaults.READ_ACTIONS, [arn(g) for g in groups]),
            statement("SearchSharedCatalog", ["sagemaker:Search"], "*"),
            statement("ReadOfflineStore", ["s3:GetObject"], [f"{bucket}/{offline_prefix(g)}*" for g in groups]),
            statement("ListOfflineStore", ["s3:ListBucket"], bucket,
                      conditions={"StringLike": {"s3:prefix": [f"{offline_prefix(g)}*" for g in groups]}}),
            statement("DecryptFeatureStore", ["kms:Decrypt"], props.store_key_arn,
                      conditions={"StringEquals": {"kms:ViaService": [s.format(region=props.region) for s in VIA_SERVICES]}}),
        ]
        if props.write:
            statements.insert(1, statement("WriteSharedFeatureGroups", defaults.WRITE_ACTIONS,
                                           [arn(g) for g in sorted(props.write)]))
        for role in sorted(props.roles, key=lambda r: r.key):
            aws.iam_role_policy.IamRolePolicy(
                self, f"{role.key}-policy", name=defaults.FEATURE_ACCESS_POLICY, role=role.name,
                policy=policy_document(statements), **provider)
