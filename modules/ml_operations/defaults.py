"""Secure defaults of the teams' test and prod environments (module 5), kept as data in one place."""

# Names of the team's roles in a test or prod account (one team per account, under the platform path).
DEPLOYMENT_ACTION_ROLE = "model-deployment-action"
DEPLOYMENT_ROLE = "model-deployment"
MODEL_EXECUTION_ROLE = "model-execution"
MODEL_MONITOR_ROLE = "model-monitor"
ALERTS_TOPIC = "ml-alerts"

# Endpoint stacks the pipeline deploys are named '<team>-<use case>-endpoint'; endpoints
# '<team>-<use case>-<environment>' (the deploy template's naming), with one variant.
ENDPOINT_STACK_SUFFIX = "-endpoint"
VARIANT_NAME = "AllTraffic"

# Alarms per use case endpoint: server errors, and latency above a bound (microseconds, p90).
ERROR_ALARM_THRESHOLD = 1
LATENCY_ALARM_THRESHOLD_MICROSECONDS = 1_000_000
ALARM_PERIOD_SECONDS = 300
ALARM_EVALUATION_PERIODS = 3
