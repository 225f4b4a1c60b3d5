"""Secure defaults of the ML platform services (module 3), kept as data in one place."""

# Service Catalog: the launch role every team dev account holds under this name; the portfolio's
# launch constraints name it, so each account provisions with its own role.
LAUNCH_ROLE_NAME = "servicecatalog-launch"
PRODUCT_TYPE = "CLOUD_FORMATION_TEMPLATE"
PROVISIONING_ARTIFACT_TYPE = "CLOUD_FORMATION_TEMPLATE"
PORTFOLIO_PROVIDER = "ML platform team"
# Who may launch the products in a team account: the team lead persona's Identity Center role
# (a pattern without account, as Service Catalog shares principal names across accounts).
LAUNCHING_PERSONAS = ("ml-team-lead",)
SSO_ROLE_PATTERN = "arn:aws:iam:::role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{persona}_*"
# Studio starts SageMaker projects as the user's execution role: the leads' role launches too (a role under
# /mlplat/, which only the platform creates). Only leads provision: the user profile product chooses a persona.
STUDIO_LAUNCHERS = ("arn:aws:iam:::role/mlplat/studio-ml-team-lead",)
SSO_ROLE_IN_ACCOUNT = "arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{persona}_*"
TEMPLATES_PREFIX = "servicecatalog/"
DEPLOY_SOURCE_KEY = "deploy/model-deploy.zip"
DEPLOY_TEMPLATE_FILE = "model-deploy.yaml"

# ECR: images are immutable, scanned on push, KMS-encrypted; untagged images expire.
IMAGE_REPOSITORIES = ("training", "inference")
IMAGE_TAG_MUTABILITY = "IMMUTABLE"
UNTAGGED_IMAGE_EXPIRY_DAYS = 14

# The ML event bus keeps an audit log of every model package state change.
AUDIT_LOG_RETENTION_DAYS = 2557
MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
SAGEMAKER_EVENT_SOURCE = "aws.sagemaker"

# Deployment pipelines: queued executions (one deployment at a time per use case), a small build.
PIPELINE_TYPE = "V2"
PIPELINE_EXECUTION_MODE = "QUEUED"
BUILD_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
BUILD_TIMEOUT_MINUTES = 15
LOG_RETENTION_DAYS = 365
