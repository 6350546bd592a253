"""Each source call carries the agency request's `Hub-Request-Id`, so logs can be matched.

The id the agency gets back in the reply header is the id the (simulated)
ministry received with every call made for that request, including calls
batched by a DataLoader and calls of requests served concurrently.
"""

from __future__ import annotations

import asyncio
import json

import httpx

from connectors.http import REQUEST_ID_HEADER, HttpConnector
from hub.catalog import Catalog
from hub.observability.logging import request_id_var
from hub.settings import Settings
from simulator.harness import SimulatorServer
from simulator.population import Population
from tests.schema.conftest import Hub

INCOME = "query($r: [String!]!) { persons(rrns: $r) { earnedIncome { annualAmount } } }"
#: Three HTTP sources (NTS, NPS, KEIS) for one person.
FIELDS = {"earnedIncome": ["annualAmount"]}
SEVERAL = """query($r: String!) { person(rrn: $r) {
  earnedIncome { annualAmount } nationalPension { monthlyAmount }
  unemploymentBenefit { dailyAmount } } }"""


def _seen(sources: SimulatorServer) -> dict[str, list[str | None]]:
    """`GET /_sim/request-ids`, without the sources that saw no call."""
    body: dict[str, list[str | None]] = httpx.get(
        f"{sources.base_url}/_sim/request-ids", timeout=5.0
    ).json()
    return {code: ids for code, ids in body.items() if ids}


async def test_the_source_receives_the_id_of_the_reply(
    hub: Hub, sources: SimulatorServer, population: Population
) -> None:
    rrns = population.sample_rrns(5)
    # Five persons: one batched NTS call, made by the request's DataLoader.
    response = await hub.post(INCOME, {"r": rrns})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    request_id = response.headers["Hub-Request-Id"]
    assert _seen(sources) == {"NTS": [request_id]}


async def test_every_source_of_a_request_gets_its_id(
    hub: Hub, sources: SimulatorServer, population: Population
) -> None:
    response = await hub.post(SEVERAL, {"r": population.sample_rrns(1)[0]})
    assert response.status_code == 200, response.text
    request_id = response.headers["Hub-Request-Id"]
    seen = _seen(sources)
    assert set(seen) >= {"NTS", "NPS"}
    assert all(ids == [request_id] for ids in seen.values()), seen


def _recording_connector(
    catalog: Catalog, received: list[str | None], *, coalescing: bool
) -> HttpConnector:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # let concurrent calls interleave on the shared client
        received.append(request.headers.get(REQUEST_ID_HEADER))
        subjects = json.loads(request.content)["subjects"]
        return httpx.Response(200, json={"source": "NTS", "records": {}, "unknown": subjects})

    settings = Settings(
        simulator_url="http://sources.test", source_retries=0, source_coalescing=coalescing
    )
    return HttpConnector(
        catalog.source("NTS"), catalog, settings, transport=httpx.MockTransport(handler)
    )


async def _call_as(connector: HttpConnector, request_id: str) -> None:
    # Each task runs in a copy of the context: one request's id, set as the middleware does.
    request_id_var.set(request_id)
    await connector.fetch([f"x-{request_id}"], FIELDS)


async def test_the_header_is_read_at_call_time(catalog: Catalog) -> None:
    received: list[str | None] = []
    connector = _recording_connector(catalog, received, coalescing=False)
    try:
        # Outside a request (a CLI, a warm-up): no header rather than an empty one.
        await connector.fetch(["x"], FIELDS)
        assert received == [None]
        # Concurrent requests on the one pooled client each send their own id.
        await asyncio.gather(*(_call_as(connector, f"req-{i}") for i in range(5)))
    finally:
        await connector.aclose()
    assert sorted(str(r) for r in received[1:]) == [f"req-{i}" for i in range(5)]


async def test_a_merged_call_carries_every_request_s_id(catalog: Catalog) -> None:
    received: list[str | None] = []
    connector = _recording_connector(catalog, received, coalescing=True)
    try:
        await asyncio.gather(*(_call_as(connector, f"req-{i}") for i in range(5)))
    finally:
        await connector.aclose()
    assert received == [", ".join(f"req-{i}" for i in range(5))]


async def test_reset_forgets_the_ids(
    hub: Hub, sources: SimulatorServer, population: Population
) -> None:
    assert (await hub.post(INCOME, {"r": population.sample_rrns(1)})).status_code == 200
    assert _seen(sources)
    sources.reset()
    assert _seen(sources) == {}
