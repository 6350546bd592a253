"""One rate-limit store per backend (SQLite, PostgreSQL, Redis) behind one factory.

`limiters(**settings)` builds a limiter with those settings on the test's store; calling it
again builds another limiter on the same store, standing for another worker
process (for Redis, with a connection pool of its own). Database stores run
inside a transaction rolled back after the test; Redis keys carry a prefix
unique to the test and are deleted after it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.ratelimit import DatabaseRateLimiter, RateLimiter, RedisRateLimiter
from hub.ratelimit.redis import connect
from hub.settings import Settings
from tests.conftest import rolled_back
from tests.hub.ratelimit.redis_support import delete_keys, require_redis, unique_prefix

LimiterFactory = Callable[..., RateLimiter]
#: 12:00:15 UTC on some day: 45 s left in the minute, 43185 s in the day.
NOW = 1_780_000_000 - 1_780_000_000 % 86_400 + 12 * 3600 + 15


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def store(request: pytest.FixtureRequest) -> str | None:
    """A database's migrated URL, or None for Redis (resolved here: a sync fixture)."""
    backend: str = request.param
    if backend == "redis":
        return None
    url: str = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    return url


@pytest.fixture
async def limiters(
    store: str | None, engines: dict[str, AsyncEngine]
) -> AsyncIterator[LimiterFactory]:
    """Builds limiters (all on one store) with settings overrides, clocked at NOW."""
    database_url = store
    made: list[RateLimiter] = []
    if database_url is None:
        url = await require_redis()
        prefix = unique_prefix()

        def on_redis(**values: Any) -> RateLimiter:
            limiter = RedisRateLimiter(
                connect(url), Settings(**values), prefix=prefix, clock=lambda: NOW
            )
            made.append(limiter)
            return limiter

        try:
            yield on_redis
        finally:
            for limiter in made:
                await limiter.aclose()
            await delete_keys(url, prefix)
        return

    async with rolled_back(database_url, engines) as database:

        def on_database(**values: Any) -> RateLimiter:
            limiter = DatabaseRateLimiter(database, Settings(**values), clock=lambda: NOW)
            made.append(limiter)
            return limiter

        yield on_database
