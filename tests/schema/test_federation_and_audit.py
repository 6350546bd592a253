"""Federated entity lookups, the committed SDL, and the access log behind every answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.catalog import Catalog
from hub.db.engine import create_engine
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from schema.build import build_schema
from simulator.population import Population
from tests.schema.conftest import AGENCY, Hub, HubFactory

ROOT = Path(__file__).resolve().parents[2]


async def entries_of(database: Database, request_id: str) -> list[AuditEntry]:
    """The access log entries one request left."""
    async with database.session() as session:
        query = select(AuditEntry).where(AuditEntry.request_id == request_id)
        return list((await session.execute(query)).scalars())


ENTITIES = """query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Person { id earnedIncome { annualAmount } } }
}"""


def test_committed_sdl_matches_the_schema(catalog: Catalog) -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == build_schema(catalog).schema.as_str() + "\n", (
        "schema.graphql is stale: run `make schema` and review the difference"
    )


async def test_entities_resolve_issued_ids_in_one_batch(hub: Hub, population: Population) -> None:
    rrns = population.sample_rrns(5)
    issued = await hub.query("query($r: [String!]!) { persons(rrns: $r) { id } }", {"r": rrns})
    ids = [p["id"] for p in issued["data"]["persons"]]
    hub.sources.reset()
    reps = [{"__typename": "Person", "id": i} for i in ids]
    body = await hub.query(ENTITIES, {"reps": reps})
    assert "errors" not in body, body
    assert [e["id"] for e in body["data"]["_entities"]] == ids
    assert hub.calls() == {"NTS": 1}


async def test_entities_refuse_unknown_and_malformed_ids(hub: Hub) -> None:
    reps = [
        {"__typename": "Person", "id": "P" + "A" * 32},
        {"__typename": "Person", "id": "8503142123456"},
    ]
    body = await hub.query(ENTITIES, {"reps": reps})
    assert body["data"]["_entities"] == [None, None]
    codes = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert codes == {("_entities", 0): "PERSON_NOT_FOUND", ("_entities", 1): "INVALID_PERSON_ID"}


async def test_every_answer_is_logged_with_who_why_and_what(
    hub: Hub, database: Database, population: Population
) -> None:
    rrns = population.sample_rrns(3)
    hub.sources.set_fault("NTS", error_rate=1.0)
    response = await hub.post(
        """query($r: [String!]!) {
          persons(rrns: $r) { residentRegistration { name } earnedIncome { annualAmount } }
        }""",
        {"r": rrns},
        case="CASE-77",
    )
    assert response.status_code == 200
    request_id = response.headers["hub-request-id"]
    keys = hub.app.state.services.keys
    rows = await entries_of(database, request_id)
    assert {r.person for r in rows} == {agency_person_id(keys, AGENCY, r) for r in rrns}
    for row in rows:
        assert (row.agency, row.official, row.purpose, row.case_ref) == (
            AGENCY,
            "kim.01",
            "basic_livelihood_eligibility",
            "CASE-77",
        )
        assert row.released == {"residentRegistration": {"name": "full"}}
        assert row.refused == {"earnedIncome": "SOURCE_UNAVAILABLE"}
        assert row.outcome == "partial"
        assert row.client_addr == "10.1.2.3"
        assert row.policy_version == 0  # the tests' grant-everything policy
        assert row.legal_basis == "test: every field"
        assert row.query_hash is not None and len(row.query_hash) == 64


async def test_a_request_refused_at_the_gate_logs_the_person_it_named(
    hub: Hub, database: Database, population: Population
) -> None:
    response = await hub.post(
        "query($r: String!) { person(rrn: $r) { residentRegistration { name } } }",
        {"r": population.sample_rrns(1)[0]},
        purpose=None,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    rows = await entries_of(database, response.headers["hub-request-id"])
    assert [(r.outcome, r.refused, r.released) for r in rows] == [
        ("refused", {"residentRegistration": "PURPOSE_REQUIRED"}, {})
    ]
    assert hub.calls() == {}


async def test_no_data_leaves_when_the_log_cannot_be_written(
    tmp_path: Path, hub_factory: HubFactory, population: Population
) -> None:
    # A database that was never migrated stands for one that is down or full.
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"))
    try:
        hub = await hub_factory(broken)
        rrn = population.sample_rrns(1)[0]
        response = await hub.post(
            "query($r: String!) { person(rrn: $r) { residentRegistration { name } } }", {"r": rrn}
        )
    finally:
        await broken.dispose()
    assert response.status_code == 503
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    person = population.person(rrn)
    assert person is not None
    assert person.name not in response.text
    assert hub.calls() == {"MOIS": 1}, "the data was fetched, and then withheld"


async def test_household_walk_logs_every_member(
    hub: Hub, database: Database, population: Population
) -> None:
    rrn = next(r for r in population.sample_rrns(200) if len(population.household_members(r)) >= 3)
    response = await hub.post(
        "query($r: String!) { person(rrn: $r) { household { members { person { id } } } } }",
        {"r": rrn},
    )
    assert response.status_code == 200
    keys = hub.app.state.services.keys
    rows = await entries_of(database, response.headers["hub-request-id"])
    members = {agency_person_id(keys, AGENCY, r) for r, _ in population.household_members(rrn)}
    assert {r.person for r in rows} == members | {agency_person_id(keys, AGENCY, rrn)}
    assert all(r.released == {"householdComposition": {"members": "full"}} for r in rows)


async def test_malformed_representations_are_refused_one_by_one(hub: Hub) -> None:
    # Found by the fuzzer: strawberry's resolver leaked Python messages for these.
    query = """{ _entities(representations: [
        {__typename: "Person", id: "PAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        "",
        {__typename: "Nope", id: "x"}
    ]) { ... on Person { id } } }"""
    body = await hub.query(query)
    assert body["data"]["_entities"] == [None, None, None]
    codes = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert codes == {
        ("_entities", 0): "PERSON_NOT_FOUND",
        ("_entities", 1): "INVALID_REPRESENTATION",
        ("_entities", 2): "INVALID_REPRESENTATION",
    }
