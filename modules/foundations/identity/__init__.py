"""IAM Identity Center: a permission set per persona, groups, and their account assignments."""
