"""Secure defaults of the account baseline, kept as data in one place.

The password policy follows the CIS AWS Foundations Benchmark (length 14 or more, reuse prevention 24)
and asks for every character class; it applies to the few IAM users an account may still have (people
sign in through IAM Identity Center).
"""

PASSWORD_MINIMUM_LENGTH = 14
PASSWORD_REQUIRE_LOWERCASE = True
PASSWORD_REQUIRE_UPPERCASE = True
PASSWORD_REQUIRE_NUMBERS = True
PASSWORD_REQUIRE_SYMBOLS = True
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_REUSE_PREVENTION = 24
PASSWORD_ALLOW_USERS_TO_CHANGE = True
PASSWORD_HARD_EXPIRY = False  # an expired password is changed at sign-in, not locked out

# S3 Block Public Access for the whole account: all four settings.
S3_BLOCK_PUBLIC_ACCESS = True

# New EBS volumes and snapshot copies are encrypted in every region (with the account's default key).
EBS_ENCRYPTION_BY_DEFAULT = True

ACCESS_ANALYZER_ACCOUNT_TYPE = "ACCOUNT"
