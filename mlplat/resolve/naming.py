"""Names derived from the organization that more than one part relies on, defined once.

The log archive buckets are named here: the logging placement creates them, the protect-log-archive
SCP matches them by pattern, and the resolver checks that the longest name fits S3's limit.
"""

from __future__ import annotations

BUCKET_NAME_MAX = 63  # S3
ACCOUNT_ID_LENGTH = 12  # the log archive's id may still be a token when names are built


def log_archive_bucket_pattern(org_name: str) -> str:
    """Every log archive bucket's name matches this; the SCP protects them all."""
    return f"{org_name}-log-archive-*"


def log_archive_bucket_names(org_name: str, account_id: str, region: str) -> tuple[str, str]:
    """The log bucket's and the access-log bucket's names."""
    return (f"{org_name}-log-archive-{account_id}-{region}",
            f"{org_name}-log-archive-access-{account_id}-{region}")


def longest_log_archive_bucket_name(org_name: str, region: str) -> int:
    return max(len(name) for name in log_archive_bucket_names(org_name, "0" * ACCOUNT_ID_LENGTH, region))
