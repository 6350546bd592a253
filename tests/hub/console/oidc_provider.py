"""A minimal OpenID Connect provider on loopback, for the console's sign-in tests.

Authorization code flow only, with what the console must get right checked
strictly: a registered client and redirect URI, `state`, `nonce`, PKCE with
S256 (a plain or missing challenge is refused), client_secret_basic at the
token endpoint, one use per code. The ID token is RS256-signed with joserfc
by a key published at the JWKS endpoint. Sign-in is automatic: the claims
of whoever "signs in" next are set by the test (`sign_in_as`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "hub-console"
CLIENT_SECRET = "console-secret-for-tests"


@dataclass
class ProviderState:
    """What the provider knows and what it saw."""

    issuer: str = ""
    redirect_uris: set[str] = field(default_factory=set)
    claims: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    #: Sign ID tokens with a key the JWKS does not publish (a forged token).
    forge: bool = False
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-1"}))
    foreign_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-1"})
    )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _error(status: int, error: str) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def provider_app(state: ProviderState) -> Starlette:
    """The provider's endpoints."""

    async def metadata(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": state.issuer,
                "authorization_endpoint": f"{state.issuer}/authorize",
                "token_endpoint": f"{state.issuer}/token",
                "jwks_uri": f"{state.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse({"keys": [state.key.as_dict(private=False)]})

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        state.authorize_requests.append(params)
        if (
            params.get("client_id") != CLIENT_ID
            or params.get("redirect_uri") not in state.redirect_uris
        ):
            return _error(400, "invalid_client")
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return _error(400, "invalid_request")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return _error(400, "invalid_request")
        if not params.get("state") or not params.get("nonce"):
            return _error(400, "invalid_request")
        code = secrets.token_urlsafe(16)
        state.codes[code] = {**params, "claims": dict(state.claims)}
        query = urlencode({"code": code, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def token(request: Request) -> Response:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return _error(401, "invalid_client")
        form = dict(await _form(request))
        grant = state.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return _error(400, "invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _error(400, "invalid_grant")
        if _s256(form.get("code_verifier", "")) != grant["code_challenge"]:
            return _error(400, "invalid_grant")
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "aud": CLIENT_ID,
            "sub": grant["claims"].get("sub", "user-1"),
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["claims"],
        }
        key = state.foreign_key if state.forge else state.key
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", metadata),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
        ]
    )


async def _form(request: Request) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl((await request.body()).decode())


class OIDCProvider:
    """The provider served by uvicorn in a daemon thread at http://{host}:{port}."""

    def __init__(self, host: str = "localhost") -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.state = ProviderState(issuer=f"http://{host}:{self.port}")
        config = uvicorn.Config(
            provider_app(self.state), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def metadata_url(self) -> str:
        """The discovery document's URL."""
        return f"{self.state.issuer}/.well-known/openid-configuration"

    def sign_in_as(self, **claims: Any) -> None:
        """Whoever signs in next has these claims."""
        self.state.claims = claims

    def __enter__(self) -> OIDCProvider:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the test provider did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
