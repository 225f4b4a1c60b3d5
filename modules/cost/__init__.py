"""Module 8, cost and reporting: budgets per team and line of business."""
