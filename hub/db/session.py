"""The database service: an engine and a session factory, built per app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hub.db.engine import create_engine


class Database:
    """Hands out sessions on one engine.

    Tests build it on a connection inside an outer transaction
    (`join_transaction_mode="create_savepoint"`) so every test's writes roll
    back; the app builds it on the configured URL.
    """

    def __init__(self, engine: AsyncEngine, bind: AsyncConnection | None = None) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(
            bind=bind or engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        """A database service on a fresh engine for `url`."""
        return cls(create_engine(url))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits, anything uncommitted rolls back."""
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        """Close the engine's pooled connections."""
        await self.engine.dispose()
