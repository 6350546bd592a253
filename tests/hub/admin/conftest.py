"""A hub on the baseline policy, called by officers and consent channels at /admin/graphql."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hub.auth.roles import Role
from hub.auth.tokens import issue_token
from hub.db.session import Database

# The integration fixtures come from tests/hub/conftest.py.
from tests.schema.conftest import Hub, HubFactory

ADMIN_URL = "/admin/graphql"
OFFICER_A = "officer.a"
OFFICER_B = "officer.b"
DESK_CLIENT = "consent-desk"
DESK_OFFICIAL = "lee.02"
#: The case an officer's or a desk's read about a person is made under.
OFFICE_CASE = "PRIV-2026-0031"
CASE_HEADER = {"Hub-Case-Ref": OFFICE_CASE}


@dataclass
class Admin:
    """Calls the administrative endpoint with tokens of any role."""

    hub: Hub

    def token(
        self,
        official: str = OFFICER_A,
        role: Role = Role.PRIVACY_OFFICER,
        client_id: str | None = None,
        agency: str | None = None,
    ) -> str:
        """An access token of `role` for `official`."""
        services = self.hub.app.state.services
        return issue_token(
            services.keys,
            self.hub.settings,
            official=official,
            role=role,
            agency=agency,
            client_id=client_id,
            ttl_s=600,
        )

    def desk_token(self, official: str = DESK_OFFICIAL, client_id: str = DESK_CLIENT) -> str:
        """A consent-manager channel's token."""
        return self.token(official, Role.CONSENT_MANAGER, client_id=client_id)

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST an operation to the administrative endpoint (with extra `headers`)."""
        return await self.hub.client.post(
            ADMIN_URL,
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
        )

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST an operation (as officer A by default) and return the body (expects HTTP 200)."""
        response = await self.post(query, variables, token=token or self.token(), headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def codes(body: dict[str, Any]) -> list[str]:
    """The error codes of a response, in order."""
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture
async def hub(hub_factory: HubFactory, database: Database) -> Hub:
    """A hub enforcing the database's policy (the baseline, version 1)."""
    return await hub_factory(database, policy="database")


@pytest.fixture
def admin(hub: Hub) -> Admin:
    """The administrative endpoint of `hub`."""
    return Admin(hub)
