"""Revisions, one file each, applied in `down_revision` order (alembic skips this file)."""
