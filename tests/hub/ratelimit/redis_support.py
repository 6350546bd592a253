"""Reaching the test Redis: skipped when it does not answer, required under HUB_REQUIRE_REDIS=1."""

from __future__ import annotations

import os
import secrets

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("HUB_REQUIRE_REDIS") == "1"
#: Nothing listens on port 1 of the loopback interface: a Redis that is down.
DOWN_REDIS_URL = "redis://127.0.0.1:1/0"


async def require_redis() -> str:
    """The test Redis's URL; skips the test (fails it under HUB_REQUIRE_REDIS=1) if unreachable."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        problem = f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__})"
        if REQUIRE_REDIS:
            pytest.fail(f"HUB_REQUIRE_REDIS=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_REDIS=1 to make this an error")
    finally:
        await client.aclose()
    return REDIS_URL


def unique_prefix() -> str:
    """A key prefix no other test (or test run) uses."""
    return f"hub-test:{os.getpid()}:{secrets.token_hex(4)}:"


async def delete_keys(url: str, prefix: str) -> int:
    """Delete every key under `prefix`; how many there were."""
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()
