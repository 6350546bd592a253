"""Rate limits and quotas: per official and per agency, shared by every hub on one database.

Over a limit the reply is a 429 with Retry-After and RATE_LIMITED naming the
limit; no source is called and nothing is logged. Two hubs built on the same
`database` stand for two worker processes: they count in the same rows. With
HUB_REDIS_URL set the counters live in Redis instead (the store's own
behaviour is tested per backend in tests/hub/ratelimit/).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.db.engine import create_engine
from hub.db.models import AuditEntry, RateCounter
from hub.db.session import Database
from hub.ratelimit import DatabaseRateLimiter, RedisRateLimiter
from hub.settings import Settings
from simulator.population import Population
from tests.hub.ratelimit.redis_support import (
    DOWN_REDIS_URL,
    delete_keys,
    require_redis,
    unique_prefix,
)
from tests.schema.conftest import AGENCY, Hub, HubFactory

ONE = "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount } } }"
OTHER_AGENCY = "COMMUNITY_CENTRE"
#: 12:00:15 UTC on some day: 45 s left in the minute, 43185 s in the day.
NOW = 1_780_000_000 - 1_780_000_000 % 86_400 + 12 * 3600 + 15


async def _ask(
    hub: Hub, rrn: str, official: str = "kim.01", agency: str = AGENCY
) -> httpx.Response:
    return await hub.post(
        ONE, {"r": rrn}, agency=agency, token=hub.token(agency=agency, official=official)
    )


def _limited(response: httpx.Response, limit: str, allowed: int) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    body: dict[str, Any] = response.json()
    assert body["data"] is None
    assert len(body["errors"]) == 1
    error: dict[str, Any] = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["limit"] == limit
    assert error["extensions"]["allowed"] == allowed
    assert int(response.headers["Retry-After"]) == error["extensions"]["retryAfter"]
    return error


async def _entries(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _freeze(hub: Hub, at: float) -> None:
    hub.app.state.services.rate_limiter.clock = lambda: at


async def test_official_limit(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, rate_limits={"official_per_minute": 2})
    _freeze(hub, NOW)
    rrn = population.sample_rrns(1)[0]
    for _ in range(2):
        response = await _ask(hub, rrn)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    entries, calls = await _entries(database), hub.calls()
    error = _limited(await _ask(hub, rrn), "official_per_minute", 2)
    assert error["extensions"]["retryAfter"] == 45
    assert "official_per_minute" in error["message"]
    # Nothing ran: no source call, no access-log entry.
    assert hub.calls() == calls
    assert await _entries(database) == entries
    # Another official of the same agency is not affected...
    response = await _ask(hub, rrn, official="lee.02")
    assert response.status_code == 200, response.text
    # ...and the next minute the official may ask again.
    _freeze(hub, NOW + 45)
    assert (await _ask(hub, rrn)).status_code == 200


async def test_agency_limit_and_other_agencies(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, rate_limits={"agency_per_minute": 3})
    rrn = population.sample_rrns(1)[0]
    for official in ("a.01", "b.02", "c.03"):
        assert (await _ask(hub, rrn, official=official)).status_code == 200
    calls = hub.calls()
    error = _limited(await _ask(hub, rrn, official="d.04"), "agency_per_minute", 3)
    assert 1 <= error["extensions"]["retryAfter"] <= 60
    assert hub.calls() == calls
    # Another agency counts on its own (its answer is whatever its policy says).
    response = await _ask(hub, rrn, agency=OTHER_AGENCY)
    assert response.status_code == 200, response.text


async def test_daily_quota_per_agency_override(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, agency_rate_limits={AGENCY.lower(): {"agency_per_day": 2}})
    _freeze(hub, NOW)
    rrn = population.sample_rrns(1)[0]
    assert (await _ask(hub, rrn, official="a.01")).status_code == 200
    _freeze(hub, NOW + 120)
    assert (await _ask(hub, rrn, official="b.02")).status_code == 200
    error = _limited(await _ask(hub, rrn, official="c.03"), "agency_per_day", 2)
    assert error["extensions"]["retryAfter"] == 86_400 - (12 * 3600 + 15 + 120)
    # The override is this agency's alone.
    assert (await _ask(hub, rrn, agency=OTHER_AGENCY)).status_code == 200


async def test_refused_requests_consume_nothing(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, rate_limits={"official_per_minute": 1})
    _freeze(hub, NOW)
    rrn = population.sample_rrns(1)[0]
    assert (await _ask(hub, rrn)).status_code == 200
    for _ in range(5):
        _limited(await _ask(hub, rrn), "official_per_minute", 1)
    async with database.session() as session:
        rows = dict((await session.execute(select(RateCounter.scope, RateCounter.count))).all())
    # The refused requests rolled back: the agency's counters saw one request.
    assert rows == {"official_per_minute": 1, "agency_per_minute": 1, "agency_per_day": 1}


async def test_two_hubs_share_the_counters(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    # Two apps on one database: two worker processes' worth of state.
    first = await hub_factory(database, rate_limits={"official_per_minute": 3})
    second = await hub_factory(database, rate_limits={"official_per_minute": 3})
    rrn = population.sample_rrns(1)[0]
    statuses = [(await _ask(hub, rrn)).status_code for hub in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]
    _limited(await _ask(first, rrn), "official_per_minute", 3)


async def test_old_windows_are_purged(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database)
    rrn = population.sample_rrns(1)[0]
    _freeze(hub, NOW)
    assert (await _ask(hub, rrn)).status_code == 200
    # A minute and a purge interval later, the old minute windows are gone;
    # the day's counter stays.
    _freeze(hub, NOW + 120)
    assert (await _ask(hub, rrn)).status_code == 200
    async with database.session() as session:
        rows = sorted((await session.execute(select(RateCounter.scope, RateCounter.count))).all())
    assert rows == [("agency_per_day", 2), ("agency_per_minute", 1), ("official_per_minute", 1)]


async def test_unusable_counters_let_the_request_through(tmp_path: Path) -> None:
    # The access log (same database) fails closed instead: see
    # test_federation_and_audit.py::test_no_data_leaves_when_the_log_cannot_be_written.
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"))
    try:
        limiter = DatabaseRateLimiter(broken, Settings(rate_limits={"official_per_minute": 1}))
        await limiter.hit(AGENCY, "kim.01")
        await limiter.hit(AGENCY, "kim.01")
    finally:
        await broken.dispose()


@pytest.fixture
async def redis_limiters() -> AsyncIterator[list[RedisRateLimiter]]:
    """Redis limiters of the test's hubs, closed after it (hub_factory runs no lifespan)."""
    limiters: list[RedisRateLimiter] = []
    yield limiters
    for limiter in limiters:
        await limiter.aclose()


