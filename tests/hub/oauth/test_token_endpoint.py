"""POST /oauth/token: tokens for honest clients, refusals (with logged reasons) for the rest."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from joserfc import jwt

from hub.auth.roles import Role
from hub.auth.tokens import verify_token
from tests.hub.oauth.conftest import AGENCY, TokenHub
from tests.hub.oauth.forge import (
    AssertionPair,
    ClientKeys,
    hmac_with_public_key,
    token_form,
    unsigned,
)


def hub_auth_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged on `hub.auth`."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hub.auth")


@dataclass
class Ctx:
    """One negative case's world: the hub, a registered client, its keys and fresh claims."""

    hub: TokenHub
    keys: ClientKeys
    client_id: str
    pair: AssertionPair

    def honest(self, **extra: str) -> dict[str, str]:
        """A valid request form (fresh jtis each call)."""
        return token_form(
            self.keys.sign(self.pair.client_claims()),
            self.keys.sign(self.pair.grant_claims()),
            **extra,
        )

    def with_client(self, client_assertion: str) -> dict[str, str]:
        """A valid grant with the given client assertion."""
        return token_form(client_assertion, self.keys.sign(self.pair.grant_claims()))

    def with_grant(self, assertion: str) -> dict[str, str]:
        """A valid client assertion with the given grant assertion."""
        return token_form(self.keys.sign(self.pair.client_claims()), assertion)


Build = Callable[[Ctx], Awaitable[dict[str, str]]]


