"""Integration fixtures: the simulated sources as real servers, the hub in-process.

The sources listen on loopback ports and the hub's connectors reach them over
HTTP (and the SQL source over its database), exactly as in production; only
the hub itself is called through ASGI, to keep the suite fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.base import AS_OF
from hub.app import create_app
from hub.auth.tokens import issue_token
from hub.catalog import Catalog, load_catalog
from hub.db.session import Database
from hub.settings import Settings
from policies.compiled import CompiledPolicy
from policies.store import FixedPolicy
from policies.testing import grant_everything
from simulator.harness import SimulatorServer
from simulator.population import Population
from simulator.sqlsource import seed_sql_source

POPULATION_SIZE = 2_000
AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The project's catalog."""
    return load_catalog()


@pytest.fixture(scope="session")
def population() -> Population:
    """The simulated population the sources serve (small, for speed)."""
    return Population(size=POPULATION_SIZE)


@pytest.fixture(scope="session")
def sources(population: Population, catalog: Catalog) -> Iterator[SimulatorServer]:
    """The simulated source institutions, listening on a loopback port."""
    with SimulatorServer(population, catalog) as server:
        yield server


@pytest.fixture(scope="session")
async def sql_source_url(
    population: Population, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The SQL source (SSIS benefit records), seeded from the same population."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ssis') / 'ssis.db'}"
    await seed_sql_source(url, population, catalog)
    return url


@dataclass
class Hub:
    """A hub under test and helpers to call it the way an agency would."""

    client: httpx.AsyncClient
    settings: Settings
    app: Any
    sources: SimulatorServer
    default_headers: dict[str, str] = field(default_factory=dict)

    def calls(self, counter: str = "calls") -> dict[str, int]:
        """Per-source counts at the simulated sources, without the zeros."""
        return {code: n for code, n in self.sources.stats()[counter].items() if n}

    def token(self, agency: str = AGENCY, official: str = "kim.01", ttl_s: int = 600) -> str:
        """A token for `official` of `agency`."""
        services = self.app.state.services
        return issue_token(
            services.keys, self.settings, agency=agency, official=official, ttl_s=ttl_s
        )

    def headers(
        self,
        *,
        agency: str = AGENCY,
        purpose: str | None = PURPOSE,
        case: str | None = "CASE-2026-0001",
        token: str | None = None,
    ) -> dict[str, str]:
        """Request headers naming the caller, purpose and case."""
        out = {"Authorization": f"Bearer {token or self.token(agency)}"}
        if purpose is not None:
            out["Hub-Purpose"] = purpose
        if case is not None:
            out["Hub-Case-Ref"] = case
        return out

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: Any
    ) -> httpx.Response:
        """POST an operation with the given header options."""
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers(**headers),
        )

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, **headers: Any
    ) -> dict[str, Any]:
        """POST an operation and return the decoded body (expects HTTP 200)."""
        response = await self.post(query, variables, **headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


HubFactory = Callable[..., Awaitable[Hub]]


def fields_of(found: Any) -> Any:
    """A source's record (or list of them) as a client sees it: without the as-of.

    The as-of is the source's statement about the record, which the hub
    checks (docs/sources.md); it is not one of the type's fields.
    """
    if isinstance(found, list):
        return [fields_of(item) for item in found]
    if isinstance(found, dict):
        return {k: v for k, v in found.items() if k != AS_OF}
    return found


@pytest.fixture
async def hub_factory(
    data_dir: Path, sources: SimulatorServer, sql_source_url: str
) -> AsyncIterator[HubFactory]:
    """Builds hubs on a given database with settings overrides; closes them after the test."""
    async with AsyncExitStack() as stack:

        async def make(
            database: Database, *, policy: str | CompiledPolicy = "everything", **overrides: Any
        ) -> Hub:
            """A hub; `policy` is "everything" (one full grant), "database" (the baseline)
            or a compiled policy of the test's own."""
            values: dict[str, Any] = {"sql_source_url": sql_source_url, "source_timeout_s": 1.0}
            values.update(overrides)
            settings = Settings(data_dir=data_dir, simulator_url=sources.base_url, **values)
            policies = (
                FixedPolicy(grant_everything(load_catalog(), AGENCY, PURPOSE))
                if policy == "everything"
                else FixedPolicy(policy)
                if isinstance(policy, CompiledPolicy)
                else None
            )
            app = create_app(settings, database=database, policies=policies)
            for connector in app.state.services.connectors.values():
                stack.push_async_callback(connector.aclose)
            transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://hub.test")
            )
            return Hub(client=client, settings=settings, app=app, sources=sources)

        sources.clear_faults()
        sources.reset()
        yield make
    sources.clear_faults()


@pytest.fixture
async def hub(database: Database, hub_factory: HubFactory) -> Hub:
    """A hub on the test database (rolled back after the test) and the live sources."""
    return await hub_factory(database)


__all__ = ["AGENCY", "PURPOSE", "Hub", "HubFactory", "fields_of"]
