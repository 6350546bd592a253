"""Apply the alembic migrations programmatically (CLI, `make serve`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from hub.db.engine import create_engine

#: The packaged scripts (hub/db/migrations), as an importlib.resources
#: location that alembic resolves through the import system: the same in a
#: source checkout and in site-packages, where a path relative to this file's
#: parents would name alembic the library instead.
SCRIPT_LOCATION = "hub.db:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the packaged scripts, optionally bound to a connection."""
    # No alembic.ini: an installed hub has none, and nothing in it is needed
    # here (the URL comes from the caller, logging from the hub).
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` in one transaction."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    finally:
        await engine.dispose()
