"""Jinja2 templates: service control policies and the starter spec."""
