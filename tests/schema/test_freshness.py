"""Freshness end to end: a record older than the grant allows is not released.

The simulated sources run as real servers (the SQL source as its database)
and state each record's as-of date; the hub compares it with the request's
date under the baseline policy's shortest-lived grant. The persons are
picked from the population by the ages of their records, with a margin of
days either side of the limit, so that a request straddling midnight cannot
change the outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from connectors.base import AS_OF
from hub.catalog import Catalog, load_catalog
from hub.db.models import AuditEntry
from hub.db.session import Database
from policies.compiled import CompiledGrant, compile_policy
from policies.document import read_baseline
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory
from tests.schema.test_federation_and_audit import entries_of

BASELINE = compile_policy(read_baseline(), load_catalog(), 1)
#: The baseline's shortest-lived grant: the one most records can be too old for.
GRANT: CompiledGrant = min(BASELINE.grants.values(), key=lambda g: (g.max_age_days, g.purpose))
MARGIN_DAYS = 2
#: A statutory type released alongside, from another source than the types checked.
OTHER = ("residentRegistration", "name")
#: Checked types: one from an HTTP source, one from the SQL source (SSIS).
CHECKED = [("earnedIncome", "year"), ("livelihoodSecurityQualification", "livelihoodBenefit")]


def _ages(population: Population, rrn: str, type_name: str) -> list[int]:
    """The ages in days of the person's records of a type, as its source states them."""
    found = population.record(rrn, load_catalog().info_type(type_name), [])
    items = found if isinstance(found, list) else [] if found is None else [found]
    today = dt.date.today()
    return [(today - dt.date.fromisoformat(item[AS_OF])).days for item in items]


def _stale(ages: list[int]) -> bool:
    return bool(ages) and max(ages) >= GRANT.max_age_days + MARGIN_DAYS


def _fresh(ages: list[int]) -> bool:
    return bool(ages) and max(ages) <= GRANT.max_age_days - MARGIN_DAYS


def _person(population: Population, wanted: dict[str, Any]) -> str:
    """The first person (of a large sample) whose records' ages pass each type's test."""
    return next(
        rrn
        for rrn in population.sample_rrns(population.size)
        if all(test(_ages(population, rrn, t)) for t, test in wanted.items())
    )


async def _ask(hub: Hub, rrn: str, *selections: tuple[str, str]) -> tuple[Any, str]:
    fields = " ".join(f"{t} {{ {f} }}" for t, f in selections)
    response = await hub.post(
        f"query($r: String!) {{ person(rrn: $r) {{ {fields} }} }}",
        {"r": rrn},
        agency=GRANT.agency,
        purpose=GRANT.purpose,
    )
    assert response.status_code == 200, response.text
    return response.json(), response.headers["hub-request-id"]


async def _entry(database: Database, request_id: str) -> AuditEntry:
    [entry] = await entries_of(database, request_id)
    return entry


@pytest.fixture
async def baseline_hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


@pytest.mark.parametrize("checked", CHECKED, ids=lambda c: c[0])
async def test_a_stale_record_is_refused_and_logged_and_the_rest_released(
    baseline_hub: Hub,
    database: Database,
    population: Population,
    catalog: Catalog,
    checked: tuple[str, str],
) -> None:
    type_name = checked[0]
    # The premise: nothing but age keeps these types back.
    for granted, name in (checked, OTHER):
        assert GRANT.allows(granted, name) and granted not in GRANT.consent_types
    rrn = _person(population, {type_name: _stale, OTHER[0]: _fresh})
    record = population.record(rrn, catalog.info_type(type_name), [])
    assert isinstance(record, dict)

    body, request_id = await _ask(baseline_hub, rrn, checked, OTHER)

    person = body["data"]["person"]
    assert person[type_name] is None
    registration = population.record(rrn, catalog.info_type(OTHER[0]), [OTHER[1]])
    assert isinstance(registration, dict)
    assert person[OTHER[0]] == {OTHER[1]: registration[OTHER[1]]}
    [error] = body["errors"]
    assert error["path"] == ["person", type_name]
    assert error["extensions"] == {
        "code": "SOURCE_STALE",
        "source": catalog.info_type(type_name).source,
        "infoType": type_name,
        "asOf": record[AS_OF],
        "maxAgeDays": GRANT.max_age_days,
    }
    entry = await _entry(database, request_id)
    assert entry.refused == {type_name: "SOURCE_STALE"}
    assert set(entry.released or {}) == {OTHER[0]}
    assert entry.outcome == "partial"


