"""Insert-unless-present, spelt the way each supported database spells it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_ignoring_duplicates(
    session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]
) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING for `rows` of `model` on the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).values(rows).on_conflict_do_nothing()
    return sqlite.insert(model).values(rows).on_conflict_do_nothing()
