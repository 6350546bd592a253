"""Federated entity lookups, the committed SDL, and the access log behind every answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.app import create_app
from hub.catalog import Catalog
from hub.db.engine import create_engine
from hub.db.models import AccessLogEntry
from hub.db.session import Database
from hub.identity.subjects import person_id
from schema.build import build_schema
from simulator.population import Population
from tests.schema.conftest import AGENCY, Hub, hub_settings

ROOT = Path(__file__).resolve().parents[2]
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
    async with database.session() as session:
        rows = (
            (
                await session.execute(
                    select(AccessLogEntry).where(AccessLogEntry.request_id == request_id)
                )
            )
            .scalars()
            .all()
        )
    assert {r.subject_id for r in rows} == {person_id(keys, r) for r in rrns}
    for row in rows:
        assert (row.agency, row.official, row.purpose, row.case_ref) == (
            AGENCY,
            "kim.01",
            "basic_livelihood_eligibility",
            "CASE-77",
        )
        assert row.released == ["residentRegistration"]
        assert row.refused == {"earnedIncome": "SOURCE_UNAVAILABLE"}
        assert row.outcome == "partial"
        assert row.client_addr == "10.1.2.3"


async def test_refused_requests_leave_no_entries(
    hub: Hub, database: Database, population: Population
) -> None:
    response = await hub.post(
        "query($r: String!) { person(rrn: $r) { id } }",
        {"r": population.sample_rrns(1)[0]},
        purpose=None,
    )
    async with database.session() as session:
        rows = (
            (
                await session.execute(
                    select(AccessLogEntry).where(
                        AccessLogEntry.request_id == response.headers["hub-request-id"]
                    )
                )
            )
            .scalars()
            .all()
        )
    assert rows == []


async def test_no_data_leaves_when_the_log_cannot_be_written(
    tmp_path: Path, data_dir: Path, sources: object, sql_source_url: str, population: Population
) -> None:
    import httpx

    from simulator.harness import SimulatorServer

    assert isinstance(sources, SimulatorServer)
    # A database that was never migrated stands for one that is down or full.
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"))
    settings = hub_settings(data_dir, sources, sql_source_url)
    app = create_app(settings, database=broken)
    services = app.state.services
    from hub.auth.tokens import issue_token

    token = issue_token(services.keys, settings, agency=AGENCY, official="kim.01")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        response = await client.post(
            "/graphql",
            json={
                "query": "query($r: String!) { person(rrn: $r) { residentRegistration { name } } }",
                "variables": {"r": population.sample_rrns(1)[0]},
            },
            headers={
                "Authorization": f"Bearer {token}",
                "Hub-Purpose": "basic_livelihood_eligibility",
                "Hub-Case-Ref": "CASE-1",
            },
        )
    for connector in services.connectors.values():
        await connector.aclose()
    await broken.dispose()
    assert response.status_code == 503
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    person = population.person(population.sample_rrns(1)[0])
    assert person is not None and person.name not in response.text
