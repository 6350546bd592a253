"""Which connector class serves which source, chosen by configuration.

A source's configured URL picks its connector by scheme: `http(s)://` for a
lookup service, an SQLAlchemy async URL for a database, `memory://` for the
in-process connector benchmarks use. New transports register a factory here;
nothing else in the hub names a connector class.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import BaseConnector
from hub.catalog.model import Catalog, Source, Transport
from hub.settings import Settings

ConnectorFactory = Callable[[Source, Catalog, Settings], BaseConnector]

_FACTORIES: dict[str, ConnectorFactory] = {}


def register(*schemes: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    """Register a connector factory for URL schemes (`http`, `sqlite+aiosqlite` …)."""

    def decorate(factory: ConnectorFactory) -> ConnectorFactory:
        for scheme in schemes:
            _FACTORIES[scheme] = factory
        return factory

    return decorate


class UnknownTransport(ValueError):
    """A source's URL has a scheme no connector serves."""


def connector_for(source: Source, catalog: Catalog, settings: Settings) -> BaseConnector:
    """Build the connector that serves `source` under these settings."""
    # Importing the implementations registers them; done here, not at the top,
    # so that the registry has no import cycle with them.
    import connectors.http
    import connectors.memory
    import connectors.sql  # noqa: F401

    url = settings.source(source.code, sql=source.transport is Transport.SQL).url
    scheme = url.split("://", 1)[0] if "://" in url else ""
    factory = _FACTORIES.get(scheme)
    if factory is None:
        raise UnknownTransport(f"source {source.code}: no connector serves {scheme or url!r}")
    return factory(source, catalog, settings)


def build_connectors(catalog: Catalog, settings: Settings) -> dict[str, BaseConnector]:
    """One connector per source of the catalog."""
    return {s.code: connector_for(s, catalog, settings) for s in catalog.sources}
