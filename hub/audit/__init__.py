"""Accountability: every data access is recorded before any data leaves."""
