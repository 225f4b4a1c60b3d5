"""Amazon Macie for the whole organization: delegated to the security tooling account, which enrols every
account and inspects the platform's data buckets for sensitive data."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.detective import defaults


class MacieAdministratorProps(Props):
    admin_account_id: str
    provider: Any = None  # the management account's provider in the region; None: the default provider
    depends_on: list[Any] = Field(default_factory=list)  # the organization


class MacieAdministrator(Construct):
    """Designates ``admin_account_id`` as the delegated Macie administrator, from the management account.

    Creates ``aws_macie2_organization_admin_account`` in one region. The designation turns on Macie's trusted
    access in AWS Organizations and enables Macie in the administrator account in that region.
    """

    def __init__(self, scope: Construct, id: str, props: MacieAdministratorProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.admin = aws.macie2_organization_admin_account.Macie2OrganizationAdminAccount(
            self, "admin", admin_account_id=props.admin_account_id,
            depends_on=list(props.depends_on) or None, **provider)


class MacieMember(Props):
    key: str  # the account's key in mlplat, which names its resources here
    account_id: str
    email: str


class MacieBuckets(Props):
    """The buckets of one account that a sensitive data discovery job inspects."""

    key: str  # the owner's account key; the job is named '<prefix>-<key>'
    account_id: str
    buckets: list[str] = Field(min_length=1)


class MacieOrganizationProps(Props):
    job_name_prefix: str
    members: list[MacieMember]  # every member account but the administrator itself
    buckets: list[MacieBuckets] = Field(default_factory=list)
    # The management account's designation enables Macie here; False enables it (an account where no
    # delegation ran).
    enabled_by_delegation: bool = True
    auto_enable: bool = defaults.MACIE_AUTO_ENABLE
    member_status: str = defaults.MACIE_MEMBER_STATUS
    finding_publishing_frequency: str = defaults.MACIE_FINDING_PUBLISHING_FREQUENCY
    job_type: str = defaults.MACIE_JOB_TYPE
    initial_run: bool = defaults.MACIE_JOB_INITIAL_RUN
    sampling_percentage: int = Field(default=defaults.MACIE_JOB_SAMPLING_PERCENTAGE, ge=1, le=100)
    provider: Any = None

    @model_validator(mode="after")
    def _buckets_of_members(self) -> MacieOrganizationProps:
        members = {m.key for m in self.members}
        outside = sorted(b.key for b in self.buckets if b.key not in members)
        if outside:
            raise ValueError(f"buckets of accounts that are not Macie members: {', '.join(outside)}")
        if len(members) != len(self.members):
            raise ValueError("an account is listed twice among the Macie members")
        return self


class MacieOrganization(Construct):
    """Macie for the whole organization, in one region of the delegated administrator.

    - ``aws_macie2_organization_configuration``: accounts that join the organization later are enabled
      automatically.
    - One ``aws_macie2_member`` per existing account (enabled, no invitation: they are organization
      accounts), which enables Macie there: bucket inventory, and policy findings such as a bucket made
      public or unencrypted.
    - One ``aws_macie2_classification_job`` per account that holds data buckets: a scheduled job with
      Macie's managed data identifiers over those buckets only, all existing objects first, then every
      day the objects added or changed, without sampling.

    Findings go to Security Hub and EventBridge (every 15 minutes). Macie itself is enabled here by the
    delegation; ``enabled_by_delegation=False`` creates ``aws_macie2_account`` instead.
    """

    def __init__(self, scope: Construct, id: str, props: MacieOrganizationProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        after: list[Any] = []
        if not props.enabled_by_delegation:
            after.append(aws.macie2_account.Macie2Account(
                self, "macie", status="ENABLED",
                finding_publishing_frequency=props.finding_publishing_frequency, **provider))
        configuration = aws.macie2_organization_configuration.Macie2OrganizationConfiguration(
            self, "organization", auto_enable=props.auto_enable, depends_on=after or None, **provider)
        members = {}
        for member in props.members:
            members[member.key] = aws.macie2_member.Macie2Member(
                self, f"member-{member.key}",
                account_id=member.account_id, email=member.email, status=props.member_status, invite=False,
                depends_on=[configuration], **provider)
        job = aws.macie2_classification_job
        for owner in props.buckets:
            job.Macie2ClassificationJob(
                self, f"job-{owner.key}",
                name=f"{props.job_name_prefix}-{owner.key}",
                description=f"Sensitive data in the buckets of {owner.key}",
                job_type=props.job_type,
                initial_run=props.initial_run,
                sampling_percentage=props.sampling_percentage,
                schedule_frequency=job.Macie2ClassificationJobScheduleFrequency(daily_schedule=True)
                if props.job_type == "SCHEDULED" else None,
                s3_job_definition=job.Macie2ClassificationJobS3JobDefinition(
                    bucket_definitions=[job.Macie2ClassificationJobS3JobDefinitionBucketDefinitions(
                        account_id=owner.account_id, buckets=sorted(owner.buckets))]),
                depends_on=[members[owner.key]],
                **provider,
            )
