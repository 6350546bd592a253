from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db.models import Base
from hub.db.session import Database


async def test_migrations_match_the_models(database: Database) -> None:
    def diff(sync_connection: Any) -> list[Any]:
        context = MigrationContext.configure(sync_connection)
        return list(compare_metadata(context, Base.metadata))

    async with database.session() as session:
        connection = await session.connection()
        differences = await connection.run_sync(diff)
    assert differences == []
