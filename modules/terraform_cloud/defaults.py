"""Terraform Cloud defaults: the tfe provider, how workspaces run, and the variables of dynamic AWS credentials."""

PROVIDER_NAME = "tfe"
PROVIDER_SOURCE = "hashicorp/tfe"
# The provider is still at major version zero, where a minor release may break: its documentation asks
# for a constraint on the minor version. 0.80 is the release the resources below were checked against.
PROVIDER_VERSION = "~> 0.80.0"

# mlplat runs Terraform itself, in dependency order: Terraform Cloud keeps the state, its versions and
# locks, and runs nothing.
EXECUTION_MODE = "local"

# Terraform Cloud connects a workspace to at most 20 source workspaces.
MAX_RUN_TRIGGER_SOURCES = 20

# Environment variables of a workspace's runs (dynamic provider credentials for AWS).
PROVIDER_AUTH_VARIABLE = "TFC_AWS_PROVIDER_AUTH"
ROLE_VARIABLES = {"plan": "TFC_AWS_PLAN_ROLE_ARN", "apply": "TFC_AWS_APPLY_ROLE_ARN"}
VARIABLE_CATEGORY = "env"