def claims(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`base` with some claims changed (None removes one)."""
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not None}


async def replayed_client_assertion(ctx: Ctx) -> dict[str, str]:
    client_assertion = ctx.keys.sign(ctx.pair.client_claims())
    first = await ctx.hub.post_token(ctx.with_client(client_assertion))
    assert first.status_code == 200, first.text
    return ctx.with_client(client_assertion)


async def replayed_grant_assertion(ctx: Ctx) -> dict[str, str]:
    assertion = ctx.keys.sign(ctx.pair.grant_claims())
    first = await ctx.hub.post_token(ctx.with_grant(assertion))
    assert first.status_code == 200, first.text
    return ctx.with_grant(assertion)


def client_case(change: Callable[[Ctx], str]) -> Build:
    async def build(ctx: Ctx) -> dict[str, str]:
        return ctx.with_client(change(ctx))

    return build


def grant_case(change: Callable[[Ctx], str]) -> Build:
    async def build(ctx: Ctx) -> dict[str, str]:
        return ctx.with_grant(change(ctx))

    return build


def _signed_client(ctx: Ctx, **changes: Any) -> str:
    return ctx.keys.sign(claims(ctx.pair.client_claims(), **changes))


def _signed_grant(ctx: Ctx, **changes: Any) -> str:
    return ctx.keys.sign(claims(ctx.pair.grant_claims(), **changes))


async def unregistered(ctx: Ctx) -> dict[str, str]:
    ghost = AssertionPair("GHOST_APP")
    return token_form(ctx.keys.sign(ghost.client_claims()), ctx.keys.sign(ghost.grant_claims()))


async def other_roles_scope(ctx: Ctx) -> dict[str, str]:
    return ctx.honest(scope=str(Role.AUDITOR))


def _now() -> int:
    # Read when an assertion is forged, not when the module is collected: a
    # suite longer than five minutes reached these cases after "not yet
    # valid" (the module-level NOW + 300) had begun.
    return AssertionPair("x").now


CLIENT_CASES: list[tuple[str, Build, str]] = [
    ("replay", replayed_client_assertion, "replayed assertion"),
    (
        "expired",
        client_case(lambda c: _signed_client(c, iat=_now() - 300, exp=_now() - 120)),
        "expired",
    ),
    ("not yet valid", client_case(lambda c: _signed_client(c, nbf=_now() + 300)), "not yet valid"),
    (
        "issued in the future",
        client_case(lambda c: _signed_client(c, iat=_now() + 300)),
        "not yet valid",
    ),
    (
        "wrong audience",
        client_case(lambda c: _signed_client(c, aud="https://elsewhere.example/token")),
        "wrong audience",
    ),
    ("wrong issuer", client_case(lambda c: _signed_client(c, iss="SOMEONE_ELSE")), "wrong issuer"),
    (
        "alg none",
        client_case(lambda c: unsigned({"kid": c.keys.kid}, c.pair.client_claims())),
        "alg none",
    ),
    (
        "HS256 with the public key",
        client_case(
            lambda c: hmac_with_public_key(c.keys.key, {"kid": c.keys.kid}, c.pair.client_claims())
        ),
        "algorithm not allowed: HS256",
    ),
    (
        "unknown kid",
        client_case(lambda c: ClientKeys.ed25519("not-registered").sign(c.pair.client_claims())),
        "unknown kid",
    ),
    (
        "signed by another key with the same kid",
        client_case(lambda c: ClientKeys.ed25519(c.keys.kid).sign(c.pair.client_claims())),
        "bad signature",
    ),
    (
        "lifetime too long",
        client_case(lambda c: _signed_client(c, exp=_now() + 7200)),
        "lifetime too long",
    ),
    ("unregistered client", unregistered, "unregistered client"),
]

GRANT_CASES: list[tuple[str, Build, str]] = [
    ("replay", replayed_grant_assertion, "replayed assertion"),
    (
        "expired",
        grant_case(lambda c: _signed_grant(c, iat=_now() - 300, exp=_now() - 120)),
        "expired",
    ),
    ("not yet valid", grant_case(lambda c: _signed_grant(c, nbf=_now() + 300)), "not yet valid"),
    (
        "wrong audience",
        grant_case(lambda c: _signed_grant(c, aud="https://elsewhere.example")),
        "wrong audience",
    ),
    (
        "wrong issuer",
        grant_case(lambda c: _signed_grant(c, iss="COMMUNITY_CENTRE")),
        "wrong issuer",
    ),
    (
        "alg none",
        grant_case(lambda c: unsigned({"kid": c.keys.kid}, c.pair.grant_claims())),
        "alg none",
    ),
    (
        "HS256 with the public key",
        grant_case(
            lambda c: hmac_with_public_key(c.keys.key, {"kid": c.keys.kid}, c.pair.grant_claims())
        ),
        "algorithm not allowed: HS256",
    ),
    (
        "unknown kid",
        grant_case(lambda c: ClientKeys.ed25519("not-registered").sign(c.pair.grant_claims())),
        "unknown kid",
    ),
    (
        "lifetime over five minutes",
        grant_case(lambda c: _signed_grant(c, exp=_now() + 3600)),
        "lifetime too long",
    ),
    ("no official", grant_case(lambda c: _signed_grant(c, sub=None)), "missing claim: sub"),
    ("malformed official", grant_case(lambda c: _signed_grant(c, sub="kim 01")), "'sub'"),
]


async def _refused(
    token_hub: TokenHub,
    caplog: pytest.LogCaptureFixture,
    build: Build,
    status: int,
    error: str,
    reason: str,
) -> None:
    keys = ClientKeys.ed25519()
    client_id = await token_hub.register(keys)
    ctx = Ctx(token_hub, keys, client_id, AssertionPair(client_id))
    form = await build(ctx)
    caplog.clear()
    response = await token_hub.post_token(form)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert reason in hub_auth_log(caplog)
    assert reason not in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("case", "build", "reason"), CLIENT_CASES, ids=[c[0] for c in CLIENT_CASES]
)
async def test_bad_client_assertion_is_401_invalid_client(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture, case: str, build: Build, reason: str
) -> None:
    await _refused(token_hub, caplog, build, 401, "invalid_client", reason)


@pytest.mark.parametrize(("case", "build", "reason"), GRANT_CASES, ids=[c[0] for c in GRANT_CASES])
async def test_bad_grant_assertion_is_400_invalid_grant(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture, case: str, build: Build, reason: str
) -> None:
    await _refused(token_hub, caplog, build, 400, "invalid_grant", reason)


async def test_another_roles_scope_is_400_invalid_scope(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture
) -> None:
    await _refused(token_hub, caplog, other_roles_scope, 400, "invalid_scope", "wrong role")


async def test_token_names_client_role_agency_official_and_purposes(token_hub: TokenHub) -> None:
    keys = ClientKeys.ed25519()
    client_id = await token_hub.register(keys)
    pair = AssertionPair(client_id, official="lee.07")
    response = await token_hub.post_token(
        token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()))
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 600, "agency")
    assert response.headers["cache-control"] == "no-store"
    services = token_hub.config
    principal = verify_token(services.keys, token_hub.settings, body["access_token"])
    agency = services.catalog.agency(AGENCY)
    assert agency is not None and services.keys.token_signing is not None
    assert principal.role is Role.AGENCY
    assert (principal.agency, principal.official, principal.client_id) == (
        AGENCY,
        "lee.07",
        client_id,
    )
    assert principal.purposes == tuple(p.code for p in agency.purposes)
    decoded = jwt.decode(
        body["access_token"], services.keys.token_verification, algorithms=["Ed25519"]
    )
    assert decoded.header["kid"] == services.keys.token_signing.kid
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["exp"] - decoded.claims["iat"] == 600
    assert decoded.claims["iss"] == "https://hub.test"


async def test_es256_client_and_issuer_audience_are_accepted(token_hub: TokenHub) -> None:
    keys = ClientKeys.es256()
    client_id = await token_hub.register(keys, code="AUDIT_TOOL", role=Role.AUDITOR)
    pair = AssertionPair(client_id, official="park.02", audience="https://hub.test")
    response = await token_hub.post_token(
        token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()), scope="auditor")
    )
    assert response.status_code == 200, response.text
    services = token_hub.config
    principal = verify_token(services.keys, token_hub.settings, response.json()["access_token"])
    assert (principal.role, principal.agency, principal.purposes) == (Role.AUDITOR, "", ())


async def test_grant_assertion_of_another_client_is_refused(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture
) -> None:
    mine, theirs = ClientKeys.ed25519(), ClientKeys.ed25519()
    my_id = await token_hub.register(mine)
    their_id = await token_hub.register(theirs, code="COMMUNITY_CENTRE")
    form = token_form(
        mine.sign(AssertionPair(my_id).client_claims()),
        theirs.sign(AssertionPair(their_id).grant_claims()),
    )
    response = await token_hub.post_token(form)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert "unknown kid" in hub_auth_log(caplog)


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}, 401, "invalid_client"),
    ],
)
async def test_incomplete_requests_are_refused(
    token_hub: TokenHub, form: dict[str, str], status: int, error: str
) -> None:
    response = await token_hub.post_token(form)
    assert (response.status_code, response.json()["error"]) == (status, error)


async def test_malformed_requests_are_400_invalid_request(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture
) -> None:
    as_json = await token_hub.client.post("/oauth/token", json={"grant_type": "x"})
    repeated = await token_hub.client.post(
        "/oauth/token",
        content="grant_type=a&grant_type=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    for response in (as_json, repeated):
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "repeated" in hub_auth_log(caplog)
    assert (await token_hub.client.get("/oauth/token")).status_code == 405


async def test_successful_request_is_logged_with_the_official(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.auth")
    keys = ClientKeys.ed25519()
    await token_hub.token_for(keys, await token_hub.register(keys), official="choi.3")
    assert "to client LOCAL_WELFARE (role agency) for official choi.3" in hub_auth_log(caplog)


async def test_metadata_and_jwks_are_published(token_hub: TokenHub) -> None:
    metadata = (await token_hub.client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == "https://hub.test"
    assert metadata["token_endpoint"] == "https://hub.test/oauth/token"
    assert metadata["jwks_uri"] == "https://hub.test/.well-known/jwks.json"
    assert metadata["grant_types_supported"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert metadata["token_endpoint_auth_signing_alg_values_supported"] == ["Ed25519", "ES256"]
    assert set(metadata["scopes_supported"]) == {str(role) for role in Role}
    jwks = (await token_hub.client.get("/.well-known/jwks.json")).json()
    signing = token_hub.config.keys.token_signing
    assert signing is not None
    assert [k["kid"] for k in jwks["keys"]] == [signing.kid]
    assert all("d" not in key for key in jwks["keys"])
