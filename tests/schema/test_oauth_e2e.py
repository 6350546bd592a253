"""End to end with a real OAuth2 client: register, obtain a token, query, expire.

The agency side is authlib's own httpx client with `private_key_jwt`
(authlib.oauth2.rfc7523.PrivateKeyJWT) against the whole hub app, and the
simulated sources behind it. Expiry is shown by moving the hub's clock
(`hub.auth.clock.now`) rather than sleeping.

The access-token negative suite below covers what applies to a bearer
token. Replay does not: a bearer token is meant to be presented on every
request until it expires (RFC 6750), which is why it lives 10 minutes at
most; the assertions it is obtained with are single-use (see
tests/hub/oauth/test_token_endpoint.py, which also covers unregistered
clients: a token exists only if its client was registered when it was issued).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import OKPKey

from hub.auth import clock
from hub.auth.roles import Role
from hub.db.session import Database
from hub.keys import TOKEN_ALGORITHMS, KeyRing
from hub.oauth.clients import JWT_BEARER_GRANT_TYPE, register_client
from hub.settings import Settings
from simulator.population import Population
from tests.hub.oauth.forge import AssertionPair, ClientKeys, hmac_with_public_key, unsigned
from tests.schema.conftest import AGENCY, Hub, HubFactory

with warnings.catch_warnings():
    # authlib >= 1.9 prefers the `httpx2` fork for its httpx client and warns once, on
    # import, when it falls back to httpx (which it still supports and the hub uses).
    # A pyproject filterwarnings entry cannot silence it: authlib installs its own
    # "always" filter for its warnings, in front of pytest's, when it is imported.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

BASE = "https://hub.test"
QUERY = "query($rrn: String!) { person(rrn: $rrn) { residentRegistration { name } } }"
PURPOSE = {"Hub-Purpose": "basic_livelihood_eligibility", "Hub-Case-Ref": "CASE-2026-0042"}


def _hub_auth_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hub.auth")


@asynccontextmanager
async def agency_client(
    hub: Hub, keys: ClientKeys, client_id: str
) -> AsyncIterator[AsyncOAuth2Client]:
    """authlib's OAuth2 client for an agency application, talking to the hub over ASGI."""
    metadata = (await hub.client.get("/.well-known/oauth-authorization-server")).json()
    async with AsyncOAuth2Client(
        client_id=client_id,
        client_secret=keys.key,  # PrivateKeyJWT signs with it; it never leaves the agency
        token_endpoint_auth_method=PrivateKeyJWT(alg=keys.alg, headers={"kid": keys.kid}),
        token_endpoint=metadata["token_endpoint"],
        transport=httpx.ASGITransport(app=hub.app, client=("10.1.2.3", 5555)),
        base_url=BASE,
    ) as client:
        yield client


async def fetch_token(
    client: AsyncOAuth2Client, keys: ClientKeys, official: str, **extra: str
) -> dict[str, Any]:
    """The JWT-bearer grant naming `official`, signed by the agency (RFC 7523 §2.1)."""
    endpoint = client.metadata["token_endpoint"]
    claims = AssertionPair(client.client_id, official, audience=endpoint).grant_claims()
    token: dict[str, Any] = await client.fetch_token(
        endpoint, grant_type=JWT_BEARER_GRANT_TYPE, assertion=keys.sign(claims), **extra
    )
    return token


