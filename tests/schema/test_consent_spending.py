"""A one-time consent is spent with the entry that records its release, and only then.

It once was spent in its own transaction before the source was called, so
a timeout, a source fault or an unwritable log burned the person's consent
with nothing released. And a consent-gated type sharing a source with a
statutory one was fetched (never released) for persons without consent.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from hub.catalog import load_catalog
from hub.db.models import AuditEntry, Consent, ConsentEvent
from hub.db.session import Database
from policies.compiled import compile_policy
from policies.consent import ConsentUsage
from policies.document import parse_document
from simulator.population import Population
from tests.schema.conftest import AGENCY, PURPOSE, Hub, HubFactory
from tests.schema.test_consent_enforcement import CONSENTED, GRANT, QUERY, _consent

SOURCE = load_catalog().info_type(CONSENTED).source


@pytest.fixture
async def hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


async def _used(database: Database, consent_id: str) -> tuple[bool, list[str]]:
    """Whether the consent is spent, and its events."""
    async with database.session() as session:
        row = await session.get(Consent, consent_id, populate_existing=True)
        assert row is not None
        events = await session.scalars(
            select(ConsentEvent.action).where(ConsentEvent.consent_id == consent_id)
        )
        return row.used_at is not None, list(events)


async def _released(hub: Hub, rrn: str) -> bool:
    body = await hub.query(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    return bool(body["data"]["persons"][0] and body["data"]["persons"][0][CONSENTED] is not None)


async def test_a_source_fault_leaves_a_one_time_consent_unspent(
    hub: Hub, database: Database, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn, usage=ConsentUsage.ONE_TIME)
    hub.sources.set_fault(SOURCE, error_rate=1.0)
    body = await hub.query(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert "SOURCE_UNAVAILABLE" in codes or "SOURCE_INVALID_DATA" in codes, body
    assert await _used(database, consent.id) == (False, ["recorded"])
    hub.sources.clear_faults()
    assert await _released(hub, rrn)
    assert await _used(database, consent.id) == (True, ["recorded", "used"])
    assert not await _released(hub, rrn), "a one-time consent released twice"


async def test_an_unwritable_log_leaves_a_one_time_consent_unspent(
    hub: Hub, database: Database, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn, usage=ConsentUsage.ONE_TIME)
    writer = hub.app.state.services.audit

    async def broken(*_: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(writer, "_write", broken)
    response = await hub.post(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    assert response.status_code == 503
    monkeypatch.undo()
    assert await _used(database, consent.id) == (False, ["recorded"])
    assert await _released(hub, rrn)


async def test_a_timeout_leaves_a_one_time_consent_unspent(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await hub_factory(
        database, policy="database", request_timeout_s=0.3, source_timeout_s=5.0
    )
    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn, usage=ConsentUsage.ONE_TIME)
    hub.sources.set_fault(SOURCE, delay_ms=1500)
    response = await hub.post(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    assert response.status_code == 504
    assert await _used(database, consent.id) == (False, ["recorded"])


async def test_two_requests_racing_for_a_one_time_consent_release_it_once(
    hub_factory: HubFactory, fresh_url: str, population: Population
) -> None:
    # A database of its own: the racing requests need connections of their own.
    database = Database.from_url(fresh_url)
    try:
        await _race(await hub_factory(database, policy="database"), database, population)
    finally:
        await database.dispose()


async def _race(hub: Hub, database: Database, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn, usage=ConsentUsage.ONE_TIME)
    responses = await asyncio.gather(
        *(
            hub.post(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
            for _ in range(4)
        )
    )
    released = [
        r
        for r in responses
        if r.status_code == 200
        and r.json()["data"]
        and r.json()["data"]["persons"][0][CONSENTED] is not None
    ]
    assert len(released) == 1, [r.text for r in responses]
    assert await _used(database, consent.id) == (True, ["recorded", "used"])
    # Every request is in the log; only one entry carries the consent.
    async with database.session() as session:
        ids = [r.headers["hub-request-id"] for r in responses]
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.request_id.in_(ids))))
    assert len(rows) == len(responses)
    assert sum(consent.id in (e.consent_ids or []) for e in rows) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
            assert response.json()["data"] is None


# --- a consent-gated type sharing a source with a statutory type --------------

SHARED = compile_policy(
    parse_document(
        {
            "agencies": [
                {
                    "agency": AGENCY,
                    "grants": [
                        {
                            "purpose": PURPOSE,
                            "legal_basis": "test: a statutory and a consent type of MOIS",
                            "types": {
                                "residentRegistration": {"fields": {"name": "full"}},
                                "householdComposition": {
                                    "basis": "consent",
                                    "fields": {"memberCount": "full"},
                                },
                            },
                        }
                    ],
                }
            ]
        }
    ),
    load_catalog(),
    1,
)
BOTH = (
    "query($r: [String!]!) { persons(rrns: $r) "
    "{ residentRegistration { name } householdComposition { memberCount } } }"
)


async def test_a_consent_type_is_never_fetched_for_a_person_without_consent(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    catalog = load_catalog()
    assert catalog.info_type("residentRegistration").source == "MOIS"
    assert catalog.info_type("householdComposition").source == "MOIS"
    hub = await hub_factory(database, policy=SHARED)
    consenting, other = population.sample_rrns(2)
    await _consent(
        hub,
        database,
        consenting,
        agency=AGENCY,
        purpose=PURPOSE,
        info_types=["householdComposition"],
    )
    body = await hub.query(BOTH, {"r": [consenting, other]})
    people = body["data"]["persons"]
    assert people[0]["householdComposition"] is not None
    assert people[1]["householdComposition"] is None and people[1]["residentRegistration"]
    asked = hub.calls("type_subjects")
    assert asked.get("MOIS.residentRegistration") == 2
    assert asked.get("MOIS.householdComposition") == 1, (
        "the source was asked about the household of a person who never consented"
    )
