"""Every migration goes down and up again, on SQLite and PostgreSQL.

Upgrade to head (with the baseline policy installed, so downgrades move
real rows), downgrade to base, upgrade to head: each revision's downgrade
must run on both databases (0004's once used SQLite-only types), leave
nothing behind, and the second upgrade must give the models' schema again.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from hub.db.engine import create_engine
from hub.db.migrate import alembic_config, migrate
from hub.db.models import Base


def _downgrade_to_base(sync: Connection) -> None:
    command.downgrade(alembic_config(sync), "base")


def _tables(sync: Connection) -> set[str]:
    return set(inspect(sync).get_table_names())


def _differences(sync: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync), Base.metadata))


def _current(sync: Connection) -> str | None:
    return MigrationContext.configure(sync).get_current_revision()


async def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    # fresh_url: a database of this test's own, at head with the baseline.
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    engine = create_engine(fresh_url)
    try:
        async with engine.begin() as connection:
            assert await connection.run_sync(_current) == head
            await connection.run_sync(_downgrade_to_base)
        async with engine.connect() as connection:
            # Only alembic's own bookkeeping is left.
            assert await connection.run_sync(_tables) <= {"alembic_version"}
            assert await connection.run_sync(_current) is None

        await migrate(fresh_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_current) == head
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()