async def test_a_record_fresh_enough_for_one_grant_is_released_under_it_only(
    baseline_hub: Hub, database: Database, population: Population, catalog: Catalog
) -> None:
    type_name, name = CHECKED[0]
    # The same agency's grant of the type that allows the oldest data.
    longer = max(
        (g for g in BASELINE.grants_of(GRANT.agency) if g.allows(type_name, name)),
        key=lambda g: g.max_age_days,
    )
    assert type_name not in longer.consent_types
    assert longer.max_age_days > GRANT.max_age_days + 2 * MARGIN_DAYS

    def between(ages: list[int]) -> bool:
        return _stale(ages) and max(ages) <= longer.max_age_days - MARGIN_DAYS

    rrn = _person(population, {type_name: between})
    record = population.record(rrn, catalog.info_type(type_name), [name])
    assert isinstance(record, dict)

    response = await baseline_hub.post(
        f"query($r: String!) {{ person(rrn: $r) {{ {type_name} {{ {name} }} }} }}",
        {"r": rrn},
        agency=longer.agency,
        purpose=longer.purpose,
    )
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["person"][type_name] == {name: record[name]}
    entry = await _entry(database, response.headers["hub-request-id"])
    assert set(entry.released or {}) == {type_name} and entry.refused == {}

    body, _ = await _ask(baseline_hub, rrn, (type_name, name))
    assert body["data"]["person"][type_name] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SOURCE_STALE"]


async def test_one_stale_item_keeps_back_the_whole_list(
    baseline_hub: Hub, database: Database, population: Population, catalog: Catalog
) -> None:
    # A list with its old items left out would understate what the person
    # has; released whole or not at all, its as-of is the oldest item's.
    type_name = next(t for t in GRANT.releases if catalog.info_type(t).many)
    name = sorted(GRANT.releases[type_name])[0]

    def mixed(ages: list[int]) -> bool:
        return _stale(ages) and _fresh([min(ages)])

    rrn = _person(population, {type_name: mixed})
    items = population.record(rrn, catalog.info_type(type_name), [])
    assert isinstance(items, list)
    body, request_id = await _ask(baseline_hub, rrn, (type_name, name))
    assert body["data"]["person"][type_name] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SOURCE_STALE"
    assert error["extensions"]["asOf"] == min(item[AS_OF] for item in items)
    assert (await _entry(database, request_id)).refused == {type_name: "SOURCE_STALE"}


async def test_a_stale_household_is_not_walked(
    baseline_hub: Hub, database: Database, population: Population
) -> None:
    rrn = _person(population, {"householdComposition": _stale, OTHER[0]: _fresh})
    response = await baseline_hub.post(
        "query($r: String!) { person(rrn: $r) { residentRegistration { name } "
        "household { members { relationship } } } }",
        {"r": rrn},
        agency=GRANT.agency,
        purpose=GRANT.purpose,
    )
    body = response.json()
    assert body["data"]["person"]["household"] is None
    assert body["data"]["person"]["residentRegistration"] is not None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SOURCE_STALE"]
    # No member is named, so only the person asked about has an entry.
    entry = await _entry(database, response.headers["hub-request-id"])
    assert entry.refused == {"householdComposition": "SOURCE_STALE"}


async def test_a_malformed_as_of_is_invalid_data_for_that_type_only(
    hub_factory: HubFactory, database: Database, population: Population, catalog: Catalog
) -> None:
    # Under the tests' grant of data of any age: the as-of is judged even so.
    hub = await hub_factory(database)
    income = catalog.info_type("earnedIncome")
    earners = [r for r in population.sample_rrns(100) if population.record(r, income, [])][:5]
    hub.sources.set_fault("NTS", malformed_as_of_rate=1.0)
    for rrn in earners:
        response = await hub.post(
            "query($r: String!) { person(rrn: $r) { residentRegistration { name } "
            "earnedIncome { year } } }",
            {"r": rrn},
        )
        body = response.json()
        person = body["data"]["person"]
        assert person["earnedIncome"] is None and person["residentRegistration"]["name"]
        [error] = body["errors"]
        assert error["extensions"] == {"code": "SOURCE_INVALID_DATA", "source": "NTS"}
        assert AS_OF in error["message"]
        entry = await _entry(database, response.headers["hub-request-id"])
        assert entry.refused == {"earnedIncome": "SOURCE_INVALID_DATA"}
    # Not retried, and not an outage: the source answered.
    assert hub.calls() == {"MOIS": len(earners), "NTS": len(earners)}
    assert hub.app.state.services.connectors["NTS"].breaker_state() == "closed"
