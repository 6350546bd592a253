"""A hub on the test database, reached over ASGI at https://hub.test, for the token endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.auth.roles import Role
from hub.catalog import load_catalog
from hub.db.session import Database
from hub.keys import load_keys
from hub.oauth.clients import register_client
from hub.oauth.endpoints import oauth_routes
from hub.oauth.server import OAuthConfig
from hub.settings import Settings
from tests.hub.oauth.forge import TOKEN_URL, AssertionPair, ClientKeys, token_form

AGENCY = "LOCAL_WELFARE"


@dataclass
class TokenHub:
    """The hub and helpers to register clients and ask for tokens."""

    app: Starlette
    config: OAuthConfig
    client: httpx.AsyncClient
    database: Database

    @property
    def settings(self) -> Settings:
        """The hub's settings."""
        return self.config.settings

    async def register(
        self,
        keys: ClientKeys,
        code: str = AGENCY,
        role: Role = Role.AGENCY,
        client_id: str | None = None,
    ) -> str:
        """Register `keys` (public half only) and return the client id."""
        done = await register_client(
            self.database, code=code, jwks=keys.public_jwks, role=role, client_id=client_id
        )
        return done.client_id

    async def post_token(self, form: dict[str, str], **kwargs: Any) -> httpx.Response:
        """POST a token request form."""
        return await self.client.post(TOKEN_URL, data=form, **kwargs)

    async def token_for(self, keys: ClientKeys, client_id: str, official: str = "kim.01") -> str:
        """An access token obtained the honest way."""
        pair = AssertionPair(client_id, official)
        form = token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()))
        response = await self.post_token(form)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token


@pytest.fixture
async def token_hub(database: Database, data_dir: Path) -> AsyncIterator[TokenHub]:
    """The hub's OAuth routes alone (no GraphQL schema to build), at https://hub.test."""
    settings = Settings(data_dir=data_dir, public_url="https://hub.test")
    config = OAuthConfig(settings, load_keys(settings), load_catalog())
    app = Starlette(routes=oauth_routes(config, database))
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as client:
        yield TokenHub(app=app, config=config, client=client, database=database)
