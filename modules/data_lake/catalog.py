"""What every account with a Glue catalog under Lake Formation holds: its settings and its catalog's encryption."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.data_lake import defaults


def consumer_tags(domain: str, zones: list[str], classifications: list[str]) -> list[tuple[str, list[str]]]:
    """The tag values a consumer's expression matches: ``domain = d AND zone in (...) AND classification in (...)``."""
    return [(defaults.DOMAIN_TAG, [domain]), (defaults.ZONE_TAG, list(zones)),
            (defaults.CLASSIFICATION_TAG, list(classifications))]


def tag_policy(resource_type: str, tags: list[tuple[str, list[str]]], catalog_id: str | None = None) -> Any:
    """The ``lf_tag_policy`` block of a grant on the databases or tables that match ``tags``."""
    permissions = aws.lakeformation_permissions
    return permissions.LakeformationPermissionsLfTagPolicy(
        resource_type=resource_type, catalog_id=catalog_id,
        expression=[permissions.LakeformationPermissionsLfTagPolicyExpression(key=k, values=v) for k, v in tags])


def lake_formation_settings(scope: Construct, admin_role_arns: list[str], provider: dict[str, Any]) -> Any:
    """The account's Lake Formation settings: the named administrators, no IAMAllowedPrincipals default on new
    databases and tables (Lake Formation permissions alone decide), cross-account version 4."""
    return aws.lakeformation_data_lake_settings.LakeformationDataLakeSettings(
        scope, "settings", admins=list(admin_role_arns),
        create_database_default_permissions=[], create_table_default_permissions=[],
        parameters={"CROSS_ACCOUNT_VERSION": defaults.CROSS_ACCOUNT_VERSION}, **provider)


def encrypted_catalog(scope: Construct, key_arn: str, provider: dict[str, Any]) -> Any:
    """The account's Glue catalog (metadata and connection passwords) encrypted with ``key_arn``."""
    catalog = aws.glue_data_catalog_encryption_settings
    return catalog.GlueDataCatalogEncryptionSettings(
        scope, "catalog-encryption", data_catalog_encryption_settings=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettings(
            encryption_at_rest=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsEncryptionAtRest(
                catalog_encryption_mode="SSE-KMS", sse_aws_kms_key_id=key_arn),
            connection_password_encryption=catalog.GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsConnectionPasswordEncryption(
                return_connection_password_encrypted=True, aws_kms_key_id=key_arn)),
        **provider)
