"""Detective controls run organization-wide from the security tooling account: AWS Config organization rules
and conformance packs, and Amazon Macie; the catalogue of what they detect is pure data (``catalog``)."""
