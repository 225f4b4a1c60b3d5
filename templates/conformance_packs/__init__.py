"""AWS Config conformance packs, one Jinja2 template rendered per compliance framework and region."""
