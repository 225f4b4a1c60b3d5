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

# Terraform Cloud dynamic credentials (cloud backend): the audience of the runs' identity tokens, as
# HashiCorp's AWS configuration documents it, and the managed policies of the two roles per workspace.
TERRAFORM_CLOUD_AUDIENCE = "aws.workload.identity"
TERRAFORM_CLOUD_RUN_PHASES = ("plan", "apply")
# A plan refreshes every resource of its stack: reading configuration is all it needs.
TERRAFORM_CLOUD_PLAN_POLICY = MANAGED_POLICY_ARN_PREFIX + "ReadOnlyAccess"
# An apply does what the execution role (organization.execution_role) does when mlplat runs Terraform itself.
TERRAFORM_CLOUD_APPLY_POLICY = MANAGED_POLICY_ARN_PREFIX + "AdministratorAccess"
TERRAFORM_CLOUD_POLICIES = {"plan": TERRAFORM_CLOUD_PLAN_POLICY, "apply": TERRAFORM_CLOUD_APPLY_POLICY}
