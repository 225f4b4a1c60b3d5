"""The AWS Organizations structure: OUs, member accounts, service control policies and delegated administrators."""
