"""The database store deletes the counters of ended windows, whatever their scope."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import RateCounter
from hub.db.session import Database
from hub.ratelimit import DatabaseRateLimiter
from hub.ratelimit.windows import DAY, MINUTE, Counter
from hub.settings import Settings
from tests.hub.ratelimit.conftest import NOW

HOUR = 3600


async def _rows(database: Database) -> set[tuple[str, str, int]]:
    async with database.session() as session:
        rows = await session.execute(
            select(RateCounter.scope, RateCounter.key, RateCounter.window_start)
        )
        return {(scope, key, start) for scope, key, start in rows.all()}


async def test_purge_goes_by_each_scopes_window(database: Database) -> None:
    limiter = DatabaseRateLimiter(database, Settings(), clock=lambda: NOW)
    minute, hour, day = NOW - NOW % MINUTE, NOW - NOW % HOUR, NOW - NOW % DAY
    async with database.session() as session:
        # Left by another process: a scope this one never counts, from
        # yesterday and from a minute ago (its window may be longer).
        session.add(RateCounter(scope="legacy_scope", key="x", window_start=day - DAY, count=1))
        session.add(RateCounter(scope="legacy_scope", key="x", window_start=minute - 60, count=1))
        await session.commit()
    wanted = [
        Counter("token_client_per_minute", "LW", MINUTE, 10),
        Counter("custom_per_hour", "LW", HOUR, 10),
    ]
    await limiter.hit_counters(wanted)
    await limiter.hit("LOCAL_WELFARE", "kim")
    # A minute later (the next purge is due): the minute windows have ended.
    limiter.clock = lambda: NOW + 60
    await limiter.hit_counters(wanted[:1])
    assert await _rows(database) == {
        ("legacy_scope", "x", minute - 60),
        ("token_client_per_minute", "LW", minute + 60),
        ("custom_per_hour", "LW", hour),
        ("agency_per_day", "LOCAL_WELFARE", day),
    }
