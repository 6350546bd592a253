"""The integration fixtures (live simulated sources, the hub factory) for every test under hub/.

They live with the agencies' endpoint tests (tests/schema/conftest.py);
the admin, app and observability tests call a real hub through the same ones.
"""

from __future__ import annotations

from tests.schema.conftest import (  # noqa: F401
    catalog,
    hub_factory,
    population,
    sources,
    sql_source_url,
)
