"""The public listener `ssis-hub serve` configures: a real uvicorn server, in process.

What only a server shows: which X-Forwarded-For it believes (the access
log's client address), what it does with an enormous or crowded header
section, and that the public URL follows the port.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from hub.cli.main import main
from hub.cli.serve import development_public_url, server_options
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.settings import Settings
from simulator.population import Population
from tests.schema import conftest as integration
from tests.schema.conftest import Hub, HubFactory

# The integration fixtures: the live simulated sources and the hub factory.
catalog = integration.catalog
population = integration.population
sources = integration.sources
sql_source_url = integration.sql_source_url
hub_factory = integration.hub_factory

QUERY = "query($rrn: String!) { person(rrn: $rrn) { residentRegistration { name } } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serving(hub: Hub, port: int) -> AsyncIterator[str]:
    """`hub`'s app behind uvicorn with serve's options, at the URL yielded."""
    # No lifespan: as under the other tests, the hub factory owns the services.
    options = {**server_options(hub.settings, "127.0.0.1", port), "lifespan": "off"}
    config = uvicorn.Config(hub.app, **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _client_addresses(database: Database) -> list[str | None]:
    async with database.session() as session:
        return list((await session.scalars(select(AuditEntry.client_addr))).all())


async def _forwarded(hub: Hub, url: str, rrn: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=20) as client:
        response = await client.post(
            "/graphql",
            json={"query": QUERY, "variables": {"rrn": rrn}},
            headers={**hub.headers(), "X-Forwarded-For": "203.0.113.9"},
        )
    assert response.status_code == 200, response.text


async def test_forwarding_headers_only_from_trusted_proxies(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    first, second = population.sample_rrns(2)
    plain = await hub_factory(database)
    async with serving(plain, _free_port()) as url:
        await _forwarded(plain, url, first)
    # Loopback is not a proxy unless configured: the real peer is logged.
    assert await _client_addresses(database) == ["127.0.0.1"]

    behind = await hub_factory(database, trusted_proxies="127.0.0.1")
    async with serving(behind, _free_port()) as url:
        await _forwarded(behind, url, second)
    assert sorted(await _client_addresses(database), key=str) == ["127.0.0.1", "203.0.113.9"]


async def test_the_server_refuses_enormous_and_crowded_heads(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database)
    async with (
        serving(hub, _free_port()) as url,
        httpx.AsyncClient(base_url=url, timeout=20) as client,
    ):
        try:
            huge = await client.get("/healthz", headers={"X-Big": "b" * (8 * 1024 * 1024)})
        except httpx.TransportError:
            # The server stopped reading and closed the connection while the
            # client was still sending: refused as well (never a 200).
            huge_status = None
        else:
            huge_status = huge.status_code
        crowded = await client.get("/healthz", headers=[(f"x-h-{i}", "1") for i in range(3000)])
        over = await client.get("/healthz", headers={"X-Big": "b" * 20_000})
        fine = await client.get("/healthz")
    # h11 stops buffering past its bound (400); within its buffer the app says 431.
    assert huge_status in (None, 400, 431)
    assert crowded.status_code == 431
    assert over.status_code == 431
    assert fine.status_code == 200


def test_the_development_public_url_follows_host_and_port(tmp_path: Any) -> None:
    base = Settings(data_dir=tmp_path)
    assert development_public_url(base, "127.0.0.1", 8210).effective_public_url == (
        "http://127.0.0.1:8210"
    )
    assert development_public_url(base, "0.0.0.0", 8210).public_url == "http://127.0.0.1:8210"  # noqa: S104
    assert development_public_url(base, "::1", 8210).public_url == "http://[::1]:8210"
    own = Settings(data_dir=tmp_path, public_url="https://hub.example")
    assert development_public_url(own, "127.0.0.1", 8210).public_url == "https://hub.example"


def test_dev_token_says_when_no_hub_answers(tmp_path: Any, capsys: Any, monkeypatch: Any) -> None:
    # The running hub's issuer is read from its metadata (tests/hub/cli/test_serve.py
    # does it against `serve --port`); with nothing there the command says so.
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    args = ["dev-token", "--agency", "LOCAL_WELFARE", "--official", "kim.01"]
    assert main([*args, "--port", str(_free_port())]) == 2
    assert "no hub answered at http://127.0.0.1:" in capsys.readouterr().err
