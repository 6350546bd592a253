"""Bring a database to a servable state: migrations, then the baseline policy."""

from __future__ import annotations

from hub.catalog import load_catalog
from hub.db.migrate import migrate
from hub.db.session import Database
from policies.versions import install_baseline


async def prepare_database(url: str) -> int | None:
    """Migrate `url` to the latest revision and install the baseline policy if none exists.

    Returns the policy version installed, or None if policies were already there.
    """
    await migrate(url)
    database = Database.from_url(url)
    try:
        return await install_baseline(database, load_catalog())
    finally:
        await database.dispose()
