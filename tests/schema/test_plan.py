"""The field plan: what an operation can reach, computed before it runs."""

from __future__ import annotations

import pytest
from graphql import parse

from hub.catalog import Catalog
from schema.build import HubSchema, build_schema
from schema.plan import FieldPlan, PlanCache, build_plan


@pytest.fixture(scope="module")
def hub_schema(catalog: Catalog) -> HubSchema:
    return build_schema(catalog)


def _plan(hub_schema: HubSchema, query: str, operation: str | None = None) -> FieldPlan:
    graphql_schema = hub_schema.schema._schema
    return build_plan(graphql_schema, parse(query), hub_schema.schema_map, operation)


def test_fields_through_fragments_and_household(hub_schema: HubSchema) -> None:
    plan = _plan(
        hub_schema,
        """
        fragment Pay on EarnedIncome { annualAmount }
        query {
          person(rrn: "x") {
            earnedIncome { ...Pay }
            ... on Person { vehicles { registrationNumber } }
            household { members { person { earnedIncome { year } } } }
          }
        }""",
    )
    assert plan.touches_data
    assert plan.fields["earnedIncome"] == {"annualAmount", "year"}
    assert plan.fields["vehicles"] == {"registrationNumber"}
    assert plan.fields["householdComposition"] == {"members"}
    # A walk reads the household number too, to give the household its id.
    assert plan.for_source(hub_schema.person_types.catalog, "MOIS")["householdComposition"] == [
        "householdId",
        "members",
    ]
    assert set(plan.fields) == {"earnedIncome", "vehicles", "householdComposition"}


def test_only_the_chosen_operation_counts(hub_schema: HubSchema) -> None:
    document = """
      query Income { person(rrn: "x") { earnedIncome { annualAmount } } }
      query Cars { person(rrn: "x") { vehicles { registrationNumber } } }
    """
    assert set(_plan(hub_schema, document, "Income").fields) == {"earnedIncome"}
    assert set(_plan(hub_schema, document, "Cars").fields) == {"vehicles"}


def test_introspection_and_sdl_read_no_data(hub_schema: HubSchema) -> None:
    assert not _plan(hub_schema, "{ __schema { types { name } } }").touches_data
    assert not _plan(hub_schema, "{ _service { sdl } }").touches_data
    assert _plan(hub_schema, '{ person(rrn: "x") { id } }').touches_data


def test_source_slice_is_in_catalog_order(hub_schema: HubSchema, catalog: Catalog) -> None:
    plan = _plan(hub_schema, '{ person(rrn: "x") { earnedIncome { year annualAmount } } }')
    order = [f.name for f in catalog.info_type("earnedIncome").fields]
    wanted = plan.for_source(catalog, "NTS")["earnedIncome"]
    assert wanted == [name for name in order if name in {"year", "annualAmount"}]
    assert plan.for_source(catalog, "NPS") == {}


def test_cache_keys_on_text_and_operation(hub_schema: HubSchema) -> None:
    cache = PlanCache(hub_schema.schema_map, maxsize=2)
    graphql_schema = hub_schema.schema._schema
    text = """
      query Income { person(rrn: "x") { earnedIncome { annualAmount } } }
      query Cars { person(rrn: "x") { vehicles { registrationNumber } } }
    """
    document = parse(text)
    income = cache.plan(graphql_schema, document, text, "Income")
    cars = cache.plan(graphql_schema, document, text, "Cars")
    assert set(income.fields) == {"earnedIncome"} and set(cars.fields) == {"vehicles"}
    assert cache.plan(graphql_schema, document, text, "Income") is income
    other = '{ person(rrn: "x") { land { area } } }'
    cache.plan(graphql_schema, parse(other), other, None)
    # The least recently used entry (Cars) was evicted; Income is still cached.
    assert cache.plan(graphql_schema, document, text, "Income") is income
    assert cache.plan(graphql_schema, document, text, "Cars") is not cars
