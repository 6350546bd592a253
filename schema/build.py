"""Building the federated schema from the catalog, once per app."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from hub.auth.outage import DatabaseOutages
from hub.catalog.model import Catalog
from schema.entities import HubFederationSchema
from schema.gate import RequestGate
from schema.info_types import SCALAR_MAP
from schema.limits import RequestLimits
from schema.masking import HubMaskErrors
from schema.person import PersonTypes
from schema.plan import PlanCache, SchemaMap
from schema.query import build_query


@dataclass(frozen=True)
class HubSchema:
    """The executable schema and the name map its planner uses."""

    schema: HubFederationSchema
    schema_map: SchemaMap
    person_types: PersonTypes


@functools.lru_cache(maxsize=8)
def build_schema(catalog: Catalog, *, introspection: bool = True) -> HubSchema:
    """The agencies' schema: Person (a federation entity keyed by id) and the queries.

    Built once per catalog and setting: the schema holds no per-app state,
    and building it (54 types, their forms) takes a noticeable fraction of a second.
    """
    types = PersonTypes(catalog)
    plans = PlanCache(types.schema_map)
    query = build_query(types)
    # Rules are built once; the factory hands the same list to every operation
    # so ValidationCache keeps hitting. RequestLimits adds the agency's limit
    # rules, built once per distinct set of limits, for the same reason.
    rules: list[type[ASTValidationRule]] = (
        [] if introspection else [NoSchemaIntrospectionCustomRule]
    )
    schema = HubFederationSchema(
        query=query,
        types=list(types.object_types.values()),
        federation_version="2.5",
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            # First, so that its post-operation hook masks last, after every other.
            HubMaskErrors,
            RequestLimits,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: AddValidationRules(rules),
            lambda: RequestGate(catalog, plans),
            # Last, so that it sees the resolvers' errors before any masking.
            DatabaseOutages,
        ],
    )
    return HubSchema(schema=schema, schema_map=types.schema_map, person_types=types)
