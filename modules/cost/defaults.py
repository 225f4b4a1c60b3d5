"""Budget defaults: monthly cost budgets in USD, alerting on actual spend and on the forecast."""

BUDGET_TYPE = "COST"
TIME_UNIT = "MONTHLY"
LIMIT_UNIT = "USD"
# A forecast past the whole limit is worth an early warning whatever thresholds a team chose.
FORECAST_THRESHOLD = 100
