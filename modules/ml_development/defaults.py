"""Secure defaults of the teams' dev environments (module 4), kept as data in one place."""

# Studio: IAM authentication (Identity Center sessions open their own profile, see TeamStudioDomain),
# traffic only through the team's VPC, nothing shared outside the domain, no Docker from Studio.
AUTH_MODE = "IAM"
APP_NETWORK_ACCESS_TYPE = "VpcOnly"
NOTEBOOK_OUTPUT_OPTION = "Disabled"
DOCKER_ACCESS = "DISABLED"
IDLE_LIFECYCLE_MANAGEMENT = "ENABLED"
STUDIO_WEB_PORTAL = "ENABLED"
DEFAULT_LANDING_URI = "studio::"
# The home directories survive a domain deletion; deleting a team's data is a decision, not a side effect.
HOME_EFS_RETENTION = "Retain"
# The tag that ties a Studio user profile to one Identity Center user (its session's principal tag).
STUDIO_USER_TAG = "studiouserid"

# Prefixes of the team bucket.
MODELS_PREFIX = "models/"
DATA_CAPTURE_PREFIX = "data-capture/"
MONITORING_PREFIX = "monitoring/"
MLFLOW_PREFIX = "mlflow/"

# The promotion build: a small managed image and the shortest timeout that fits a registry copy.
PROMOTION_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
PROMOTION_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
PROMOTION_TIMEOUT_MINUTES = 15
LOG_RETENTION_DAYS = 365

MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
SAGEMAKER_EVENT_SOURCE = "aws.sagemaker"
