"""The integration fixtures (simulated sources, hubs) for the request-id tests."""

from tests.schema.conftest import (  # noqa: F401 - fixtures, registered by import
    catalog,
    hub,
    hub_factory,
    population,
    sources,
    sql_source_url,
)
