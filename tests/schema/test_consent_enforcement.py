"""Consent-based fields: released only while the person's consent is valid."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from hub.catalog import load_catalog
from hub.db.models import Consent, utcnow
from hub.db.session import Database
from policies.compiled import CompiledGrant
from policies.consent import (
    ConsentChannel,
    ConsentRequest,
    ConsentUsage,
    ConsentView,
    change_consent,
    record_consent,
)
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory
from tests.schema.test_policy_enforcement import GRANTS

GRANT: CompiledGrant = next(g for g in GRANTS if g.consent_types and len(g.releases) > 1)
CONSENTED = sorted(GRANT.consent_types)[0]
STATUTORY = next(t for t in sorted(GRANT.releases) if t not in GRANT.consent_types)


def _fields(type_name: str) -> str:
    names = sorted(n for n in GRANT.releases[type_name] if n != "members")
    return " ".join(names) or "__typename"


QUERY = (
    f"query($r: [String!]!) {{ persons(rrns: $r) {{ "
    f"{CONSENTED} {{ {_fields(CONSENTED)} }} {STATUTORY} {{ {_fields(STATUTORY)} }} }} }}"
)


@pytest.fixture
async def hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


async def _ask(hub: Hub, rrns: list[str]) -> dict[str, Any]:
    return await hub.query(QUERY, {"r": rrns}, agency=GRANT.agency, purpose=GRANT.purpose)


async def _consent(hub: Hub, database: Database, rrn: str, **changes: Any) -> ConsentView:
    now = utcnow()
    request = ConsentRequest(
        rrn=rrn,
        agency=GRANT.agency,
        purpose=GRANT.purpose,
        info_types=[CONSENTED],
        valid_from=now - dt.timedelta(minutes=1),
        valid_until=now + dt.timedelta(days=7),
        usage=ConsentUsage.PERIODIC,
        channel=ConsentChannel.IN_PERSON,
    )
    keys = hub.app.state.services.keys
    return await record_consent(
        database, keys, load_catalog(), dataclasses.replace(request, **changes), "consent.desk"
    )


def _codes(body: dict[str, Any], index: int, type_name: str) -> list[str]:
    """The error codes reported for one person's type."""
    return [
        e["extensions"]["code"]
        for e in body.get("errors", [])
        if e["path"] == ["persons", index, type_name]
    ]


def _consent_error(body: dict[str, Any], index: int) -> bool:
    """CONSENT_REQUIRED at that person's consent-based type, naming the person's index."""
    errors = [e for e in body.get("errors", []) if e["path"] == ["persons", index, CONSENTED]]
    if not errors:
        return False
    [error] = errors
    assert body["data"]["persons"][index][CONSENTED] is None
    assert error["extensions"] == {"code": "CONSENT_REQUIRED", "personIndex": index}
    return True


async def test_consent_lifecycle_governs_release(
    hub: Hub, database: Database, population: Population
) -> None:
    with_consent, without = population.sample_rrns(2)
    consent = await _consent(hub, database, with_consent)
    body = await _ask(hub, [with_consent, without])
    assert not _consent_error(body, 0)
    assert _consent_error(body, 1)
    # The statutory type still comes back, without error, for the person without consent.
    assert _codes(body, 1, STATUTORY) == []

    await change_consent(database, consent.id, "pause", "officer")
    assert _consent_error(await _ask(hub, [with_consent]), 0)
    await change_consent(database, consent.id, "resume", "officer")
    assert not _consent_error(await _ask(hub, [with_consent]), 0)
    await change_consent(database, consent.id, "revoke", "portal")
    assert _consent_error(await _ask(hub, [with_consent]), 0)


async def test_expired_consent_releases_nothing(
    hub: Hub, database: Database, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn)
    async with database.session() as session:
        row = await session.get(Consent, consent.id)
        assert row is not None
        row.valid_until = utcnow() - dt.timedelta(seconds=1)
        await session.commit()
    assert _consent_error(await _ask(hub, [rrn]), 0)


async def test_one_time_consent_is_released_once(
    hub: Hub, database: Database, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _consent(hub, database, rrn, usage=ConsentUsage.ONE_TIME)
    assert not _consent_error(await _ask(hub, [rrn]), 0)
    assert _consent_error(await _ask(hub, [rrn]), 0)


async def test_consent_is_logged_with_the_entry(
    hub: Hub, database: Database, population: Population
) -> None:
    from sqlalchemy import select

    from hub.db.models import AuditEntry

    rrn = population.sample_rrns(1)[0]
    consent = await _consent(hub, database, rrn)
    response = await hub.post(QUERY, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    async with database.session() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.request_id == response.headers["hub-request-id"]
                )
            )
        )
    assert [e.consent_ids for e in entries] == [[consent.id]]
    assert [e.policy_version for e in entries] == [1]


async def test_person_without_consent_is_not_asked_about(
    hub: Hub, database: Database, population: Population
) -> None:
    source = load_catalog().info_type(CONSENTED).source
    rrn = population.sample_rrns(1)[0]
    selection = f"{CONSENTED} {{ {_fields(CONSENTED)} }}"
    query = f"query($r: [String!]!) {{ persons(rrns: $r) {{ {selection} }} }}"
    body = await hub.query(query, {"r": [rrn]}, agency=GRANT.agency, purpose=GRANT.purpose)
    assert _consent_error(body, 0)
    assert source not in hub.calls(), "the consent-based type's source was asked about the person"
