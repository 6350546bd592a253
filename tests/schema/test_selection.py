"""The existence check asks only the sources of the types the operation really selects."""

from __future__ import annotations

from hub.catalog import Catalog
from simulator.population import Population
from tests.schema.conftest import Hub


async def test_types_selected_through_fragments_are_found(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrn = population.sample_rrns(1)[0]
    query = """query($r: String!) {
      person(rrn: $r) { ...Income ... on Person { nationalPension { monthlyAmount } } }
    }
    fragment Income on Person { earnedIncome { annualAmount } }"""
    body = await hub.query(query, {"r": rrn})
    assert "errors" not in body, body
    sources = {catalog.info_type(t).source for t in ("earnedIncome", "nationalPension")}
    # Each source once: the existence check and the fields share the call.
    assert hub.calls() == dict.fromkeys(sources, 1)


async def test_skipped_types_call_no_source(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrn = population.sample_rrns(1)[0]
    query = """query($r: String!, $withPension: Boolean!) {
      person(rrn: $r) {
        earnedIncome { annualAmount }
        nationalPension @include(if: $withPension) { monthlyAmount }
        vehicles @skip(if: true) { registrationNumber }
      }
    }"""
    body = await hub.query(query, {"r": rrn, "withPension": False})
    assert "errors" not in body, body
    assert set(body["data"]["person"]) == {"earnedIncome"}
    assert hub.calls() == {catalog.info_type("earnedIncome").source: 1}
