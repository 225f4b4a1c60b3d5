"""Secure defaults of the organization's detective controls, kept as data in one place.

Constructs read these through their props' defaults; a placement overrides one only on purpose.
"""

# AWS Config organization rules and conformance packs: created once per region from the delegated
# administrator, then deployed by AWS Config to every account; creation waits until each account reports,
# which takes longer than the provider's default timeouts in a large organization.
ORGANIZATION_RULE_TIMEOUT = "20m"
CONFORMANCE_PACK_TIMEOUT = "30m"
# AWS Config's limit on a conformance pack's template body.
CONFORMANCE_PACK_TEMPLATE_MAX_BYTES = 51_200

# Macie: accounts that join the organization later are enrolled automatically; existing accounts are
# added as members (and so enabled) by the administrator; findings reach Security Hub and EventBridge
# every 15 minutes.
MACIE_AUTO_ENABLE = True
MACIE_MEMBER_STATUS = "ENABLED"
MACIE_FINDING_PUBLISHING_FREQUENCY = "FIFTEEN_MINUTES"
# Sensitive data discovery: every existing object once (initial run), then each day the objects added or
# changed since the last run, all of them (no sampling), with Macie's managed data identifiers.
MACIE_JOB_TYPE = "SCHEDULED"
MACIE_JOB_INITIAL_RUN = True
MACIE_JOB_SAMPLING_PERCENTAGE = 100
