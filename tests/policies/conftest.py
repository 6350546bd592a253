"""The policy tests use databases of their own (`fresh_url`, tests/conftest.py)."""
