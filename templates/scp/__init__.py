"""Service control policies, one Jinja2 template per policy name, rendered to minified JSON."""
