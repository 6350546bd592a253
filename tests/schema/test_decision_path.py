"""The decision path end to end: person limits per operation, the household id, refusals logged.

Each of these once failed: aliased `persons` fields each had their own
limit, `_entities` had none, `myGrants` advertised more than the hub
accepted, `Household.id` was the same for every agency and escaped the
policy, and requests refused at the gate left no entry for the persons
they named.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hub.catalog import load_catalog
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from policies.compiled import CompiledGrant, compile_policy
from policies.document import read_baseline
from policies.testing import grant_everything
from simulator.population import Population
from tests.schema.conftest import AGENCY, PURPOSE, Hub, HubFactory

BASELINE = compile_policy(read_baseline(), load_catalog(), 1)
SMALL: CompiledGrant = BASELINE.grants[("COMMUNITY_CENTRE", "emergency_welfare_support")]
NAME = "residentRegistration { name }"


async def _entries(database: Database, request_id: str) -> list[AuditEntry]:
    async with database.session() as session:
        query = select(AuditEntry).where(AuditEntry.request_id == request_id)
        return list((await session.scalars(query.order_by(AuditEntry.seq))).all())


def _ran(body: dict[str, Any]) -> bool:
    """The operation ran: data, and no errors but stale records (a 7-day grant refuses some)."""
    codes = {e["extensions"]["code"] for e in body.get("errors", [])}
    return body.get("data") is not None and codes <= {"SOURCE_STALE"}


def _code(response: Any) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


@pytest.fixture
async def hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


async def _ask(hub: Hub, query: str, variables: dict[str, Any]) -> Any:
    return await hub.post(query, variables, agency=SMALL.agency, purpose=SMALL.purpose)


def _aliased(lists: int) -> str:
    args = ", ".join(f"$r{i}: [String!]!" for i in range(lists))
    fields = " ".join(f"p{i}: persons(rrns: $r{i}) {{ {NAME} }}" for i in range(lists))
    return f"query({args}) {{ {fields} }}"


@pytest.mark.parametrize(("lists", "each"), [(2, 6), (5, 4)])
async def test_aliased_persons_fields_count_against_one_limit(
    hub: Hub, database: Database, population: Population, lists: int, each: int
) -> None:
    rrns = population.sample_rrns(lists * each)
    variables = {f"r{i}": rrns[i * each : (i + 1) * each] for i in range(lists)}
    response = await _ask(hub, _aliased(lists), variables)
    assert _code(response) == "TOO_MANY_PERSONS"
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["limit"] == SMALL.max_persons and extensions["found"] == lists * each
    assert response.json()["data"] is None
    assert hub.calls() == {}, "no source is called for a refused operation"
    entries = await _entries(database, response.headers["hub-request-id"])
    assert len(entries) == lists * each
    assert {e.outcome for e in entries} == {"refused"}
    assert all(e.refused == {"residentRegistration": "TOO_MANY_PERSONS"} for e in entries)


async def test_the_limit_itself_is_accepted(hub: Hub, population: Population) -> None:
    rrns = population.sample_rrns(SMALL.max_persons)
    response = await _ask(hub, _aliased(2), {"r0": rrns[:5], "r1": rrns[5:]})
    assert response.status_code == 200 and _ran(response.json()), response.text


async def test_entities_count_against_the_limit_and_refusals_name_the_persons(
    hub: Hub, database: Database, population: Population
) -> None:
    rrns = population.sample_rrns(SMALL.max_persons + 2)
    ids: list[str] = []
    for chunk in (rrns[:6], rrns[6:]):
        body = (await _ask(hub, _aliased(1).replace(NAME, "id"), {"r0": chunk})).json()
        ids += [p["id"] for p in body["data"]["p0"]]
    entities = (
        "query($reps: [_Any!]!) { _entities(representations: $reps) "
        "{ ... on Person { residentRegistration { name } } } }"
    )
    never_issued = "P" + "A" * 32
    reps = [{"__typename": "Person", "id": i} for i in [*ids, never_issued]]
    response = await _ask(hub, entities, {"reps": reps})
    assert _code(response) == "TOO_MANY_PERSONS"
    entries = await _entries(database, response.headers["hub-request-id"])
    # Every id the agency was given is one refused entry; the id it never was names nobody.
    assert sorted(e.person or "" for e in entries) == sorted(ids)
    assert {(e.refused or {}).get("residentRegistration") for e in entries} == {"TOO_MANY_PERSONS"}
    response = await _ask(hub, entities, {"reps": reps[: SMALL.max_persons]})
    body = response.json()
    assert _ran(body), body
    assert len(body["data"]["_entities"]) == SMALL.max_persons


async def test_my_grants_never_advertises_more_than_the_hub_accepts(
    hub: Hub, population: Population
) -> None:
    most = hub.settings.max_persons_per_request
    large = next(g for g in BASELINE.grants.values() if g.max_persons > most)
    body = await hub.query(
        "{ myGrants { purpose maxPersons } }", agency=large.agency, purpose=None, case=None
    )
    advertised = {g["purpose"]: g["maxPersons"] for g in body["data"]["myGrants"]}
    assert advertised[large.purpose] == most
    for grant in BASELINE.grants_of(large.agency):
        assert advertised[grant.purpose] == min(grant.max_persons, most)
    rrns = population.sample_rrns(most + 1)
    response = await hub.post(
        "query($r: [String!]!) { persons(rrns: $r) { id } }",
        {"r": rrns},
        agency=large.agency,
        purpose=large.purpose,
    )
    assert _code(response) == "TOO_MANY_PERSONS"
    assert response.json()["errors"][0]["extensions"]["limit"] == most


async def test_a_policy_refusal_logs_every_person_named(
    hub: Hub, database: Database, population: Population
) -> None:
    rrns = population.sample_rrns(3)
    query = (
        "query($r: [String!]!) { persons(rrns: $r) "
        "{ residentRegistration { name registrationNumber } } }"
    )
    response = await _ask(hub, query, {"r": [*rrns, "not-a-number"]})
    assert _code(response) == "POLICY_REFUSED"
    entries = await _entries(database, response.headers["hub-request-id"])
    keys = hub.app.state.services.keys
    assert sorted(e.person or "" for e in entries) == sorted(
        agency_person_id(keys, SMALL.agency, r) for r in rrns
    )
    assert all(e.refused == {"residentRegistration": "POLICY_REFUSED"} for e in entries)
    assert all(e.agency == SMALL.agency and e.case_ref for e in entries)
    assert hub.calls() == {}


async def test_a_malformed_case_reference_is_refused_and_logged_without_it(
    hub: Hub, database: Database, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    response = await hub.post(
        f"query($r: String!) {{ person(rrn: $r) {{ {NAME} }} }}",
        {"r": rrn},
        agency=SMALL.agency,
        purpose=SMALL.purpose,
        case="C" * 500,
    )
    assert response.status_code == 200 and _code(response) == "CASE_REF_REQUIRED"
    [entry] = await _entries(database, response.headers["hub-request-id"])
    assert entry.case_ref == "" and entry.refused == {"residentRegistration": "CASE_REF_REQUIRED"}


# --- the household id ---------------------------------------------------------

OTHER = ("NPS", "basic_pension_eligibility")
HOUSEHOLD = "query($r: String!) { person(rrn: $r) { household { id members { relationship } } } }"


async def test_household_ids_differ_between_agencies_and_stay_stable(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    catalog = load_catalog()
    agency = catalog.agency(OTHER[0])
    assert agency is not None and agency.purpose(OTHER[1]) is not None
    policy = grant_everything(catalog, AGENCY, PURPOSE, OTHER)
    hub = await hub_factory(database, policy=policy)
    rrn, member = next(
        (r, m)
        for r in population.sample_rrns(200)
        for m, _ in population.household_members(r)
        if m != r
    )

    async def household_id(agency: str, purpose: str) -> str:
        body = await hub.query(HOUSEHOLD, {"r": rrn}, agency=agency, purpose=purpose)
        assert "errors" not in body, body
        value: str = body["data"]["person"]["household"]["id"]
        return value

    ours = await household_id(AGENCY, PURPOSE)
    assert ours == await household_id(AGENCY, PURPOSE)
    theirs = await household_id(*OTHER)
    assert ours != theirs, "two agencies could join their data on the household id"
    # Members of one household share it, for the same agency.
    body = await hub.query(HOUSEHOLD, {"r": member}, agency=AGENCY, purpose=PURPOSE)
    assert body["data"] is not None and body["data"]["person"] is not None, body
    assert body["data"]["person"]["household"]["id"] == ours


async def test_the_household_id_is_released_only_when_the_policy_grants_it(
    hub: Hub, database: Database, population: Population
) -> None:
    grant = next(
        g
        for g in sorted(BASELINE.grants.values(), key=lambda g: (g.agency, g.purpose))
        if g.allows("householdComposition", "members")
        and not g.allows("householdComposition", "householdId")
    )
    rrn = population.sample_rrns(1)[0]
    response = await hub.post(HOUSEHOLD, {"r": rrn}, agency=grant.agency, purpose=grant.purpose)
    assert _code(response) == "POLICY_REFUSED"
    assert response.json()["errors"][0]["extensions"]["fields"] == [
        "householdComposition.householdId"
    ]
    assert hub.calls() == {}
    without_id = HOUSEHOLD.replace("household { id members", "household { members")
    response = await hub.post(without_id, {"r": rrn}, agency=grant.agency, purpose=grant.purpose)
    assert _ran(response.json()), response.text
    entries = await _entries(database, response.headers["hub-request-id"])
    assert entries and all(
        "householdId" not in (e.released or {}).get("householdComposition", {}) for e in entries
    )
