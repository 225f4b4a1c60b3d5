"""Identity Center defaults: AWS managed policy ARNs, permission set limits, and the IAM path of platform roles."""

MANAGED_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy/"
# IAM Identity Center permission set names: 1 to 32 characters.
PERMISSION_SET_NAME_MAX = 32
PRINCIPAL_TYPE = "GROUP"
TARGET_TYPE = "AWS_ACCOUNT"
# External groups (synchronized from an identity provider) are found by their display name.
GROUP_LOOKUP_ATTRIBUTE = "DisplayName"

# Roles and policies the platform (and its administrators) manage live under this IAM path; the
# platform-admin persona may manage IAM only there, and the team personas may pass only those roles.
PLATFORM_IAM_PATH = "/mlplat/"
