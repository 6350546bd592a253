"""A store that cannot be used lets requests through uncounted, with a warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from redis.exceptions import RedisError

from hub.db.engine import create_engine
from hub.db.session import Database
from hub.ratelimit import DatabaseRateLimiter, RateLimiter, RedisRateLimiter, build_rate_limiter
from hub.ratelimit.redis import connect
from hub.ratelimit.windows import Counter
from hub.settings import Settings
from tests.hub.ratelimit.redis_support import DOWN_REDIS_URL

LIMITS = {"official_per_minute": 1}


async def _let_through(limiter: RateLimiter, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hub.ratelimit"):
        for _ in range(3):
            await limiter.hit("LOCAL_WELFARE", "kim")
        # Any scope alike (the token endpoint's counters).
        for _ in range(2):
            await limiter.hit_counters([Counter("token_address_per_minute", "10.1.2.3", 60, 1)])
    warnings = [r for r in caplog.records if r.name == "hub.ratelimit"]
    assert len(warnings) == 5
    assert all("not counted" in r.getMessage() for r in warnings)


async def test_unusable_database_lets_requests_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Unmigrated: no rate_counters table. The access log (same database)
    # fails closed instead: see test_federation_and_audit.py.
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"))
    try:
        await _let_through(DatabaseRateLimiter(broken, Settings(rate_limits=LIMITS)), caplog)
    finally:
        await broken.dispose()


async def test_redis_down_lets_requests_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter(connect(DOWN_REDIS_URL), Settings(rate_limits=LIMITS))
    try:
        await _let_through(limiter, caplog)
        # ...while the readiness probe reports it.
        with pytest.raises((RedisError, OSError)):
            await limiter.check()
    finally:
        await limiter.aclose()


async def test_build_picks_redis_when_configured(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    try:
        default = build_rate_limiter(Settings(), database)
        assert isinstance(default, DatabaseRateLimiter) and default.backend == "database"
        configured = build_rate_limiter(Settings(redis_url=DOWN_REDIS_URL), database)
        assert isinstance(configured, RedisRateLimiter) and configured.backend == "redis"
        await configured.aclose()
    finally:
        await database.dispose()
