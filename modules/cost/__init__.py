"""Module 8, cost and reporting: budgets, cost allocation tags, the tag policy of the ML OUs, cost categories,
cost anomaly alerts, the cost and usage export and the saved queries over it."""
