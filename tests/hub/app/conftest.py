"""The app tests call a real hub; they share the integration fixtures."""

from __future__ import annotations

# The integration fixtures (live simulated sources, the hub factory) live
# with the agencies' endpoint tests.
from tests.schema.conftest import (  # noqa: F401
    Hub,
    HubFactory,
    catalog,
    hub_factory,
    population,
    sources,
    sql_source_url,
)
