"""Module 1, multi-account foundations: organization, identity, logging, baseline and network."""
