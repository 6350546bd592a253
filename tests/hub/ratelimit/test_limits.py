"""The rate limiter's behaviour, the same on every store: SQLite, PostgreSQL and Redis.

Each test runs once per backend (the `limiters` fixture). The clock is
injected: NOW is 12:00:15 UTC, 45 s before the minute ends.
"""

from __future__ import annotations

import pytest

from hub.ratelimit import RateLimited, RateLimiter
from tests.hub.ratelimit.conftest import NOW, LimiterFactory

AGENCY = "LOCAL_WELFARE"
OTHER_AGENCY = "COMMUNITY_CENTRE"


async def _refused(
    limiter: RateLimiter, agency: str = AGENCY, official: str = "kim"
) -> RateLimited:
    with pytest.raises(RateLimited) as refused:
        await limiter.hit(agency, official)
    return refused.value


async def test_official_per_minute(limiters: LimiterFactory) -> None:
    limiter = limiters(rate_limits={"official_per_minute": 2})
    for _ in range(2):
        await limiter.hit(AGENCY, "kim")
    refused = await _refused(limiter)
    assert (refused.limit, refused.allowed, refused.retry_after) == ("official_per_minute", 2, 45)
    # Another official of the agency, and the same name in another agency, are not affected.
    await limiter.hit(AGENCY, "lee")
    await limiter.hit(OTHER_AGENCY, "kim")


async def test_agency_per_minute(limiters: LimiterFactory) -> None:
    limiter = limiters(rate_limits={"agency_per_minute": 3})
    for official in ("a", "b", "c"):
        await limiter.hit(AGENCY, official)
    refused = await _refused(limiter, official="d")
    assert (refused.limit, refused.allowed, refused.retry_after) == ("agency_per_minute", 3, 45)
    await limiter.hit(OTHER_AGENCY, "d")


async def test_agency_per_day_with_an_override(limiters: LimiterFactory) -> None:
    limiter = limiters(agency_rate_limits={AGENCY: {"agency_per_day": 2}})
    await limiter.hit(AGENCY, "a")
    limiter.clock = lambda: NOW + 120
    await limiter.hit(AGENCY, "b")
    refused = await _refused(limiter, official="c")
    assert refused.limit == "agency_per_day"
    assert refused.retry_after == 86_400 - (12 * 3600 + 15 + 120)
    # The override is this agency's alone; the next day the quota is back.
    await limiter.hit(OTHER_AGENCY, "c")
    limiter.clock = lambda: NOW + 86_400
    await limiter.hit(AGENCY, "c")


async def test_a_refused_request_consumes_nothing(limiters: LimiterFactory) -> None:
    limiter = limiters(rate_limits={"official_per_minute": 1, "agency_per_minute": 2})
    await limiter.hit(AGENCY, "kim")
    for _ in range(5):
        assert (await _refused(limiter)).limit == "official_per_minute"
    # Had the refusals counted, the agency would be at 6 of 2 by now.
    await limiter.hit(AGENCY, "lee")
    assert (await _refused(limiter, official="park")).limit == "agency_per_minute"


async def test_the_next_window_starts_afresh(limiters: LimiterFactory) -> None:
    limiter = limiters(rate_limits={"official_per_minute": 1})
    await limiter.hit(AGENCY, "kim")
    limiter.clock = lambda: NOW + 44.5
    assert (await _refused(limiter)).retry_after == 1
    limiter.clock = lambda: NOW + 45
    await limiter.hit(AGENCY, "kim")
    assert (await _refused(limiter)).retry_after == 60


async def test_two_processes_share_the_counts(limiters: LimiterFactory) -> None:
    # Two limiters on one store: two worker processes' worth of state.
    first = limiters(rate_limits={"official_per_minute": 3})
    second = limiters(rate_limits={"official_per_minute": 3})
    await first.hit(AGENCY, "kim")
    await second.hit(AGENCY, "kim")
    await first.hit(AGENCY, "kim")
    assert (await _refused(second)).limit == "official_per_minute"
    assert (await _refused(first)).limit == "official_per_minute"


async def test_limits_of_zero_count_nothing(limiters: LimiterFactory) -> None:
    limiter = limiters(
        rate_limits={"official_per_minute": 0, "agency_per_minute": 0, "agency_per_day": 0}
    )
    for _ in range(5):
        await limiter.hit(AGENCY, "kim")
    await limiter.check()
