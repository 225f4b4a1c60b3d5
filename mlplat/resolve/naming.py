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


# '<team>-<use case>' names the use case's endpoints ('<team>-<use case>-<environment>') through the
# deploy template's project name, which SageMaker limits to 32 characters.
ENDPOINT_BASE_NAME_MAX = 32


def team_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """The ML artifact bucket of a team account (data, models, captured inference data, monitoring)."""
    return f"{org_name}-ml-{account_id}-{region}"


def access_logs_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """The bucket receiving S3 server access logs of an account's ML buckets (same account and region)."""
    return f"{org_name}-s3-access-{account_id}-{region}"


def products_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """The bucket holding the Service Catalog product templates, in the ML platform account."""
    return f"{org_name}-ml-products-{account_id}-{region}"


def lake_bucket_name(org_name: str, domain: str, zone: str, account_id: str) -> str:
    """The bucket of one zone of a data domain's lake, in the domain's account."""
    return f"{org_name}-{domain}-{zone}-{account_id}"


def feature_store_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """The offline store of the central feature store, in the feature store account (shorter than the log
    archive's names, whose check bounds the organization name)."""
    return f"{org_name}-features-{account_id}-{region}"


def deployment_bucket_name(org_name: str, team: str, account_id: str) -> str:
    """A team's deployment pipeline artifacts, in the ML platform account (one bucket and key per team)."""
    return f"{org_name}-{team}-deploy-{account_id}"


def log_queries_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """Athena's query results over the organization's logs, in the log archive account (shorter than the log
    archive's names, whose check bounds the organization name)."""
    return f"{org_name}-log-queries-{account_id}-{region}"


def audit_database_name(org_name: str) -> str:
    """The Glue database of the organization's logs in the log archive account (Glue and Athena names take no
    hyphens)."""
    return f"{org_name.replace('-', '_')}_audit"


def audit_workgroup_name(org_name: str) -> str:
    """The Athena workgroup auditors query the organization's logs in."""
    return f"{org_name}-audit"


def cost_reports_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """The cost and usage export of the organization, in the management account (shorter than the log archive's
    names, whose check bounds the organization name)."""
    return f"{org_name}-cost-reports-{account_id}-{region}"


def cost_queries_bucket_name(org_name: str, account_id: str, region: str) -> str:
    """Athena's query results over the cost and usage export, in the management account."""
    return f"{org_name}-cost-queries-{account_id}-{region}"


def cost_database_name(org_name: str) -> str:
    """The Glue database of the cost and usage export (Glue and Athena names take no hyphens)."""
    return f"{org_name.replace('-', '_')}_cost"


def tfc_bootstrap_stack_name(org_name: str) -> str:
    """The stack of the Terraform Cloud project and workspaces (cloud backend): its workspace is the one
    mlplat does not manage."""
    return f"{org_name}-tfc-bootstrap"


def tfc_role_name(stack: str, phase: str) -> str:
    """The role a Terraform Cloud run of ``stack``'s workspace assumes in the stack's account during
    ``phase`` (plan or apply). The foundations create it; the bootstrap stack names it in the workspace's
    variables. At most 50 + 10 characters (account names are at most 50)."""
    return f"{stack}-tfc-{phase}"
