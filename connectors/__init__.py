"""Connectors to the source institutions, one abstract base and a registry."""
