"""In-process console tests: a hub on the test database, called through httpx like a browser.

The browser tests (tests/hub/console/browser/) run a real hub process instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest

from hub.db.session import Database
from tests.schema.conftest import (  # noqa: F401 - fixtures
    Hub,
    HubFactory,
    catalog,
    hub_factory,
    population,
    sources,
    sql_source_url,
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on `page`."""
    found = _CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


@dataclass
class Console:
    """The console of a hub under test, and a browser-like client's helpers."""

    hub: Hub

    @property
    def client(self) -> httpx.AsyncClient:
        """The client (its cookie jar is the browser's)."""
        return self.hub.client

    async def sign_in_official(self, role: str, official: str = "officer.a") -> httpx.Response:
        """Development sign-in as an official of `role`; the redirect to their home."""
        page = await self.client.get("/console/sign-in")
        return await self.client.post(
            "/console/sign-in/dev",
            data={
                "csrf_token": csrf_of(page),
                "kind": "official",
                "role": role,
                "official": official,
            },
        )

    async def sign_in_citizen(self, rrn: str) -> httpx.Response:
        """Development sign-in as the citizen `rrn`; the redirect to their report."""
        page = await self.client.get("/console/sign-in")
        return await self.client.post(
            "/console/sign-in/dev",
            data={"csrf_token": csrf_of(page), "kind": "citizen", "rrn": rrn},
        )


@pytest.fixture
async def console(database: Database, hub_factory: HubFactory) -> Console:  # noqa: F811
    """A hub on the baseline policy (rolled back after the test) with its console."""
    return Console(await hub_factory(database, policy="database"))
