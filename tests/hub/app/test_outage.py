"""A database outage answers 503 with a JSON code and Retry-After on every endpoint.

The hub is started on a database that is then unreachable: a PostgreSQL URL
on a port nothing listens on, or a scratch PostgreSQL database dropped (its
connections terminated) after the hub has served from it. Every reply of
/graphql, /admin/graphql and /oauth/token must be a 503 with a code, a
Retry-After and the request id; never Starlette's plain-text 500.
"""

from __future__ import annotations

import socket
from typing import Any

import asyncpg
import httpx
import pytest

from hub.auth.roles import Role
from hub.auth.tokens import issue_token
from hub.db.errors import is_database_unavailable
from hub.db.session import Database
from hub.ratelimit.database import DatabaseRateLimiter
from hub.settings import Settings
from simulator.population import Population
from tests.conftest import PG_ADMIN_URL, require_postgres, scratch_postgres, scratch_url
from tests.hub.oauth.forge import TOKEN_URL, AssertionPair, ClientKeys, token_form
from tests.schema.conftest import Hub, HubFactory

QUERY = "query($rrn: String!) { person(rrn: $rrn) { residentRegistration { name } } }"
ADMIN_QUERIES = {
    Role.PRIVACY_OFFICER: "{ policyVersions { version } }",
    Role.AUDITOR: "{ latestTreeHead { size } }",
}


def _dead_url() -> str:
    """A PostgreSQL URL on a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+asyncpg://hub:secret@127.0.0.1:{port}/hub"


def _assert_unavailable(response: httpx.Response, codes: set[str]) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Hub-Request-Id"]
    body: dict[str, Any] = response.json()
    if "errors" in body:
        assert body["data"] is None
        assert {e["extensions"]["code"] for e in body["errors"]} <= codes, body
    else:  # the token endpoint answers in RFC 6749's shape
        assert body["error"] == "temporarily_unavailable"
        assert body["code"] in codes
    return body


async def _ask_everything(hub: Hub, rrn: str) -> None:
    """Each endpoint, as each kind of caller: all must be 503s with a code."""
    graphql = await hub.post(QUERY, {"rrn": rrn})
    _assert_unavailable(graphql, {"DATABASE_UNAVAILABLE", "AUDIT_UNAVAILABLE"})
    assert graphql.headers["Cache-Control"] == "no-store"
    services = hub.app.state.services
    for role, query in ADMIN_QUERIES.items():
        token = issue_token(services.keys, hub.settings, official="lee.02", role=role)
        admin = await hub.client.post(
            "/admin/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {token}", "Hub-Case-Ref": "CASE-2026-0001"},
        )
        _assert_unavailable(admin, {"DATABASE_UNAVAILABLE", "AUDIT_UNAVAILABLE"})
    keys, pair = ClientKeys.ed25519(), AssertionPair("local-welfare-app")
    form = token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()))
    token_reply = await hub.client.post(TOKEN_URL, data=form)
    _assert_unavailable(token_reply, {"DATABASE_UNAVAILABLE"})


async def test_a_database_nothing_listens_on(
    hub_factory: HubFactory, population: Population
) -> None:
    down = Database.from_url(_dead_url())
    try:
        # The database policy store: the policy itself is read from the database.
        hub = await hub_factory(down, policy="database")
        await _ask_everything(hub, population.sample_rrns(1)[0])
        # A fixed policy gets further (to the sources and the access log): still a 503.
        fixed = await hub_factory(down)
        response = await fixed.post(QUERY, {"rrn": population.sample_rrns(1)[0]})
        _assert_unavailable(response, {"DATABASE_UNAVAILABLE", "AUDIT_UNAVAILABLE"})
    finally:
        await down.dispose()


@pytest.mark.postgres
async def test_a_database_dropped_after_startup(
    hub_factory: HubFactory, population: Population
) -> None:
    await require_postgres()
    rrn = population.sample_rrns(1)[0]
    async with scratch_postgres() as name:
        database = Database.from_url(scratch_url(name))
        try:
            # policy_refresh_s=0: every request reads the policy again.
            hub = await hub_factory(database, policy="database", policy_refresh_s=0)
            served = await hub.post(QUERY, {"rrn": rrn}, purpose=None)
            assert served.status_code == 200, served.text  # the pool is open and working
            admin = await asyncpg.connect(PG_ADMIN_URL)
            try:
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            finally:
                await admin.close()
            await _ask_everything(hub, rrn)
        finally:
            await database.dispose()


async def test_an_unexpected_exception_is_a_json_500_with_the_id(
    hub_factory: HubFactory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = await hub_factory(database)

    async def broken(*_: Any) -> None:
        raise RuntimeError("secret internals /srv/hub/app.py")

    monkeypatch.setattr(hub.app.state.services.rate_limiter, "hit", broken)
    response = await hub.post(QUERY, {"rrn": "8503141234567"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    request_id = response.headers["Hub-Request-Id"]
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": request_id}
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


async def test_the_rate_limiter_lets_a_refused_connection_through(tmp_path: Any) -> None:
    # asyncpg's bare ConnectionRefusedError is no SQLAlchemyError: it used to escape.
    down = Database.from_url(_dead_url())
    try:
        limiter = DatabaseRateLimiter(down, Settings(data_dir=tmp_path))
        await limiter.hit("LOCAL_WELFARE", "kim.01")
    finally:
        await down.dispose()


def test_what_counts_as_an_outage() -> None:
    assert is_database_unavailable(ConnectionRefusedError(111, "refused"))
    assert is_database_unavailable(asyncpg.InvalidCatalogNameError("no such database"))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = asyncpg.AdminShutdownError("terminating connection")
    assert is_database_unavailable(wrapped)
    assert not is_database_unavailable(RuntimeError("a bug"))
    assert not is_database_unavailable(asyncpg.InsufficientPrivilegeError("permission denied"))
