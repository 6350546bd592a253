"""Concurrent agency requests share source calls, and each is still answered and audited alone.

Concurrent requests need a database of their own: the rolled-back test
transaction is one connection, which concurrent requests cannot share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hub.catalog import Catalog
from hub.db.session import Database
from simulator.population import Population
from tests.hub.observability.test_metrics import metric_samples, metric_value
from tests.schema.conftest import Hub, HubFactory, fields_of
from tests.schema.test_federation_and_audit import entries_of

INCOME = "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount } } }"
WIDER = "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount employerName } } }"


@pytest.fixture
async def own_database(fresh_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(fresh_url)
    yield database
    await database.dispose()


@pytest.fixture
async def hub(own_database: Database, hub_factory: HubFactory, population: Population) -> Hub:
    # A one-second window, a first request to start the arrival rate, and a
    # source answering in 0.3 s: the first of concurrent requests (a few ms
    # apart through the test client) calls alone, the others find its call
    # in flight and wait, together, long enough surely to meet.
    hub = await hub_factory(own_database, source_coalescing_window_ms=1000)
    await hub.query(INCOME, {"r": population.sample_rrns(1)[0]})
    hub.sources.reset()
    hub.sources.set_fault("NTS", delay_ms=300)
    return hub


async def _ask_together(hub: Hub, queries: list[tuple[str, str]]) -> list[dict[str, object]]:
    responses = await asyncio.gather(*(hub.post(q, {"r": rrn}) for q, rrn in queries))
    assert all(r.status_code == 200 for r in responses)
    return [{"body": r.json(), "id": r.headers["Hub-Request-Id"]} for r in responses]


async def test_concurrent_requests_share_a_call_and_keep_their_own_answers(
    hub: Hub, own_database: Database, population: Population, catalog: Catalog
) -> None:
    rrns = population.sample_rrns(4)
    answers = await _ask_together(hub, [(INCOME, rrn) for rrn in rrns])
    source = catalog.info_type("earnedIncome").source
    assert hub.calls() == {source: 2}, "the first alone, the other three together"
    assert hub.calls("subjects") == {source: 4}
    persons = set()
    for rrn, answer in zip(rrns, answers, strict=True):
        expected = fields_of(
            population.record(rrn, catalog.info_type("earnedIncome"), ["annualAmount"])
        )
        assert answer["body"] == {"data": {"person": {"earnedIncome": expected}}}
        # One entry per request, about its own person only.
        [entry] = await entries_of(own_database, str(answer["id"]))
        assert entry.released == {"earnedIncome": {"annualAmount": "full"}}
        persons.add(entry.person)
    assert len(persons) == 4
    # Operators see both: the requests' lookups and the calls sent (the warm-up's and two).
    samples = metric_samples((await hub.client.get("/metrics")).text)
    assert metric_value(samples, "hub_source_calls_total", source=source) == 5
    assert metric_value(samples, "hub_source_sent_calls_total", source=source) == 3


async def test_requests_asking_other_fields_are_not_merged(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    first, second = population.sample_rrns(2)
    await _ask_together(hub, [(INCOME, first), (WIDER, second)])
    assert hub.calls() == {catalog.info_type("earnedIncome").source: 2}


async def test_coalescing_can_be_switched_off(
    hub_factory: HubFactory, own_database: Database, population: Population, catalog: Catalog
) -> None:
    hub = await hub_factory(own_database, source_coalescing=False)
    await _ask_together(hub, [(INCOME, rrn) for rrn in population.sample_rrns(3)])
    assert hub.calls() == {catalog.info_type("earnedIncome").source: 3}
