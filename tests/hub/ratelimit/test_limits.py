"""The rate limiter's behaviour, the same on every store: SQLite, PostgreSQL and Redis.

Each test runs once per backend (the `limiters` fixture). The clock is
injected: NOW is 12:00:15 UTC, 45 s before the minute ends.
"""

from __future__ import annotations

import pytest

from hub.ratelimit import RateLimited, RateLimiter
from hub.ratelimit.windows import DAY, MINUTE, Counter
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


async def test_hit_counters_counts_any_scope(limiters: LimiterFactory) -> None:
    limiter = limiters()
    wanted = [
        Counter("custom_per_minute", "10.1.2.3", MINUTE, 2),
        Counter("custom_per_day", "10.1.2.3", DAY, 3, tag="custom"),
    ]
    for _ in range(2):
        await limiter.hit_counters(wanted)
    with pytest.raises(RateLimited) as refused:
        await limiter.hit_counters(wanted)
    assert (refused.value.limit, refused.value.allowed, refused.value.retry_after) == (
        "custom_per_minute",
        2,
        45,
    )
    # The refusal consumed nothing: the day's counter is at 2 of 3, not 3.
    limiter.clock = lambda: NOW + 60
    await limiter.hit_counters(wanted)
    with pytest.raises(RateLimited) as refused:
        await limiter.hit_counters(wanted)
    assert refused.value.limit == "custom_per_day"
    # Other keys of the scope, and the /graphql counters, are their own.
    await limiter.hit_counters([Counter("custom_per_minute", "10.9.8.7", MINUTE, 1)])
    await limiter.hit(AGENCY, "kim")


async def test_hit_counters_skips_zero_and_counts_a_repeat_once(limiters: LimiterFactory) -> None:
    limiter = limiters()
    await limiter.hit_counters([])
    await limiter.hit_counters([Counter("custom_per_minute", "x", MINUTE, 0)] * 3)
    repeated = [
        Counter("custom_per_minute", "x", MINUTE, 5),
        Counter("custom_per_minute", "x", MINUTE, 2),
    ]
    await limiter.hit_counters(repeated)
    await limiter.hit_counters(repeated)
    with pytest.raises(RateLimited, match="custom_per_minute limit of 2"):
        await limiter.hit_counters(repeated)


def test_windows_are_at_most_a_day() -> None:
    with pytest.raises(ValueError, match="window"):
        Counter("weekly", "x", 7 * DAY, 1)
    with pytest.raises(ValueError, match="window"):
        Counter("never", "x", 0, 1)
