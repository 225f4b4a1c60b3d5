"""The security baseline every account gets: account-wide guardrails and default encryption."""
