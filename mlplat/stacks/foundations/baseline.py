"""Placement of the account baseline: every account, the management account included, in every allowed region.

Each account gets the baseline (account-wide settings once, in the home region) and an AWS Config
recorder per region delivering to the log archive set by the logging placement.
"""

from __future__ import annotations

from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.baseline.account_baseline import AccountBaseline, AccountBaselineProps
    from mlplat.modules.foundations.logging.config_recorder import ConfigRecorder, ConfigRecorderProps

    org = stacks.org
    # the security tooling account runs the organization's analyzer instead of an account one
    organization_analyzer_account = org.core("security_tooling").key

    for handle in stacks.accounts():
        if not handle.built:
            continue
        bucket_name = handle.value("log_bucket_name")
        kms_key_arn = handle.value("log_kms_key_arn")
        account_analyzer = None if handle.account.key == organization_analyzer_account else f"{org.name}-account"
        role_arn: str | None = None  # the service-linked role, created with the home region's recorder
        for region in handle.regions():
            home = region == org.home_region
            provider = handle.provider(region)
            AccountBaseline(handle.scope, f"baseline-{region}", AccountBaselineProps(
                include_global=home,
                access_analyzer_name=account_analyzer,
                provider=provider,
            ))
            recorder = ConfigRecorder(handle.scope, f"config-{region}", ConfigRecorderProps(
                recorder_name=f"{org.name}-recorder",
                s3_bucket_name=bucket_name,
                s3_kms_key_arn=kms_key_arn,
                include_global_resource_types=home,
                role_arn=role_arn,
                provider=provider,
            ))
            role_arn = recorder.role_arn
            stacks.shared.config_recorders[(handle.account.key, region)] = recorder.status
