"""POST /oauth/token counted per client address and per client id named (HUB_TOKEN_RATE_LIMITS).

Each test runs on the `database` fixture (SQLite and PostgreSQL, rolled back)
with the counters in that database, and again with them in Redis. The clock
is injected: NOW is 12:00:15 UTC, 45 s before the minute ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from hub.app import create_app
from hub.catalog import load_catalog
from hub.db.models import RateCounter
from hub.db.session import Database
from hub.keys import load_keys
from hub.oauth.endpoints import oauth_routes
from hub.oauth.server import OAuthConfig
from hub.ratelimit import DatabaseRateLimiter, RateLimited, RateLimiter, RedisRateLimiter
from hub.ratelimit.redis import connect
from hub.settings import Settings
from tests.hub.oauth.conftest import AGENCY, TokenHub
from tests.hub.oauth.forge import AssertionPair, ClientKeys, token_form
from tests.hub.ratelimit.redis_support import delete_keys, require_redis, unique_prefix

#: 12:00:15 UTC on some day: 45 s left in the minute.
NOW = 1_780_000_000 - 1_780_000_000 % 86_400 + 12 * 3600 + 15
ADDRESS = "10.1.2.3"
OTHER_ADDRESS = "10.9.8.7"


@dataclass
class LimitedHub(TokenHub):
    """A token hub whose requests count on `limiter`, reachable from several addresses."""

    limiter: RateLimiter
    stack: AsyncExitStack
    prefix: str = ""

    async def post_from(self, address: str, form: dict[str, str]) -> httpx.Response:
        """POST a token request form from `address`."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 5555))
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as client:
            return await client.post("/oauth/token", data=form)

    async def counts(self) -> dict[tuple[str, str], int]:
        """The token counters the store holds, {(scope, key): count}."""
        if isinstance(self.limiter, RedisRateLimiter):
            redis = self.limiter._redis
            found: dict[tuple[str, str], int] = {}
            async for raw in redis.scan_iter(match=f"{self.prefix}*"):
                _, scope, key, _ = raw.decode().removeprefix(self.prefix).split(":")
                found[(scope, key)] = int(await redis.get(raw) or 0)
            return found
        async with self.database.session() as session:
            rows = await session.execute(
                select(RateCounter.scope, RateCounter.key, RateCounter.count).where(
                    RateCounter.scope.like("token%")
                )
            )
            return {(scope, key): n for scope, key, n in rows.all()}


HubMaker = Callable[..., Awaitable[LimitedHub]]


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
async def limited_hub(
    request: pytest.FixtureRequest, database: Database, data_dir: Path
) -> AsyncIterator[HubMaker]:
    """Builds token hubs with HUB_TOKEN_RATE_LIMITS overrides, counted at NOW."""
    redis_url = await require_redis() if request.param == "redis" else None
    prefix = unique_prefix()
    async with AsyncExitStack() as stack:

        async def make(**limits: int) -> LimitedHub:
            settings = Settings(
                data_dir=data_dir, public_url="https://hub.test", token_rate_limits=limits
            )
            limiter: RateLimiter
            if redis_url is None:
                limiter = DatabaseRateLimiter(database, settings, clock=lambda: NOW)
            else:
                limiter = RedisRateLimiter(
                    connect(redis_url), settings, prefix=prefix, clock=lambda: NOW
                )
                stack.push_async_callback(limiter.aclose)
            config = OAuthConfig(settings, load_keys(settings), load_catalog())
            app = Starlette(routes=oauth_routes(config, database, limiter))
            transport = httpx.ASGITransport(app=app, client=(ADDRESS, 5555))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="https://hub.test")
            )
            return LimitedHub(app, config, client, database, limiter, stack, prefix)

        if redis_url is not None:
            stack.push_async_callback(delete_keys, redis_url, prefix)
        yield make


def honest(keys: ClientKeys, client_id: str) -> dict[str, str]:
    """A valid token request form (fresh jtis)."""
    pair = AssertionPair(client_id)
    return token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()))


def forged(client_id: str) -> dict[str, str]:
    """A form naming `client_id`, signed with a key it never registered (a 401)."""
    return honest(ClientKeys.ed25519(), client_id)


def assert_throttled(response: httpx.Response, retry_after: int = 45) -> None:
    """A 429 temporarily_unavailable with Retry-After, never stored."""
    assert response.status_code == 429, response.text
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": f"too many token requests; retry after {retry_after} s",
    }
    assert response.headers["retry-after"] == str(retry_after)
    assert response.headers["cache-control"] == "no-store"


async def test_per_client_limit(limited_hub: HubMaker, caplog: pytest.LogCaptureFixture) -> None:
    hub = await limited_hub(per_client_per_minute=2)
    mine, theirs = ClientKeys.ed25519(), ClientKeys.ed25519()
    my_id = await hub.register(mine, client_id="LW.app")
    their_id = await hub.register(theirs, code="COMMUNITY_CENTRE")
    # Whatever the outcome, a request naming the client counts against it.
    assert (await hub.post_token(forged(my_id))).status_code == 401
    assert (await hub.post_token(honest(mine, my_id))).status_code == 200
    caplog.clear()
    refused_form = honest(mine, my_id)
    assert_throttled(await hub.post_token(refused_form))
    [warning] = [r for r in caplog.records if r.name == "hub.auth"]
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert "token_client_per_minute limit of 2" in message and my_id in message
    assert refused_form["assertion"] not in message
    assert refused_form["client_assertion"] not in message
    # Another client, from the same address, is still served.
    assert (await hub.post_token(honest(theirs, their_id))).status_code == 200
    assert await hub.counts() == {
        ("token_client_per_minute", my_id): 2,
        ("token_client_per_minute", their_id): 1,
        ("token_address_per_minute", ADDRESS): 4,
    }