def _redis_limiter(hub: Hub, closing: list[RedisRateLimiter]) -> RedisRateLimiter:
    limiter = hub.app.state.services.rate_limiter
    assert isinstance(limiter, RedisRateLimiter)
    closing.append(limiter)
    return limiter


@pytest.fixture
async def redis_prefix() -> AsyncIterator[tuple[str, str]]:
    """The test Redis's URL and a key prefix of this test's own, deleted afterwards."""
    url = await require_redis()
    prefix = unique_prefix()
    yield url, prefix
    await delete_keys(url, prefix)


@pytest.mark.redis
async def test_limits_counted_in_redis(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    redis_prefix: tuple[str, str],
    redis_limiters: list[RedisRateLimiter],
) -> None:
    url, prefix = redis_prefix
    # Two hubs on one Redis: two worker processes (each with its own pool).
    hubs = [
        await hub_factory(database, redis_url=url, rate_limits={"official_per_minute": 2})
        for _ in range(2)
    ]
    for hub in hubs:
        _redis_limiter(hub, redis_limiters).prefix = prefix
        _freeze(hub, NOW)
    first, second = hubs
    rrn = population.sample_rrns(1)[0]
    assert (await _ask(first, rrn)).status_code == 200
    assert (await _ask(second, rrn)).status_code == 200
    entries, calls = await _entries(database), first.calls()
    error = _limited(await _ask(first, rrn), "official_per_minute", 2)
    assert error["extensions"]["retryAfter"] == 45
    assert first.calls() == calls and await _entries(database) == entries
    # Nothing was counted in the database.
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(RateCounter)) == 0
    ready = await first.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["rate_limits"] == {"ok": True, "backend": "redis"}


async def test_redis_down_lets_requests_through_but_is_not_ready(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    redis_limiters: list[RedisRateLimiter],
) -> None:
    hub = await hub_factory(database, redis_url=DOWN_REDIS_URL, rate_limits={"agency_per_day": 1})
    _redis_limiter(hub, redis_limiters)
    rrn = population.sample_rrns(1)[0]
    for _ in range(2):
        response = await _ask(hub, rrn)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    ready = await hub.client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["rate_limits"]["ok"] is False
    # Only the failure's type is shown, never the Redis URL.
    assert "127.0.0.1" not in ready.text
