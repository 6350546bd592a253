"""What only the Redis store does: keys under a prefix that expire when their window ends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hub.ratelimit import RateLimited, RedisRateLimiter
from hub.ratelimit.redis import connect
from hub.ratelimit.windows import MINUTE, OAUTH_SLOT_TAG, Counter
from hub.settings import Settings
from tests.hub.ratelimit.conftest import NOW
from tests.hub.ratelimit.redis_support import delete_keys, require_redis, unique_prefix

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_client() -> AsyncIterator[tuple[Redis, str]]:
    """A client on the test Redis and a fresh key prefix, deleted afterwards."""
    url = await require_redis()
    prefix = unique_prefix()
    client = connect(url)
    try:
        yield client, prefix
    finally:
        await client.aclose()
        await delete_keys(url, prefix)


async def test_keys_expire_at_their_window_end(redis_client: tuple[Redis, str]) -> None:
    client, prefix = redis_client
    limiter = RedisRateLimiter(client, Settings(), prefix=prefix, clock=lambda: NOW)
    await limiter.hit("LOCAL_WELFARE", "kim")
    keys = sorted([k.decode() async for k in client.scan_iter(match=f"{prefix}*")])
    day, minute = NOW - NOW % 86_400, NOW - NOW % 60
    assert keys == [
        f"{prefix}{{LOCAL_WELFARE}}:agency_per_day:LOCAL_WELFARE:{day}",
        f"{prefix}{{LOCAL_WELFARE}}:agency_per_minute:LOCAL_WELFARE:{minute}",
        f"{prefix}{{LOCAL_WELFARE}}:official_per_minute:LOCAL_WELFARE:kim:{minute}",
    ]
    ttls = [await client.ttl(k) for k in keys]
    assert 43_180 <= ttls[0] <= 43_185
    assert 40 <= ttls[1] <= 45 and 40 <= ttls[2] <= 45
    assert [int(await client.get(k) or 0) for k in keys] == [1, 1, 1]


async def test_a_refusal_leaves_no_new_key(redis_client: tuple[Redis, str]) -> None:
    client, prefix = redis_client
    settings = Settings(rate_limits={"agency_per_day": 1})
    limiter = RedisRateLimiter(client, settings, prefix=prefix, clock=lambda: NOW)
    await limiter.hit("LOCAL_WELFARE", "kim")
    # A new official in a new minute: its fresh counters are deleted again,
    # not left at 0 without an owner.
    limiter.clock = lambda: NOW + 60
    with pytest.raises(RateLimited, match="agency_per_day"):
        await limiter.hit("LOCAL_WELFARE", "lee")
    keys = [k.decode() async for k in client.scan_iter(match=f"{prefix}*")]
    assert len(keys) == 3
    assert not any(":lee:" in k for k in keys)


async def test_any_scope_under_its_counters_tag(redis_client: tuple[Redis, str]) -> None:
    client, prefix = redis_client
    limiter = RedisRateLimiter(client, Settings(), prefix=prefix, clock=lambda: NOW)
    await limiter.hit_counters(
        [
            Counter("token_client_per_minute", "LW.app", MINUTE, 2, tag=OAUTH_SLOT_TAG),
            Counter("token_address_per_minute", "10.1.2.3", MINUTE, 2, tag=OAUTH_SLOT_TAG),
        ]
    )
    minute = NOW - NOW % 60
    keys = sorted([k.decode() async for k in client.scan_iter(match=f"{prefix}*")])
    assert keys == [
        f"{prefix}{{oauth-token}}:token_address_per_minute:10.1.2.3:{minute}",
        f"{prefix}{{oauth-token}}:token_client_per_minute:LW.app:{minute}",
    ]
    assert all(40 <= ttl <= 45 for ttl in [await client.ttl(k) for k in keys])
