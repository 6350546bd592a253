"""The baseline: a bare strawberry schema of the hub's shape, reading the population directly.

It has the same GraphQL object types for the benchmarked information types
as the hub (built by the same plain-strawberry function, which holds none of
the hub's request machinery), so the same query text runs on
both and returns the same data, but none of the hub's own machinery: no
authentication, no plan, no DataLoader, no record checking, no access log.
What it does is the least any strawberry service over this data must do:
generate the records, turn ISO dates into `date` for the Date scalar, build
the objects and serialise them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLNamedType, GraphQLObjectType, GraphQLSchema
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from connectors.base import AS_OF
from hub.catalog.model import InfoType, Kind
from schema.info_types import SCALAR_MAP, build_object_type, pascal
from simulator.population import Population


def _resolver(info_type: InfoType, object_type: type, population: Population) -> Callable[..., Any]:
    names = [f.name for f in info_type.exposed_fields]
    dates = frozenset(f.name for f in info_type.exposed_fields if f.kind is Kind.DATE)

    # Synchronous on purpose: with the data in memory a plain service has
    # nothing to await, and graphql-core runs sync resolvers without tasks.
    def resolve(root: Any) -> Any:
        raw = population.record(root.rrn, info_type, names)
        if raw is None:
            return None
        assert isinstance(raw, dict)  # single-record types only
        # The record's as-of is not a field of the object (the hub only checks it).
        values = {
            name: dt.date.fromisoformat(value) if name in dates and value is not None else value
            for name, value in raw.items()
            if name != AS_OF
        }
        return object_type(**values)

    resolve.__name__ = f"resolve_{info_type.name}"
    return resolve


def build_bare_schema(info_types: Sequence[InfoType], population: Population) -> strawberry.Schema:
    """A plain schema with `person(rrn:)` and a Person of just `info_types`."""
    namespace: dict[str, Any] = {"__annotations__": {"rrn": strawberry.Private[str]}}
    for info_type in info_types:
        obj = build_object_type(info_type)
        namespace[info_type.name] = strawberry.field(
            resolver=_resolver(info_type, obj, population), graphql_type=obj | None
        )
    person = strawberry.type(type("Person", (), namespace))

    def resolve_person(rrn: str) -> Any:
        return person(rrn=rrn) if rrn in population else None

    query = strawberry.type(
        type(
            "Query",
            (),
            {"person": strawberry.field(resolver=resolve_person, graphql_type=person | None)},
        )
    )
    # The hub caches parsed and validated documents with these stock
    # extensions; without them the baseline would re-parse and re-validate
    # work the hub skips, and the ratio would understate the hub's overhead.
    return strawberry.Schema(
        query=query,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    )


def build_bare_app(info_types: Sequence[InfoType], population: Population) -> GraphQL[Any, Any]:
    """The baseline schema served by strawberry's stock ASGI view."""
    return GraphQL(build_bare_schema(info_types, population), graphql_ide=None)


def _shape(schema: GraphQLSchema, type_name: str) -> dict[str, str]:
    named: GraphQLNamedType | None = schema.get_type(type_name)
    if not isinstance(named, GraphQLObjectType):
        raise TypeError(f"{type_name} is not an object type")
    return {name: str(field.type) for name, field in named.fields.items()}


def shape_differences(
    hub: GraphQLSchema, bare: GraphQLSchema, info_types: Sequence[InfoType]
) -> list[str]:
    """Where the bare schema's types differ from the hub's; empty when the shapes match.

    Person is compared on the benchmarked fields only: the hub's Person has
    many more, which the query never selects.
    """
    problems: list[str] = []
    hub_person, bare_person = _shape(hub, "Person"), _shape(bare, "Person")
    for info_type in info_types:
        name = info_type.name
        if hub_person.get(name) != bare_person.get(name):
            problems.append(f"Person.{name}: hub {hub_person.get(name)} != {bare_person.get(name)}")
        type_name = pascal(name)
        hub_fields, bare_fields = _shape(hub, type_name), _shape(bare, type_name)
        if hub_fields != bare_fields:
            problems.append(f"{type_name}: hub {hub_fields} != bare {bare_fields}")
    return problems
