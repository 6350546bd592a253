"""INSERT … ON CONFLICT, spelt the way each supported database spells it.

PostgreSQL and SQLite both support `ON CONFLICT`, but SQLAlchemy exposes it
through each dialect's own `insert`; this module is the one place that
picks it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(dialect_name: str, target: Any) -> Any:
    """The dialect's INSERT for `target` (a model or table), which offers ON CONFLICT."""
    if dialect_name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def insert_ignoring_duplicates(
    session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]
) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for `rows` of `model` on the session's database."""
    name = session.get_bind().dialect.name
    return dialect_insert(name, model).values(rows).on_conflict_do_nothing()
