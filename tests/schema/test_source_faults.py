"""Faults of the sources, end to end: each simulator fault mode, retries, the breaker.

The simulated sources run as real servers; the fault suite checks what an
agency sees (field errors with code and source, other types still served)
and what the sources saw (the simulator's call counters).
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

from connectors.base import BaseConnector, SourceUnavailable
from connectors.resilience import breaker_states
from hub.catalog import Catalog
from hub.db.session import Database
from hub.settings import SourceSettings
from simulator.app import TIMEOUT_SLEEP_S
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory

APPLICANT = """query($rrn: String!) {
  person(rrn: $rrn) {
    residentRegistration { name }
    earnedIncome { annualAmount }
  }
}"""
# Fast retries and a tiny cool-down keep the suite quick.
#: Far above the 0.5 s budget however busy the machine, far below the
#: TIMEOUT_SLEEP_S (300 s) a "timeout" source holds a call: a call that ends
#: within it was cut off by the hub, not answered.
CUT_OFF_BOUND_S = TIMEOUT_SLEEP_S / 10

FAST: dict[str, Any] = {
    "source_timeout_s": 0.5,
    "source_retries": 2,
    "source_retry_backoff_s": 0.01,
    "breaker_failures": 2,
    # Short, yet long enough that a loaded machine still makes the "open"
    # request before the cool-down ends.
    "breaker_cooldown_s": 0.5,
}


async def _fast_hub(hub_factory: HubFactory, database: Database, **overrides: Any) -> Hub:
    return await hub_factory(database, **{**FAST, **overrides})


def _connector(hub: Hub, code: str) -> BaseConnector:
    connector: BaseConnector = hub.app.state.services.connectors[code]
    return connector


def _earner(population: Population, catalog: Catalog) -> str:
    """Someone with an earned-income record, so a served field is not null."""
    income = catalog.info_type("earnedIncome")
    return next(
        r for r in population.sample_rrns(50) if population.record(r, income, ["annualAmount"])
    )


async def _ask(hub: Hub, rrn: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = await hub.query(APPLICANT, {"rrn": rrn})
    person: dict[str, Any] = body["data"]["person"]
    return person, body.get("errors", [])


async def test_slow_source_within_its_timeout_answers(
    hub_factory: HubFactory, database: Database, population: Population, catalog: Catalog
) -> None:
    hub = await _fast_hub(hub_factory, database)
    hub.sources.set_fault("NTS", delay_ms=150)
    person, errors = await _ask(hub, _earner(population, catalog))
    assert errors == []
    assert person["earnedIncome"] is not None
    assert hub.calls() == {"MOIS": 1, "NTS": 1}


async def test_timeout_is_unavailable_within_the_budget(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await _fast_hub(hub_factory, database)
    hub.sources.set_fault("NTS", timeout=True)
    started = time.monotonic()
    person, [error] = await _ask(hub, population.sample_rrns(1)[0])
    elapsed = time.monotonic() - started
    assert person["earnedIncome"] is None and person["residentRegistration"]["name"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    assert "timed out" in error["message"]
    # The source holds the call for TIMEOUT_SLEEP_S: the budget cut it off.
    # (That retries never stretch it is the single call below, not a clock.)
    assert elapsed < CUT_OFF_BOUND_S
    assert hub.calls()["NTS"] == 1, "the budget was spent: no retry"


async def test_server_error_is_retried_then_unavailable(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await _fast_hub(hub_factory, database)
    hub.sources.set_fault("NTS", error_rate=1.0)
    person, [error] = await _ask(hub, population.sample_rrns(1)[0])
    assert person["earnedIncome"] is None and person["residentRegistration"]["name"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    assert "HTTP 500" in error["message"]
    assert hub.calls() == {"MOIS": 1, "NTS": 1 + FAST["source_retries"]}


async def test_malformed_data_is_invalid_and_not_retried(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await _fast_hub(hub_factory, database)
    hub.sources.set_fault("NTS", malformed_rate=1.0)
    for rrn in population.sample_rrns(3):
        person, [error] = await _ask(hub, rrn)
        assert person["earnedIncome"] is None and person["residentRegistration"]["name"]
        assert error["extensions"] == {"code": "SOURCE_INVALID_DATA", "source": "NTS"}
    assert hub.calls() == {"MOIS": 3, "NTS": 3}
    assert _connector(hub, "NTS").breaker_state() == "closed", "garbage is not an outage"


async def test_connection_refused_is_unavailable(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hub = await _fast_hub(
        hub_factory, database, sources={"NTS": SourceSettings(url=f"http://127.0.0.1:{port}")}
    )
    person, [error] = await _ask(hub, population.sample_rrns(1)[0])
    assert person["earnedIncome"] is None and person["residentRegistration"]["name"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    assert "unreachable" in error["message"]


async def test_breaker_opens_fails_fast_and_closes_after_recovery(
    hub_factory: HubFactory, database: Database, population: Population, catalog: Catalog
) -> None:
    hub = await _fast_hub(hub_factory, database)
    nts = _connector(hub, "NTS")
    rrn = _earner(population, catalog)
    hub.sources.set_fault("NTS", error_rate=1.0)
    for _ in range(FAST["breaker_failures"]):
        await _ask(hub, rrn)
    assert nts.breaker_state() == "open"
    states = breaker_states(hub.app.state.services.connectors)
    assert states["NTS"] == "open" and states["MOIS"] == "closed"

    # Open: NTS's fields fail at once, without a call; MOIS is served as ever.
    hub.sources.reset()
    person, [error] = await _ask(hub, rrn)
    assert hub.calls() == {"MOIS": 1}
    assert person["residentRegistration"]["name"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    assert "circuit breaker is open" in error["message"]

    # The source recovers; after the cool-down one trial call closes the breaker.
    hub.sources.clear_faults()
    await asyncio.sleep(FAST["breaker_cooldown_s"])
    assert nts.breaker_state() == "half_open"
    person, errors = await _ask(hub, rrn)
    assert errors == []
    assert person["earnedIncome"] is not None
    assert hub.calls() == {"MOIS": 2, "NTS": 1}
    assert nts.breaker_state() == "closed"


async def test_failed_trial_reopens_the_breaker(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await _fast_hub(hub_factory, database)
    rrn = population.sample_rrns(1)[0]
    hub.sources.set_fault("NTS", error_rate=1.0)
    for _ in range(FAST["breaker_failures"]):
        await _ask(hub, rrn)
    await asyncio.sleep(FAST["breaker_cooldown_s"])
    hub.sources.reset()
    _, [error] = await _ask(hub, rrn)
    assert error["extensions"]["code"] == "SOURCE_UNAVAILABLE"
    assert hub.calls() == {"MOIS": 1, "NTS": 1}, "the trial is one attempt, no retries"
    assert _connector(hub, "NTS").breaker_state() == "open"


async def test_waiting_for_a_pooled_connection_ends_within_the_budget(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    # One connection for NTS, each call holding it for 0.3 s of a 0.5 s
    # budget: of ten concurrent calls the first answers, the others queue
    # for the connection and give up when their budget ends, instead of
    # waiting their turn (which would take 3 s). Not merged into one call,
    # as concurrent requests' lookups would be, so that they do queue.
    hub = await _fast_hub(hub_factory, database, source_max_connections=1, source_coalescing=False)
    hub.sources.set_fault("NTS", delay_ms=300)
    nts = _connector(hub, "NTS")
    fields = {"earnedIncome": ["annualAmount"]}
    started = time.monotonic()
    first, *queued = await asyncio.gather(
        *(nts.fetch([rrn], fields) for rrn in population.sample_rrns(10)),
        return_exceptions=True,
    )
    elapsed = time.monotonic() - started
    assert not isinstance(first, BaseException)
    assert all(isinstance(q, SourceUnavailable) for q in queued), queued
    # Nothing waited without bound; that the queued calls gave up instead of
    # waiting their turn is the count of calls that reached the source, below.
    assert elapsed < CUT_OFF_BOUND_S
    # The second call gets the connection when the first ends and is cut off
    # by its budget; the rest never get one in time, so never reach the source.
    assert hub.calls()["NTS"] < 10


async def test_a_person_no_source_could_vouch_for_is_logged_as_refused(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    from sqlalchemy import select

    from hub.db.models import AuditEntry

    hub = await _fast_hub(hub_factory, database)
    hub.sources.set_fault("NTS", error_rate=1.0)
    response = await hub.post(
        "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount } } }",
        {"r": population.sample_rrns(1)[0]},
    )
    body = response.json()
    assert body["data"]["person"] is None
    assert body["errors"][0]["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    async with database.session() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.request_id == response.headers["hub-request-id"]
                )
            )
        )
    # Asked about, nothing released: the log still says so, and why.
    assert [(e.outcome, e.refused) for e in entries] == [
        ("refused", {"earnedIncome": "SOURCE_UNAVAILABLE"})
    ]
