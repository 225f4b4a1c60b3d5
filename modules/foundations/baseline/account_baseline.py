"""The account baseline in one region: default encryption, access analysis and, once, account-wide guardrails."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.baseline import defaults


class AccountBaselineProps(Props):
    include_global: bool  # account-wide settings (S3 public access block, password policy): one region only
    # None: no account analyzer (e.g. in the account that runs the organization's analyzer)
    access_analyzer_name: str | None = Field(min_length=1)
    minimum_password_length: int = Field(default=defaults.PASSWORD_MINIMUM_LENGTH, ge=14, le=128)
    max_password_age: int = Field(default=defaults.PASSWORD_MAX_AGE_DAYS, ge=1, le=1095)
    password_reuse_prevention: int = Field(default=defaults.PASSWORD_REUSE_PREVENTION, ge=1, le=24)
    provider: Any = None


class AccountBaseline(Construct):
    """The baseline of one account in one region.

    Every region: EBS encryption by default, and an IAM Access Analyzer with the account as zone of
    trust (unless ``access_analyzer_name`` is None). Where ``include_global`` is set (the home region):
    S3 Block Public Access for the whole account (all four settings) and an IAM password policy (at
    least 14 characters, every character class, 90-day maximum age, the last 24 passwords not reused,
    users may change their own).
    """

    def __init__(self, scope: Construct, id: str, props: AccountBaselineProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}

        aws.ebs_encryption_by_default.EbsEncryptionByDefault(
            self, "ebs-encryption", enabled=defaults.EBS_ENCRYPTION_BY_DEFAULT, **provider)
        if props.access_analyzer_name is not None:
            aws.accessanalyzer_analyzer.AccessanalyzerAnalyzer(
                self, "access-analyzer", analyzer_name=props.access_analyzer_name,
                type=defaults.ACCESS_ANALYZER_ACCOUNT_TYPE, **provider)

        if props.include_global:
            block = defaults.S3_BLOCK_PUBLIC_ACCESS
            aws.s3_account_public_access_block.S3AccountPublicAccessBlock(
                self, "s3-public-access-block",
                block_public_acls=block, block_public_policy=block,
                ignore_public_acls=block, restrict_public_buckets=block,
                **provider,
            )
            aws.iam_account_password_policy.IamAccountPasswordPolicy(
                self, "password-policy",
                minimum_password_length=props.minimum_password_length,
                require_lowercase_characters=defaults.PASSWORD_REQUIRE_LOWERCASE,
                require_uppercase_characters=defaults.PASSWORD_REQUIRE_UPPERCASE,
                require_numbers=defaults.PASSWORD_REQUIRE_NUMBERS,
                require_symbols=defaults.PASSWORD_REQUIRE_SYMBOLS,
                max_password_age=props.max_password_age,
                password_reuse_prevention=props.password_reuse_prevention,
                allow_users_to_change_password=defaults.PASSWORD_ALLOW_USERS_TO_CHANGE,
                hard_expiry=defaults.PASSWORD_HARD_EXPIRY,
                **provider,
            )
