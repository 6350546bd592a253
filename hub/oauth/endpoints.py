"""The OAuth2 endpoints: POST /oauth/token and the two well-known documents.

Refusals follow RFC 6749 §5.2 and RFC 7523 §3.1: a failed client
authentication is 401 `invalid_client`, an unacceptable grant assertion
400 `invalid_grant`, a malformed request 400 `invalid_request`, another
role's scope 400 `invalid_scope`. The description is always the generic one
for the error code; the precise reason goes to the log (logger `hub.auth`).

Every token request is counted per client address and per client id named
(HUB_TOKEN_RATE_LIMITS) before any client is loaded or signature verified:
over a limit it is a 429 `temporarily_unavailable` with Retry-After. A
database that cannot be reached (clients and replayed jtis live there) is a
503 `temporarily_unavailable` with `"code": "DATABASE_UNAVAILABLE"` and
Retry-After.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import OAuth2Error
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.auth import clock
from hub.auth.jwtcheck import Refusal, peek_claims
from hub.auth.roles import Role
from hub.db.errors import RETRY_AFTER_S, is_database_unavailable
from hub.db.session import Database
from hub.oauth.clients import (
    AUTH_METHOD,
    JWT_BEARER_GRANT_TYPE,
    load_clients,
    plausible_client_id,
)
from hub.oauth.replay import AssertionKind, ReplayedAssertion, record_assertions
from hub.oauth.server import (
    ASSERTION_ALGORITHMS,
    ClientRefused,
    GrantRefused,
    HubAuthorizationServer,
    HubOAuth2Request,
    OAuthConfig,
    RequestRefused,
)
from hub.ratelimit import RateLimited, RateLimiter
from hub.ratelimit.windows import Counter, token_address_counters, token_client_counters

log = logging.getLogger("hub.auth")

MAX_FORM_BYTES = 16 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PUBLIC_DESCRIPTIONS = {
    "invalid_client": "client authentication failed",
    "invalid_grant": "the authorization grant is not acceptable",
    "invalid_request": "the token request is malformed",
    "invalid_scope": "the requested scope is not available to this client",
    "unauthorized_client": "the client may not use this grant type",
    "unsupported_grant_type": f"the only grant type is {JWT_BEARER_GRANT_TYPE}",
}


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form of a token request; each parameter at most once (RFC 6749 §3.2)."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise RequestRefused(f"content type {content_type!r}, not a urlencoded form")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise RequestRefused(f"form larger than {MAX_FORM_BYTES} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestRefused(f"form does not parse: {type(exc).__name__}") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise RequestRefused(f"parameter {name!r} repeated")
        form[name] = value
    return form


def _named_clients(form: dict[str, str]) -> set[str]:
    """Client ids the assertions claim to come from, unverified: only to know what to load."""
    names = {
        peek_claims(form.get("client_assertion", "")).get("sub"),
        peek_claims(form.get("assertion", "")).get("iss"),
    }
    return {name for name in names if isinstance(name, str) and plausible_client_id(name)}


class TokenEndpoint:
    """POST /oauth/token: the JWT-bearer grant with private_key_jwt client authentication."""

    def __init__(
        self, config: OAuthConfig, database: Database, rate_limiter: RateLimiter | None = None
    ) -> None:
        self.config = config
        self.database = database
        self.rate_limiter = rate_limiter

    async def handle(self, request: Request) -> Response:
        """Count the request, validate it with authlib, record the assertions' jtis, issue."""
        named: set[str] = set()
        limits = self.config.settings.token_rate_limits
        address = request.client.host if request.client is not None else None
        try:
            # Per address before the body is even read, so a flood of bodies
            # (malformed ones too, which are still refused as such) costs one
            # counter each, not the parser; per client once the form names
            # them, before any client is loaded or signature verified. The
            # names are unverified: they are what an abuser controls, and
            # the per-address counter caps requests naming ever new ones.
            await self._count(token_address_counters(limits, address))
            form = await read_form(request)
            named = _named_clients(form)
            await self._count(token_client_counters(limits, named))
            clients = await load_clients(self.database, named)
            server = HubAuthorizationServer(self.config, clients)
            oauth_request = HubOAuth2Request(self.config.token_endpoint, request.headers, form)
            grant = server.get_token_grant(oauth_request)
            grant.validate_token_request()
            await self._record(server)
            status, body, headers = grant.create_token_response()
        except RateLimited as limited:
            return self._throttled(limited, address, named)
        except OAuth2Error as error:
            return self._refused(error, named)
        except Exception as exc:
            # Loading the clients or recording the assertions' jtis needs the
            # database: an outage is the hub's, and RFC 6749's
            # temporarily_unavailable with a 503 says so.
            if not is_database_unavailable(exc):
                raise
            return self._unavailable(exc)
        client, official = grant.request.client, grant.request.user
        log.info(
            "issued an access token to client %s (role %s) for official %s",
            client.client_id,
            client.role,
            official.official_id,
        )
        response: Response = server.handle_response(status, body, headers)
        return response

    async def _count(self, wanted: list[Counter]) -> None:
        if self.rate_limiter is not None and wanted:
            await self.rate_limiter.hit_counters(wanted)

    async def _record(self, server: HubAuthorizationServer) -> None:
        try:
            await record_assertions(self.database, server.seen, now=clock.now())
        except ReplayedAssertion as exc:
            reason = f"{Refusal.REPLAYED}: {exc}"
            if exc.seen.kind is AssertionKind.CLIENT:
                raise ClientRefused(reason) from None
            raise GrantRefused(reason) from None

    def _refused(self, error: Any, named: set[str]) -> JSONResponse:
        reason = getattr(error, "reason", None) or f"{error.error}: {error.description}"
        log.warning(
            "token request refused (%s, client %s): %s",
            error.error,
            ", ".join(sorted(named)) or "unnamed",
            reason,
        )
        # invalid_client is always 401, also when authlib itself raised it
        # (it defaults to 400 unless HTTP Basic was used).
        status = 401 if error.error == "invalid_client" else int(error.status_code)
        description = _PUBLIC_DESCRIPTIONS.get(error.error, "the token request was refused")
        return JSONResponse(
            {"error": error.error, "error_description": description},
            status_code=status,
            headers=_NO_STORE,
        )

    def _unavailable(self, exc: Exception) -> JSONResponse:
        log.error("token request not served, database unreachable: %s", type(exc).__name__)
        return JSONResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": "the hub's database cannot be reached; retry later",
                "code": "DATABASE_UNAVAILABLE",
            },
            status_code=503,
            headers={**_NO_STORE, "Retry-After": str(RETRY_AFTER_S)},
        )

    def _throttled(
        self, limited: RateLimited, address: str | None, named: set[str]
    ) -> JSONResponse:
        log.warning(
            "token request refused (%s, client %s, address %s): %s",
            limited.limit,
            ", ".join(sorted(named)) or "unnamed",
            address or "unknown",
            limited,
        )
        # 429 (RFC 6585), not the 503 RFC 6749 has in mind for
        # temporarily_unavailable: it is this client's or address's rate that
        # is refused, not the hub that is down; a 503 would set off health
        # checks and load balancers and tell the caller to blame the hub.
        # The error code is still RFC 6749's (§5.2 has none for rate limits),
        # so OAuth client libraries parse the body as an ordinary refusal.
        return JSONResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": (
                    f"too many token requests; retry after {limited.retry_after} s"
                ),
            },
            status_code=429,
            headers={**_NO_STORE, "Retry-After": str(limited.retry_after)},
        )