async def test_register_obtain_query_and_expire(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = await hub_factory(database, public_url=BASE)
    keys = ClientKeys.ed25519()
    await register_client(database, code=AGENCY, jwks=keys.public_jwks)
    rrn = population.sample_rrns(1)[0]

    async with agency_client(hub, keys, AGENCY) as agency:
        token = await fetch_token(agency, keys, official="kim.01")
        assert (token["token_type"], token["expires_in"]) == ("Bearer", 600)

        answer = await agency.post(
            "/graphql", json={"query": QUERY, "variables": {"rrn": rrn}}, headers=PURPOSE
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["person"]["residentRegistration"]["name"]

        issued_at = clock.now()
        monkeypatch.setattr(clock, "now", lambda: issued_at + 600 + 31)  # past exp + leeway
        caplog.clear()
        refused = await agency.post(
            "/graphql", json={"query": QUERY, "variables": {"rrn": rrn}}, headers=PURPOSE
        )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in _hub_auth_log(caplog)
    assert "expired" not in refused.text


async def test_other_roles_tokens_do_not_reach_the_agencies_endpoint(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = await hub_factory(database, public_url=BASE)
    keys = ClientKeys.es256()
    await register_client(database, code="AUDIT_CONSOLE", jwks=keys.public_jwks, role=Role.AUDITOR)
    async with agency_client(hub, keys, "AUDIT_CONSOLE") as auditor:
        await fetch_token(auditor, keys, official="audit.9", scope="auditor")
        rrn = population.sample_rrns(1)[0]
        response = await auditor.post(
            "/graphql", json={"query": QUERY, "variables": {"rrn": rrn}}, headers=PURPOSE
        )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_ROLE"
    assert "wrong role: auditor token (client AUDIT_CONSOLE" in _hub_auth_log(caplog)
    assert "wrong role" not in response.text
    assert hub.calls() == {}  # no source was asked anything


def _claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.effective_issuer,
        "aud": settings.audience,
        "sub": "kim.01",
        "role": "agency",
        "agency": AGENCY,
        "purposes": ["basic_livelihood_eligibility"],
        "jti": "t-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        **changes,
    }
    return claims


def _signed(ring: KeyRing, claims: dict[str, Any], **header: Any) -> str:
    key = ring.token_signing
    assert key is not None
    full = {"alg": "Ed25519", "kid": key.kid, "typ": "at+jwt", **header}
    return jwt.encode(full, claims, key, algorithms=TOKEN_ALGORITHMS)


def _hmac(ring: KeyRing, settings: Settings) -> str:
    public = ring.token_verification.keys[0]
    assert isinstance(public, OKPKey)
    return hmac_with_public_key(public, {"kid": public.kid, "typ": "at+jwt"}, _claims(settings))


def _stranger(ring: KeyRing, settings: Settings) -> str:
    assert ring.token_signing is not None
    other = OKPKey.generate_key("Ed25519", parameters={"kid": str(ring.token_signing.kid)})
    header = {"alg": "Ed25519", "kid": other.kid, "typ": "at+jwt"}
    return jwt.encode(header, _claims(settings), other, algorithms=TOKEN_ALGORITHMS)


def _now() -> int:
    # Read when a token is forged, not when the module is collected: a long
    # suite would otherwise reach this test after "not yet valid" had begun.
    return int(time.time())


Forge = Callable[[KeyRing, Settings], str]
ACCESS_TOKEN_CASES: list[tuple[str, Forge, str]] = [
    ("expired", lambda r, s: _signed(r, _claims(s, iat=_now() - 900, exp=_now() - 60)), "expired"),
    ("not yet valid", lambda r, s: _signed(r, _claims(s, nbf=_now() + 300)), "not yet valid"),
    ("wrong audience", lambda r, s: _signed(r, _claims(s, aud="other-hub")), "wrong audience"),
    ("wrong issuer", lambda r, s: _signed(r, _claims(s, iss="https://evil")), "wrong issuer"),
    ("alg none", lambda r, s: unsigned({"typ": "at+jwt"}, _claims(s)), "alg none"),
    ("HS256 with the public key", _hmac, "algorithm not allowed: HS256"),
    ("unknown kid", lambda r, s: _signed(r, _claims(s), kid="retired-2025"), "unknown kid"),
    ("forged signature", _stranger, "bad signature"),
]


@pytest.mark.parametrize(
    ("case", "forge", "reason"), ACCESS_TOKEN_CASES, ids=[c[0] for c in ACCESS_TOKEN_CASES]
)
async def test_bad_access_tokens_are_401_with_the_reason_only_in_the_log(
    hub: Hub, caplog: pytest.LogCaptureFixture, case: str, forge: Forge, reason: str
) -> None:
    token = forge(hub.app.state.services.keys, hub.settings)
    response = await hub.post("{ __typename }", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in _hub_auth_log(caplog)
    assert reason not in response.text
