"""Migration 0007 (base versions, one active version) goes down and up on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from hub.catalog import load_catalog
from hub.db.engine import create_engine
from hub.db.migrate import alembic_config, migrate
from hub.db.session import Database
from policies.versions import active_version, decide, propose


def _downgrade(sync: Connection) -> None:
    command.downgrade(alembic_config(sync), "0006")


def _columns_and_indexes(sync: Connection) -> tuple[set[str], set[str]]:
    inspector = inspect(sync)
    columns = {c["name"] for c in inspector.get_columns("policy_versions")}
    indexes = {str(i["name"]) for i in inspector.get_indexes("policy_versions")}
    return columns, indexes


async def test_downgrade_then_upgrade_keeps_the_versions(fresh_url: str) -> None:
    database = Database.from_url(fresh_url)
    engine = create_engine(fresh_url)
    try:
        baseline = await active_version(database)
        assert baseline is not None
        version = await propose(
            database, load_catalog(), baseline.document, "officer.a", "x", base_version=1
        )
        await decide(database, version, "officer.b", approve=True)

        async with engine.begin() as connection:
            await connection.run_sync(_downgrade)
        async with engine.connect() as connection:
            columns, indexes = await connection.run_sync(_columns_and_indexes)
            rows = (
                await connection.execute(
                    text("SELECT version, status FROM policy_versions ORDER BY version")
                )
            ).all()
        assert "base_version" not in columns
        assert "ux_policy_versions_one_active" not in indexes
        assert [tuple(r) for r in rows] == [(1, "superseded"), (version, "active")]

        # Without the index, the old race could leave two versions active; the
        # upgrade will not pick one of them for the officers.
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE policy_versions SET status = 'active'"))
        with pytest.raises(RuntimeError, match=f"policy versions 1, {version} are all active"):
            await migrate(fresh_url)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE policy_versions SET status = 'superseded' WHERE version = 1")
            )
        await migrate(fresh_url)

        async with engine.connect() as connection:
            columns, indexes = await connection.run_sync(_columns_and_indexes)
            bases = (
                await connection.execute(
                    text("SELECT base_version FROM policy_versions ORDER BY version")
                )
            ).all()
        assert "base_version" in columns and "ux_policy_versions_one_active" in indexes
        # The bases recorded before the downgrade went with the column.
        assert [b for (b,) in bases] == [None, None]
        active = await active_version(database)
        assert active is not None and active.version == version
    finally:
        await database.dispose()
        await engine.dispose()