async def test_per_address_limit(limited_hub: HubMaker) -> None:
    hub = await limited_hub(per_address_per_minute=3)
    keys = ClientKeys.ed25519()
    client_id = await hub.register(keys)
    malformed = await hub.client.post("/oauth/token", json={"grant_type": "x"})
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid_request")
    assert (await hub.post_token(forged("NEVER_SEEN"))).status_code == 401
    assert (await hub.post_token(honest(keys, client_id))).status_code == 200
    # Over: an honest request, one naming a fresh client, a malformed one alike.
    assert_throttled(await hub.post_token(honest(keys, client_id)))
    assert_throttled(await hub.post_token(forged("ANOTHER_NEW_ONE")))
    assert_throttled(await hub.client.post("/oauth/token", json={"grant_type": "x"}))
    # Another address is served.
    assert (await hub.post_from(OTHER_ADDRESS, honest(keys, client_id))).status_code == 200
    counts = await hub.counts()
    assert counts[("token_address_per_minute", ADDRESS)] == 3
    assert ("token_client_per_minute", "ANOTHER_NEW_ONE") not in counts


async def test_a_refused_request_consumes_nothing(limited_hub: HubMaker) -> None:
    hub = await limited_hub(per_address_per_minute=2, per_client_per_minute=3)
    keys = ClientKeys.ed25519()
    client_id = await hub.register(keys)
    for _ in range(2):
        assert (await hub.post_token(honest(keys, client_id))).status_code == 200
    for _ in range(5):
        assert_throttled(await hub.post_token(honest(keys, client_id)))
    # Refused by its address, a request did not count against its client:
    # had it, the client would be at 7 of 3 by now.
    assert (await hub.post_from(OTHER_ADDRESS, honest(keys, client_id))).status_code == 200
    assert_throttled(await hub.post_from(OTHER_ADDRESS, honest(keys, client_id)))
    assert await hub.counts() == {
        ("token_address_per_minute", ADDRESS): 2,
        ("token_address_per_minute", OTHER_ADDRESS): 2,
        ("token_client_per_minute", client_id): 3,
    }
    # The last second of the window, then the next window starts afresh.
    hub.limiter.clock = lambda: NOW + 44.5
    assert_throttled(await hub.post_token(honest(keys, client_id)), retry_after=1)
    hub.limiter.clock = lambda: NOW + 45
    for _ in range(2):
        assert (await hub.post_token(honest(keys, client_id))).status_code == 200
    assert_throttled(await hub.post_token(honest(keys, client_id)), retry_after=60)


async def test_limits_of_zero_count_nothing(limited_hub: HubMaker) -> None:
    hub = await limited_hub(per_address_per_minute=0, per_client_per_minute=0)
    keys = ClientKeys.ed25519()
    client_id = await hub.register(keys)
    for _ in range(3):
        assert (await hub.post_token(honest(keys, client_id))).status_code == 200
        assert (await hub.post_token(forged(client_id))).status_code == 401
    assert await hub.counts() == {}


async def test_each_limit_switches_off_alone(limited_hub: HubMaker) -> None:
    hub = await limited_hub(per_address_per_minute=0, per_client_per_minute=1)
    keys = ClientKeys.ed25519()
    client_id = await hub.register(keys)
    assert (await hub.post_token(honest(keys, client_id))).status_code == 200
    assert_throttled(await hub.post_token(honest(keys, client_id)))
    assert await hub.counts() == {("token_client_per_minute", client_id): 1}


async def test_graphql_limits_are_unaffected(limited_hub: HubMaker) -> None:
    # /graphql counts with hit(agency, official) on the same store.
    hub = await limited_hub(per_client_per_minute=1)
    settings = Settings(rate_limits={"official_per_minute": 1})
    graphql: RateLimiter
    if isinstance(hub.limiter, RedisRateLimiter):
        graphql = RedisRateLimiter(
            hub.limiter._redis, settings, prefix=hub.prefix, clock=lambda: NOW
        )
    else:
        graphql = DatabaseRateLimiter(hub.database, settings, clock=lambda: NOW)
    keys = ClientKeys.ed25519()
    client_id = await hub.register(keys)
    assert (await hub.post_token(honest(keys, client_id))).status_code == 200
    assert_throttled(await hub.post_token(honest(keys, client_id)))
    # Token requests (for official kim.01 of the agency) did not count there...
    await graphql.hit(AGENCY, "kim.01")
    with pytest.raises(RateLimited, match="official_per_minute"):
        await graphql.hit(AGENCY, "kim.01")
    # ...nor /graphql requests here: another client is still served once.
    other = ClientKeys.ed25519()
    other_id = await hub.register(other, client_id="LW.batch")
    assert (await hub.post_token(honest(other, other_id))).status_code == 200


async def test_the_app_counts_token_requests_on_its_rate_limiter(
    database: Database, data_dir: Path
) -> None:
    settings = Settings(
        data_dir=data_dir,
        public_url="https://hub.test",
        token_rate_limits={"per_address_per_minute": 1},
        rate_limits={"official_per_minute": 1},
    )
    app = create_app(settings, database=database)
    services: Any = app.state.services
    try:
        services.rate_limiter.clock = lambda: NOW
        transport = httpx.ASGITransport(app=app, client=(ADDRESS, 5555))
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as client:
            first = await client.post("/oauth/token", data={"grant_type": "client_credentials"})
            assert first.status_code == 400
            assert_throttled(await client.post("/oauth/token", data={"grant_type": "x"}))
        # The hub's own limits still allow their official one request.
        await services.rate_limiter.hit(AGENCY, "kim.01")
    finally:
        for connector in services.connectors.values():
            await connector.aclose()
