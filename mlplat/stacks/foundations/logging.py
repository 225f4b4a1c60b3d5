"""Placement of central logging: the log archive, the organization trail and the security services.

Reads the organization id and root id and the account ids the organization stack exports, and the
compliance frameworks' Security Hub standards from the detective controls catalogue; exports the log archive
bucket name and ARN and the log key ARN that every account's Config recorder and the VPC flow logs use.
"""

from __future__ import annotations

from mlplat.resolve.model import Org
from mlplat.resolve.naming import log_archive_bucket_names
from mlplat.stacks.context import StackSet

def trail_name(org: Org) -> str:
    return f"{org.name}-organization-trail"


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.detective import catalog
    from mlplat.modules.foundations.logging.defaults import PARTITION
    from mlplat.modules.foundations.logging.log_archive import LogArchive, LogArchiveProps
    from mlplat.modules.foundations.logging.organization_trail import OrganizationTrail, OrganizationTrailProps
    from mlplat.modules.foundations.logging.security_services import SecurityServices, SecurityServicesProps

    org = stacks.org
    home = org.home_region
    name = trail_name(org)

    archive_stack = stacks.core("log_archive")
    if archive_stack.built:
        archive_id = archive_stack.account_id()
        management_id = archive_stack.account_id("management")
        # the resolver has checked that these fit S3's limit
        bucket_name, access_logs_bucket_name = log_archive_bucket_names(org.name, archive_id, home)
        archive = LogArchive(archive_stack.scope, "log-archive", LogArchiveProps(
            account_id=archive_id,
            organization_id=archive_stack.value("organization_id"),
            management_account_id=management_id,
            trail_arn=f"arn:aws:cloudtrail:{home}:{management_id}:trail/{name}",
            bucket_name=bucket_name,
            access_logs_bucket_name=access_logs_bucket_name,
            kms_alias=f"alias/{org.name}-log-archive",
            log_retention_days=org.controls.log_retention_days,
            object_lock_mode=org.controls.object_lock_mode,
            object_lock_days=org.controls.object_lock_days,
            provider=archive_stack.provider(home),
        ))
        archive_stack.export("log_bucket_name", archive.bucket_name)
        archive_stack.export("log_bucket_arn", archive.bucket_arn)
        archive_stack.export("log_kms_key_arn", archive.kms_key_arn)

    management = stacks.for_account("management")
    if management.built:
        management_id = management.account_id()
        OrganizationTrail(management.scope, "organization-trail", OrganizationTrailProps(
            trail_name=name,
            account_id=management_id,
            region=home,
            s3_bucket_name=management.value("log_bucket_name"),
            kms_key_arn=management.value("log_kms_key_arn"),
            log_group_name=f"/aws/cloudtrail/{name}",
            cloudwatch_logs_role_name=f"{org.name}-cloudtrail-logs",
            log_group_kms_alias=f"alias/{org.name}-cloudtrail-logs",
            provider=management.provider(home),
        ))

    security = stacks.core("security_tooling")
    if not security.built:
        return
    regions = security.regions()
    # Security Hub's central configuration: the catalogue's standards for the spec's frameworks, everywhere
    standards = catalog.security_hub_standards(org.controls.compliance_frameworks)
    for region in regions:
        aggregation = region == home
        central = dict(
            security_hub_policy_name=f"{org.name}-organization",
            security_hub_standard_arns=[s.arn(PARTITION, home) for s in standards],
            security_hub_policy_targets={"root": security.value("organization_root_id")},
        ) if aggregation else {}
        SecurityServices(security.scope, f"security-services-{region}", SecurityServicesProps(
            region=region,
            aggregation_region=aggregation,
            linked_regions=list(regions[1:]) if aggregation else [],
            config_aggregator_name=f"{org.name}-organization",
            config_aggregator_role_name=f"{org.name}-config-aggregator",
            access_analyzer_name=f"{org.name}-organization",
            provider=security.provider(region),
            **central,
        ))
