"""Migration 0009 (console sessions and sign-ins) goes down and up on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from hub.db.engine import create_engine
from hub.db.migrate import alembic_config, migrate

CONSOLE_TABLES = {"console_sessions", "console_sign_ins"}


def _downgrade(sync: Connection) -> None:
    command.downgrade(alembic_config(sync), "0008")


def _tables(sync: Connection) -> set[str]:
    return set(inspect(sync).get_table_names())


async def test_downgrade_then_upgrade(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= CONSOLE_TABLES
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade)
        async with engine.connect() as connection:
            tables = await connection.run_sync(_tables)
        assert not CONSOLE_TABLES & tables
        assert "oauth_client_changes" in tables, "0008 must stay"
        await migrate(fresh_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= CONSOLE_TABLES
    finally:
        await engine.dispose()
