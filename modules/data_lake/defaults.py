"""Names and settings of the data lake module."""

# The role Lake Formation assumes to reach a domain's lake buckets (its registered locations). A role of
# the domain's own, not the service-linked role: only a role of one's own can serve other accounts.
DATA_ACCESS_ROLE = "lakeformation-data-access"

# Lake Formation's cross-account version: 4 shares through AWS RAM with hybrid and LF-tag grants.
CROSS_ACCOUNT_VERSION = "4"
