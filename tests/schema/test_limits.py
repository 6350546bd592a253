"""Abuse of the API: every limit refuses before anything executes (OWASP GraphQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from hub.db.models import AuditEntry
from hub.db.session import Database
from schema.limits import validation_rules
from simulator.population import Population
from tests.schema.conftest import AGENCY, Hub, HubFactory

TWO_TYPES = """query($r: [String!]!) {
  persons(rrns: $r) { residentRegistration { name } earnedIncome { annualAmount } }
}"""
HOUSEHOLD = """query($r: String!) {
  person(rrn: $r) { household { members { person { earnedIncome { annualAmount } } } } }
}"""
ONE = "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount } } }"


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


async def test_too_deep(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, limits={"max_depth": 3})
    error = _error(await hub.query(HOUSEHOLD, {"r": population.sample_rrns(1)[0]}))
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 3, "found": 6}
    assert "6 fields deep" in error["message"]
    assert hub.calls() == {}


async def test_too_many_aliases(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, limits={"max_aliases": 2})
    query = "query($r: String!) { a: person(rrn: $r) { x: id y: id } b: person(rrn: $r) { id } }"
    error = _error(await hub.query(query, {"r": population.sample_rrns(1)[0]}))
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 2, "found": 4}
    assert hub.calls() == {}


async def test_too_many_root_fields(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    selections = " ".join(f"p{i}: person(rrn: $r) {{ id }}" for i in range(6))
    error = _error(await hub.query(f"query($r: String!) {{ {selections} }}", {"r": rrn}))
    assert error["extensions"] == {"code": "TOO_MANY_ROOT_FIELDS", "limit": 5, "found": 6}
    assert hub.calls() == {}


async def test_too_many_tokens(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, limits={"max_tokens": 30})
    fields = " ".join(["id"] * 40)
    error = _error(
        await hub.query(f"query($r: String!) {{ person(rrn: $r) {{ {fields} }} }}", {"r": "x"})
    )
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 30}
    # Comments count too: a document padded with them is refused as well.
    padded = "#\n" * 40 + ONE
    error = _error(await hub.query(padded, {"r": population.sample_rrns(1)[0]}))
    assert error["extensions"]["code"] == "TOO_MANY_TOKENS"
    assert hub.calls() == {}


async def test_too_costly(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    # 3 persons x (residentRegistration 1 + earnedIncome 2, NTS weighing 2) = 9.
    hub = await hub_factory(database, limits={"max_cost": 8}, source_costs={"NTS": 2})
    rrns = population.sample_rrns(3)
    error = _error(await hub.query(TWO_TYPES, {"r": rrns}))
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "estimate": 9, "limit": 8}
    assert "estimated cost is 9, over the limit of 8" in error["message"]
    assert hub.calls() == {}
    body = await hub.query(TWO_TYPES, {"r": rrns[:2]})
    assert "errors" not in body, body


async def test_household_walk_multiplies_the_persons(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    # 1 person x 4 assumed members x (householdComposition + earnedIncome) = 8.
    hub = await hub_factory(database, limits={"max_cost": 7})
    error = _error(await hub.query(HOUSEHOLD, {"r": population.sample_rrns(1)[0]}))
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "estimate": 8, "limit": 7}
    assert hub.calls() == {}


async def test_entities_count_their_representations(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database, limits={"max_cost": 2})
    query = """query($reps: [_Any!]!) {
      _entities(representations: $reps) { ... on Person { earnedIncome { annualAmount } } }
    }"""
    reps = [{"__typename": "Person", "id": f"P{i}"} for i in range(3)]
    error = _error(await hub.query(query, {"reps": reps}))
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "estimate": 3, "limit": 2}


async def test_per_agency_override(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    strict = await hub_factory(
        database, agency_limits={AGENCY.lower(): {"max_cost": 1, "max_depth": 2}}
    )
    error = _error(await strict.query(ONE, {"r": rrn}))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    shallow = "query($r: [String!]!) { persons(rrns: $r) { id } }"
    error = _error(
        await strict.query(shallow.replace("{ id }", "{ __typename }"), {"r": [rrn, rrn]})
    )
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "estimate": 2, "limit": 1}
    assert strict.calls() == {}
    # Another agency's override leaves this one on the defaults.
    other = await hub_factory(database, agency_limits={"NPS_BENEFITS": {"max_depth": 1}})
    assert "errors" not in await other.query(ONE, {"r": rrn})


async def test_limit_rules_are_built_once_and_validation_stays_cached(
    hub: Hub, population: Population
) -> None:
    from strawberry.extensions.validation_cache import _get_validate_cache

    assert validation_rules(10, 20, 5) is validation_rules(10, 20, 5)
    cache: Any = _get_validate_cache(256)
    rrn = population.sample_rrns(1)[0]
    await hub.query(ONE, {"r": rrn})
    before = cache.cache_info()
    await hub.query(ONE, {"r": rrn})
    after = cache.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


async def test_body_too_large(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database, max_body_bytes=1024)
    response = await hub.post(ONE, {"r": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    # A body without Content-Length (chunked) is bounded as it arrives.

    async def chunks() -> Any:
        for _ in range(3):
            yield b" " * 512

    response = await hub.client.post(
        "/graphql",
        content=chunks(),
        headers={**hub.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert hub.calls() == {}


async def test_batch_is_refused(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    operation = {"query": ONE, "variables": {"r": rrn}}
    response = await hub.client.post("/graphql", json=[operation, operation], headers=hub.headers())
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "atching" in body["errors"][0]["message"]
    assert hub.calls() == {}


async def test_request_timeout_releases_nothing(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database, request_timeout_s=0.3, source_timeout_s=5.0)
    hub.sources.set_fault("NTS", delay_ms=1500)
    async with database.session() as session:
        before = await session.scalar(select(func.count()).select_from(AuditEntry))
    response = await hub.post(ONE, {"r": population.sample_rrns(1)[0]})
    assert response.status_code == 504
    body = response.json()
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "the operation did not finish within 0.3 s; no data was released",
                "extensions": {"code": "REQUEST_TIMEOUT"},
            }
        ],
    }
    async with database.session() as session:
        after = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert after == before


async def test_masking_hides_unexpected_errors(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(text: str, index: int | None = None) -> str:
        raise RuntimeError("secret internal detail in schema.query")

    monkeypatch.setattr("schema.query._parse", boom)
    hub = await hub_factory(database, mask_errors=True)
    body = await hub.query(ONE, {"r": population.sample_rrns(1)[0]})
    assert body["data"] == {"person": None}
    assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
    assert "secret" not in str(body)
    # Worded as on the administrative endpoint, with a code like every other error.
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_ERROR"}
    # Unmasked (development), the text shows.
    open_hub = await hub_factory(database, mask_errors=False)
    body = await open_hub.query(ONE, {"r": population.sample_rrns(1)[0]})
    assert "secret internal detail" in body["errors"][0]["message"]


async def test_masking_keeps_hub_errors_and_drops_suggestions(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database, mask_errors=True)
    body = await hub.query(ONE, {"r": "12345"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_RRN"
    typo = "query($r: String!) { person(rrn: $r) { earnedIncom { annualAmount } } }"
    body = await hub.query(typo, {"r": "12345"})
    message = body["errors"][0]["message"]
    assert "earnedIncom" in message and "Did you mean" not in message, message
    open_hub = await hub_factory(database, mask_errors=False)
    body = await open_hub.query(typo, {"r": "12345"})
    assert "Did you mean" in body["errors"][0]["message"]


async def test_production_defaults_close_introspection_and_graphiql(
    database: Database, hub_factory: HubFactory
) -> None:
    # The values production defaults to (tests/hub/test_settings.py checks the defaults).
    hub = await hub_factory(database, introspection=False, graphiql=False, mask_errors=True)
    body = await hub.query("{ __schema { types { name } } }")
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    response = await hub.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 405
