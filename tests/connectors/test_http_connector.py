"""The HTTP connector's fault classification, against scripted answers (no network)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from connectors.base import SourceInvalidData, SourceUnavailable
from connectors.http import HttpConnector
from hub.catalog import Catalog, load_catalog
from hub.settings import Settings, SourceSettings
from simulator.app import malformed_bodies

RRN = "8503142123456"
FIELDS = {"earnedIncome": ["annualAmount"]}
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The project's catalog."""
    return load_catalog()


class Counted:
    """A mock transport that counts requests and answers with `handler`."""

    def __init__(self, handler: Handler) -> None:
        self.calls = 0
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return self.handler(request)


@pytest.fixture
async def make(catalog: Catalog) -> AsyncIterator[Callable[..., HttpConnector]]:
    """Builds NTS connectors with fast retries; closes them after the test."""
    made: list[HttpConnector] = []

    def build(handler: Handler | None = None, **overrides: Any) -> HttpConnector:
        values: dict[str, Any] = {
            "source_timeout_s": 1.0,
            "source_retries": 2,
            "source_retry_backoff_s": 0.0,
        }
        values.update(overrides)
        settings = Settings(simulator_url="http://sources.test", **values)
        transport = httpx.MockTransport(handler) if handler is not None else None
        connector = HttpConnector(catalog.source("NTS"), catalog, settings, transport=transport)
        made.append(connector)
        return connector

    yield build
    for connector in made:
        await connector.aclose()


def _status(code: int) -> Handler:
    return lambda request: httpx.Response(code, json={"error": "scripted"})


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried_up_to_the_limit(
    make: Callable[..., HttpConnector], status: int
) -> None:
    counted = Counted(_status(status))
    with pytest.raises(SourceUnavailable, match=str(status)):
        await make(counted).fetch([RRN], FIELDS)
    assert counted.calls == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
async def test_client_errors_are_not_retried(
    make: Callable[..., HttpConnector], status: int
) -> None:
    counted = Counted(_status(status))
    with pytest.raises(SourceUnavailable, match=str(status)):
        await make(counted).fetch([RRN], FIELDS)
    assert counted.calls == 1


async def test_a_recovering_source_answers_on_retry(make: Callable[..., HttpConnector]) -> None:
    answers = [httpx.Response(503), httpx.Response(200, json={"records": {}, "unknown": [RRN]})]
    counted = Counted(lambda request: answers.pop(0))
    result = await make(counted).fetch([RRN], FIELDS)
    assert result.unknown == {RRN}
    assert counted.calls == 2


@pytest.mark.parametrize("body", malformed_bodies("NTS"), ids=lambda b: b[:12].decode())
async def test_every_malformed_answer_is_rejected_without_retry(
    make: Callable[..., HttpConnector], body: bytes
) -> None:
    counted = Counted(lambda request: httpx.Response(200, content=body))
    with pytest.raises(SourceInvalidData) as raised:
        await make(counted).fetch([RRN], FIELDS)
    assert raised.value.code == "SOURCE_INVALID_DATA"
    assert counted.calls == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"records": {}, "unknown": []},  # the person is neither known nor unknown
        {"records": {RRN: {}}, "unknown": []},  # the type is missing
        {"records": {RRN: {"earnedIncome": [1, 2]}}, "unknown": []},  # list for a single record
        {"records": {RRN: {"earnedIncome": None}}, "unknown": "none"},
    ],
)
async def test_schema_violating_answers_are_rejected(
    make: Callable[..., HttpConnector], answer: dict[str, Any]
) -> None:
    body = json.dumps(answer).encode()
    with pytest.raises(SourceInvalidData):
        await make(Counted(lambda request: httpx.Response(200, content=body))).fetch([RRN], FIELDS)


async def test_connection_refused_is_retried_then_unavailable(
    catalog: Catalog, make: Callable[..., HttpConnector]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: connecting to it is refused at once.
    connector = make(sources={"NTS": SourceSettings(url=f"http://127.0.0.1:{port}")})
    with pytest.raises(SourceUnavailable, match="unreachable") as raised:
        await connector.fetch([RRN], FIELDS)
    assert raised.value.retryable


async def test_per_source_overrides_win(make: Callable[..., HttpConnector]) -> None:
    override = SourceSettings(
        url="http://sources.test/sources/NTS", retries=0, breaker_failures=1, breaker_cooldown_s=60
    )
    counted = Counted(_status(503))
    connector = make(counted, sources={"NTS": override})
    with pytest.raises(SourceUnavailable):
        await connector.fetch([RRN], FIELDS)
    assert counted.calls == 1, "no retries for this source"
    assert connector.breaker_state() == "open"
    with pytest.raises(SourceUnavailable, match="circuit breaker is open"):
        await connector.fetch([RRN], FIELDS)
    assert counted.calls == 1
