"""Migration 0008 (client disabling and its record) goes down and up on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from hub.db.engine import create_engine
from hub.db.migrate import alembic_config, migrate


def _downgrade(sync: Connection) -> None:
    command.downgrade(alembic_config(sync), "0007")


def _shape(sync: Connection) -> tuple[set[str], set[str]]:
    inspector = inspect(sync)
    return set(inspector.get_table_names()), {
        c["name"] for c in inspector.get_columns("oauth_clients")
    }


async def test_downgrade_then_upgrade(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    try:
        async with engine.connect() as connection:
            tables, columns = await connection.run_sync(_shape)
        assert "oauth_client_changes" in tables and "tokens_not_before" in columns
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade)
        async with engine.connect() as connection:
            tables, columns = await connection.run_sync(_shape)
        assert "oauth_client_changes" not in tables
        assert not {"disabled_at", "disabled_by", "disabled_reason", "tokens_not_before"} & columns
        await migrate(fresh_url)
        async with engine.connect() as connection:
            tables, columns = await connection.run_sync(_shape)
        assert "oauth_client_changes" in tables and "disabled_at" in columns
    finally:
        await engine.dispose()