def authorization_server_metadata(config: OAuthConfig) -> dict[str, Any]:
    """The RFC 8414 metadata document."""
    base = config.settings.effective_public_url
    return {
        "issuer": config.settings.effective_issuer,
        "token_endpoint": config.token_endpoint,
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": [JWT_BEARER_GRANT_TYPE],
        "token_endpoint_auth_methods_supported": [AUTH_METHOD],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        "scopes_supported": [str(role) for role in Role],
        # No authorization endpoint: there is no response type to offer.
        "response_types_supported": [],
    }


def oauth_routes(
    config: OAuthConfig, database: Database, rate_limiter: RateLimiter | None = None
) -> list[Route]:
    """The OAuth2 routes, for the app factory; token requests count on `rate_limiter` if any."""
    token = TokenEndpoint(config, database, rate_limiter)
    # Caches must not hold the key set for long: a new key is published
    # (second in the set) at least this long before it starts signing.
    cached = {"Cache-Control": "public, max-age=300"}

    async def metadata(_: Request) -> Response:
        return JSONResponse(authorization_server_metadata(config), headers=cached)

    async def jwks(_: Request) -> Response:
        return JSONResponse(config.keys.public_token_jwks(), headers=cached)

    return [
        Route("/oauth/token", token.handle, methods=["POST"]),
        Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    ]
