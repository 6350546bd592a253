"""authlib's authorization server, specialised for the hub and adapted to Starlette by hand.

authlib has no Starlette *server* integration, and its server is
synchronous while the hub's database is async. The split chosen here:

1. the async endpoint (`hub.oauth.endpoints`) reads the form, peeks at the
   two assertions (unverified) only to learn which client ids they name,
   and loads those clients from the database;
2. a `HubAuthorizationServer` is built *per request* around that snapshot,
   so authlib's synchronous callbacks (`query_client`, key resolution) read
   plain memory and never block the event loop, and the per-request state
   (the assertions seen) needs no globals or context variables;
3. authlib validates the request synchronously (client authentication with
   private_key_jwt, then the JWT-bearer grant); the assertions' jtis are
   then recorded asynchronously (`hub.oauth.replay`), and only then does
   authlib create the token response.

authlib's signature and claim checks are replaced by `hub.auth.jwtcheck`:
the hub allows only Ed25519 and ES256, requires a known kid, bounds the
assertions' lifetime and logs a precise reason for every refusal, while
the response carries only a generic description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion, JWTBearerGrant
from joserfc.jwk import KeySet
from starlette.responses import JSONResponse

from hub.auth import clock
from hub.auth.jwtcheck import ALGORITHM_KEYS, InvalidToken, JWTRules, Refusal, verify_jwt
from hub.auth.tokens import OFFICIAL_ID, issue_token
from hub.catalog import Catalog
from hub.keys import KeyRing
from hub.oauth.clients import AUTH_METHOD, HubClient
from hub.oauth.replay import AssertionKind, SeenAssertion
from hub.settings import Settings

#: Algorithms clients may sign their assertions with.
ASSERTION_ALGORITHMS = tuple(ALGORITHM_KEYS)
#: authlib's own client (PrivateKeyJWT) signs client assertions valid for an hour.
CLIENT_ASSERTION_MAX_LIFETIME_S = 3600
#: A grant assertion names the official: it must be fresh (RFC 7523 leaves this to the server).
GRANT_ASSERTION_MAX_LIFETIME_S = 300
ASSERTION_LEEWAY_S = 30
_JTI_MAX = 255  # the used_assertions.jti column


class HubRefusal:
    """Mixin of the hub's OAuth2 errors: a generic description for the client,
    the precise reason for the log only. It comes first among the bases, so
    its constructor fills in authlib's error with `public_description`."""

    public_description = ""
    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(description=self.public_description)  # type: ignore[call-arg]
        self.reason = reason


class ClientRefused(HubRefusal, InvalidClientError):  # type: ignore[misc]
    """Client authentication failed (401 invalid_client)."""

    status_code = 401
    public_description = "client authentication failed"


class GrantRefused(HubRefusal, InvalidGrantError):  # type: ignore[misc]
    """The JWT-bearer grant assertion is not acceptable (400 invalid_grant, RFC 7523 §3.1)."""

    public_description = "the authorization grant is not acceptable"


class RequestRefused(HubRefusal, InvalidRequestError):  # type: ignore[misc]
    """The token request itself is malformed (400 invalid_request)."""

    public_description = "the token request is malformed"


class ScopeRefused(HubRefusal, InvalidScopeError):  # type: ignore[misc]
    """The client asked for another role's scope (400 invalid_scope)."""

    public_description = "the requested scope is not available to this client"


@dataclass(frozen=True)
class OAuthConfig:
    """What the token endpoint needs from the hub's services; built once per app."""

    settings: Settings
    keys: KeyRing
    catalog: Catalog

    @property
    def token_endpoint(self) -> str:
        """The token endpoint's absolute URL."""
        return f"{self.settings.effective_public_url}/oauth/token"

    @property
    def audiences(self) -> list[str]:
        """`aud` values an assertion may carry: the issuer or the token endpoint (RFC 7523 §3)."""
        return [self.settings.effective_issuer, self.token_endpoint]


@dataclass(frozen=True, slots=True)
class Official:
    """The grant assertion's subject: the official the client acts for."""

    official_id: str


class _FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, form: Mapping[str, str]) -> None:
        self._form = dict(form)

    @property
    def data(self) -> dict[str, str]:
        return self._form

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {key: [value] for key, value in self._form.items()}


class HubOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """authlib's view of a token request, from an already parsed form.

    `uri` is the configured token endpoint URL rather than the URL the
    request arrived on: behind a TLS-terminating proxy the latter is plain
    http, which authlib's transport check would refuse.
    """

    def __init__(self, uri: str, headers: Mapping[str, str], form: Mapping[str, str]) -> None:
        super().__init__("POST", uri, headers=dict(headers))
        self.payload = _FormPayload(form)

    @property
    def form(self) -> dict[str, str]:
        """The form parameters (authlib reads the assertions from here)."""
        data: dict[str, str] = self.payload.data
        return data

    @property
    def args(self) -> dict[str, str]:
        """The token endpoint takes no query parameters."""
        return {}


class HubClientAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
    """private_key_jwt (RFC 7523 §2.2): iss = sub = client_id, signed with a registered key."""

    CLIENT_AUTH_METHOD = AUTH_METHOD

    def __init__(self, server: HubAuthorizationServer) -> None:
        super().__init__(validate_jti=True, leeway=ASSERTION_LEEWAY_S)
        self.server = server

    def get_audiences(self) -> list[str]:
        """The issuer identifier or the token endpoint URL."""
        return self.server.config.audiences

    def resolve_client_public_key(self, client: HubClient) -> KeySet:
        """The client's registered public keys."""
        return client.keys

    def process_assertion_claims(self, assertion: str, resolve_key: KeySet) -> dict[str, Any]:
        """Verify the assertion strictly (replaces authlib's check) and note its jti."""
        client: HubClient = self.server.current_client
        rules = JWTRules(
            algorithms=ASSERTION_ALGORITHMS,
            audiences=self.get_audiences(),
            issuer=client.client_id,
            required=("iss", "sub", "exp", "jti"),
            leeway_s=ASSERTION_LEEWAY_S,
            max_lifetime_s=CLIENT_ASSERTION_MAX_LIFETIME_S,
        )
        try:
            claims = verify_jwt(assertion, resolve_key, rules, now=clock.now())
        except InvalidToken as exc:
            raise ClientRefused(f"client assertion: {exc.reason}") from None
        self.server.note(AssertionKind.CLIENT, client.client_id, claims, ClientRefused)
        return claims

    def authenticate_client(self, client: HubClient) -> HubClient:
        """Accept the client if it is still usable: active, and its agency still in the catalog."""
        if not client.active:
            raise ClientRefused(f"{Refusal.CLIENT_DISABLED}: {client.client_id}")
        if client.agency is not None and self.server.config.catalog.agency(client.agency) is None:
            raise ClientRefused(
                f"{Refusal.UNREGISTERED_CLIENT}: agency {client.agency} is not in the catalog"
            )
        authenticated: HubClient = super().authenticate_client(client)
        return authenticated


class HubJWTBearerGrant(JWTBearerGrant):  # type: ignore[misc]
    """The JWT-bearer grant (RFC 7523 §2.1) from an authenticated client, naming its official."""

    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]  # noqa: RUF012 - authlib's class attribute

    def validate_token_request(self) -> None:
        """Authenticate the client first (authlib's grant does not), then check the grant."""
        self.authenticate_token_endpoint_client()
        super().validate_token_request()

    def process_assertion_claims(self, assertion: str) -> dict[str, Any]:
        """Verify the grant assertion with the authenticated client's keys and note its jti."""
        client: HubClient = self.request.client
        rules = JWTRules(
            algorithms=ASSERTION_ALGORITHMS,
            audiences=self.get_audiences(),
            # The grant must come from the client that authenticated: an
            # application cannot present another one's assertion.
            issuer=client.client_id,
            required=("iss", "sub", "exp", "jti"),
            leeway_s=ASSERTION_LEEWAY_S,
            max_lifetime_s=GRANT_ASSERTION_MAX_LIFETIME_S,
        )
        try:
            claims = verify_jwt(assertion, client.keys, rules, now=clock.now())
        except InvalidToken as exc:
            raise GrantRefused(f"grant assertion: {exc.reason}") from None
        self.server.note(AssertionKind.GRANT, client.client_id, claims, GrantRefused)
        return claims

    def get_audiences(self) -> list[str]:
        """The issuer identifier or the token endpoint URL."""
        return self.server.config.audiences  # type: ignore[no-any-return]

    def resolve_issuer_client(self, issuer: str) -> HubClient | None:
        """The client named by `iss` (already checked to be the authenticated one)."""
        return self.server.clients.get(issuer)  # type: ignore[no-any-return]

    def resolve_client_public_key(self, client: HubClient) -> KeySet:
        """The client's registered public keys."""
        return client.keys

    def authenticate_user(self, subject: str) -> Official | None:
        """The official named by `sub`, if it is a well-formed official id."""
        return Official(subject) if OFFICIAL_ID.match(subject) else None

    def has_granted_permission(self, client: HubClient, user: Official) -> bool:
        """Any official of the client: the agency vouches for its officials by signing."""
        # The hub has no registry of each agency's staff; the agency signs for
        # its official and the official's id lands in every access-log entry.
        return True

    def validate_requested_scope(self) -> None:
        """A scope, if asked for, must be the client's own role (roles never mix)."""
        scope = self.request.payload.scope
        role = self.request.client.role
        if scope and scope.split() != [str(role)]:
            raise ScopeRefused(f"{Refusal.WRONG_ROLE}: {role} client asked for scope {scope!r}")


class HubAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's server for ONE token request, around the clients loaded for it."""

    def __init__(self, config: OAuthConfig, clients: Mapping[str, HubClient]) -> None:
        # Scopes are checked per client by the grant (a client's scope is its role).
        super().__init__(scopes_supported=None)
        self.config = config
        self.clients = dict(clients)
        self.seen: list[SeenAssertion] = []
        self._current: HubClient | None = None
        self.register_grant(HubJWTBearerGrant)
        self.register_client_auth_method(AUTH_METHOD, HubClientAssertion(self))
        self.register_token_generator("default", self._generate_token)

    @property
    def current_client(self) -> HubClient:
        """The client authlib looked up last (the one the client assertion names)."""
        if self._current is None:
            raise ClientRefused("no client looked up")
        return self._current

    def query_client(self, client_id: str) -> HubClient:
        """The preloaded client; an unknown id is refused here, with its reason."""
        client = self.clients.get(client_id)
        if client is None:
            raise ClientRefused(f"{Refusal.UNREGISTERED_CLIENT}: {client_id!r}")
        self._current = client
        return client

    def note(
        self,
        kind: AssertionKind,
        client_id: str,
        claims: dict[str, Any],
        error: Callable[[str], Exception],
    ) -> None:
        """Remember a verified assertion's jti, to be recorded before the token is issued."""
        jti = claims["jti"]
        if not isinstance(jti, str) or not 0 < len(jti) <= _JTI_MAX:
            raise error(f"{kind}: {Refusal.INVALID_CLAIM}: jti")
        keep_until = int(claims["exp"]) + ASSERTION_LEEWAY_S
        self.seen.append(SeenAssertion(kind, client_id, jti, keep_until))

    def _generate_token(
        self,
        grant_type: str,
        client: HubClient,
        user: Official | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        if user is None:  # `sub` is a required claim, so this cannot happen
            raise GrantRefused(f"{Refusal.MISSING_CLAIM}: sub")
        settings = self.config.settings
        purposes: tuple[str, ...] = ()
        if client.agency is not None:
            agency = self.config.catalog.agency(client.agency)
            purposes = tuple(p.code for p in agency.purposes) if agency else ()
        token = issue_token(
            self.config.keys,
            settings,
            official=user.official_id,
            agency=client.agency,
            role=client.role,
            client_id=client.client_id,
            purposes=purposes,
            ttl_s=settings.access_token_ttl_s,
        )
        return {
            "token_type": "Bearer",
            "access_token": token,
            "expires_in": settings.access_token_ttl_s,
            "scope": str(client.role),
        }

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are self-contained JWTs: nothing to store."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's hook for framework signals; the hub logs at the endpoint instead."""

    def create_oauth2_request(self, request: HubOAuth2Request) -> HubOAuth2Request:
        """The endpoint builds the request itself (the form is read asynchronously)."""
        return request

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> JSONResponse:
        """authlib's (status, body, headers) as a Starlette response."""
        return JSONResponse(body, status_code=status, headers=dict(headers))
