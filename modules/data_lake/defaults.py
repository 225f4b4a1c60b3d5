"""Names and settings of the data lake module."""

# The role, one per domain in the data governance account, that Lake Formation assumes to reach the
# domain's zone buckets (its registered locations): Lake Formation registers another account's bucket
# only with a role of the registering account, and the service-linked role cannot serve other accounts.
DATA_ACCESS_ROLE = "lake-{domain}"

# Lake Formation's cross-account version: 4 shares through AWS RAM with hybrid and LF-tag grants.
CROSS_ACCOUNT_VERSION = "4"

# The LF-tag keys the data governance account defines; their values come from the spec.
DOMAIN_TAG = "domain"
ZONE_TAG = "zone"
CLASSIFICATION_TAG = "classification"

# What a consumer's principals may do on the tables and databases its tag expressions match.
CONSUMER_TABLE_PERMISSIONS = ("DESCRIBE", "SELECT")
CONSUMER_DATABASE_PERMISSIONS = ("DESCRIBE",)
# What a domain's own account may do on its databases and tables (and grant to its own principals).
PRODUCER_DATABASE_PERMISSIONS = ("ALTER", "CREATE_TABLE", "DESCRIBE")
PRODUCER_TABLE_PERMISSIONS = ("ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT")

# The policy a team's roles get to read governed data: Lake Formation vends the S3 credentials.
GOVERNED_DATA_POLICY = "governed-data"
