"""Module 6: the centralized feature store (feature groups shared across accounts)."""
