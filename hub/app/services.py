"""The running hub's long-lived services, built once by the app factory.

The agencies' API declares what it and the admin endpoint read of these
(`schema.context.Services`, a protocol); this container satisfies it and is
the only place that assembles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors.base import BaseConnector
from connectors.registry import build_connectors
from hub.audit.writer import AuditWriter
from hub.auth.revocation import ClientRevocations
from hub.catalog import load_catalog
from hub.catalog.model import Catalog
from hub.db.session import Database
from hub.documents.registry import TrustedDocuments
from hub.keys import KeyRing, load_keys
from hub.observability.metrics import HubMetrics
from hub.ratelimit import RateLimiter, build_rate_limiter
from hub.settings import Settings
from policies.store import PolicySource, PolicyStore
from schema.build import build_schema
from schema.plan import SchemaMap
from schema.view import HubGraphQLView


@dataclass
class HubServices:
    """Long-lived parts of the running hub, built once by the app factory."""

    settings: Settings
    catalog: Catalog
    keys: KeyRing
    connectors: Mapping[str, BaseConnector]
    schema_map: SchemaMap
    database: Database
    policies: PolicySource
    audit: AuditWriter
    #: Registered documents; the agencies' endpoint reads it, officers' decisions invalidate it.
    documents: TrustedDocuments
    metrics: HubMetrics | None = None
    rate_limiter: RateLimiter | None = None
    #: Clients switched off; build_services always sets it (tokens are re-checked).
    revocations: ClientRevocations | None = None


def build_services(
    settings: Settings,
    *,
    database: Database | None = None,
    connectors: Mapping[str, BaseConnector] | None = None,
    policies: PolicySource | None = None,
) -> tuple[HubServices, HubGraphQLView]:
    """Build the hub's long-lived services and its GraphQL view."""
    catalog = load_catalog()
    hub_schema = build_schema(catalog, introspection=settings.introspection_enabled)
    database = database or Database.from_url(settings.effective_database_url)
    services = HubServices(
        settings=settings,
        catalog=catalog,
        keys=load_keys(settings),
        connectors=connectors if connectors is not None else build_connectors(catalog, settings),
        schema_map=hub_schema.schema_map,
        database=database,
        policies=policies or PolicyStore(database, catalog, ttl_s=settings.policy_refresh_s),
        audit=AuditWriter(database),
        rate_limiter=build_rate_limiter(settings, database),
        documents=TrustedDocuments(database, settings.policy_refresh_s),
        revocations=ClientRevocations(database, settings.policy_refresh_s),
    )
    return services, HubGraphQLView(services, hub_schema)


async def close_services(services: HubServices) -> None:
    """Release pools held by connectors, the rate limiter and the database."""
    for connector in services.connectors.values():
        await connector.aclose()
    if services.rate_limiter is not None:
        await services.rate_limiter.aclose()
    await services.database.dispose()
