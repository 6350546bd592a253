"""Signing in through OpenID Connect: authorization code with PKCE (S256), state and nonce.

authlib's Starlette client does the protocol: discovery from the provider's
metadata URL, the authorization redirect with `state`, `nonce` and an S256
code challenge, and at the callback the state check, the code exchange with
the verifier and the ID token's verification (signature by the provider's
published keys, issuer, audience, expiry, nonce). The console adds where
authlib's state lives between the two (`pending.py`, bound to the browser
by a cookie), the mapping of claims to a hub role and official
(`claims.py`), and the session that follows (`sessions.py`).

The redirect URI is built from `HUB_PUBLIC_URL`, never from the request's
Host header, and is the one to register at the provider:
`{HUB_PUBLIC_URL}/console/sign-in/oidc/{staff|citizen}/callback`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc.errors import JoseError

with warnings.catch_warnings():
    # authlib 1.9 would rather run on the `httpx2` fork and warns once when it
    # falls back to httpx, which the hub uses everywhere else.
    warnings.filterwarnings(
        "ignore", "The httpx module is deprecated", category=AuthlibDeprecationWarning
    )
    from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console.claims import ClaimsRefused, citizen_from_claims, official_from_claims
from hub.console.cookies import SESSION, SIGN_IN
from hub.console.errors import BadRequest, Forbidden, NotFound, Unavailable
from hub.console.navigation import SECTION_OF_ROLE
from hub.console.pending import SignInStore
from hub.console.sessions import ConsoleUser
from hub.console.state import console_of
from hub.console.targets import landing, safe_next
from hub.settings import OIDCProvider, Settings

log = logging.getLogger("hub.console")

#: The officials' provider and the citizens' (their keys in URLs and in `sign_in`).
STAFF = "staff"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Provider:
    """A configured provider and authlib's client for it."""

    key: str
    settings: OIDCProvider
    client: Any
    to_user: Callable[[OIDCProvider, str, Mapping[str, Any]], ConsoleUser]

    @property
    def label(self) -> str:
        """What the sign-in button says."""
        return f"Sign in with {self.settings.name}"


def build_providers(settings: Settings) -> dict[str, Provider]:
    """authlib clients for the providers the settings configure (none by default)."""
    oauth = OAuth()
    providers: dict[str, Provider] = {}
    for key, configured, to_user in (
        (STAFF, settings.console_oidc, official_from_claims),
        (CITIZEN, settings.console_citizen_oidc, citizen_from_claims),
    ):
        if configured is None:
            continue
        secret = configured.client_secret
        client_kwargs: dict[str, Any] = {
            "scope": configured.scopes,
            "code_challenge_method": "S256",
            "timeout": 10.0,
        }
        if secret is None:
            # A public client: PKCE is its proof at the token endpoint.
            client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 - a method
        client = oauth.register(
            name=key,
            server_metadata_url=configured.metadata_url,
            client_id=configured.client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            client_kwargs=client_kwargs,
        )
        providers[key] = Provider(key, configured, client, to_user)
    return providers


def callback_url(settings: Settings, key: str) -> str:
    """The redirect URI registered at the provider for `key`."""
    return f"{settings.effective_public_url}/console/sign-in/oidc/{key}/callback"


def oidc_routes(providers: Mapping[str, Provider], sign_ins: SignInStore) -> list[Route]:
    """The start and callback of each provider's sign-in."""

    def provider_of(request: Request) -> Provider:
        provider = providers.get(request.path_params["provider"])
        if provider is None:
            raise NotFound("No such sign-in is configured.")
        return provider

    async def start(request: Request) -> Response:
        provider = provider_of(request)
        console = console_of(request)
        # authlib writes its state here; it is kept in `console_sign_ins`.
        request.scope["session"] = {}
        try:
            redirect: Response = await provider.client.authorize_redirect(
                request, callback_url(console.services.settings, provider.key)
            )
        except (httpx.HTTPError, AuthlibBaseError, ValueError, RuntimeError) as exc:
            log.warning("console sign-in at %s could not start: %s", provider.key, exc)
            raise Unavailable(
                "The identity provider cannot be reached. Try again in a few minutes."
            ) from None
        token = await sign_ins.put(
            provider.key,
            {"authlib": request.scope["session"], "next": safe_next(request.query_params)},
        )
        SIGN_IN.set(redirect, token, console.secure_cookies)
        return redirect

    async def callback(request: Request) -> Response:
        provider = provider_of(request)
        console = console_of(request)
        secure = console.secure_cookies
        token = SIGN_IN.read(request, secure)
        kept = await sign_ins.take(provider.key, token) if token is not None else None
        if kept is None:
            raise BadRequest(
                "This sign-in was not started in this browser, was used already, or took "
                "longer than ten minutes. Start again from the sign-in page.",
                title="Sign-in could not be completed",
            )
        request.scope["session"] = kept["authlib"]
        try:
            answer = await provider.client.authorize_access_token(request)
        except httpx.HTTPError as exc:
            log.warning("console sign-in at %s: provider unreachable: %s", provider.key, exc)
            raise Unavailable("The identity provider cannot be reached.") from None
        except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
            log.warning("console sign-in at %s refused: %r", provider.key, exc)
            raise BadRequest(
                "The identity provider's answer could not be verified, so you are not signed "
                "in. Start again from the sign-in page.",
                title="Sign-in could not be completed",
            ) from None
        claims = answer.get("userinfo")
        if not claims:
            raise BadRequest(
                "The identity provider sent no ID token.", title="Sign-in could not be completed"
            )
        try:
            user = provider.to_user(provider.settings, provider.key, claims)
        except ClaimsRefused as exc:
            log.warning("console sign-in at %s refused: %s", provider.key, exc)
            raise Forbidden(str(exc), title="Signed in, but not to this console") from None
        session = await console.sessions.create(user)
        log.info(
            "console session %s began: %s %s via %s",
            session.ref[:12],
            user.role,
            user.official,
            provider.key,
        )
        target = landing(SECTION_OF_ROLE[user.role].home, kept.get("next"))
        # A page, not a redirect: the browser arrived here from the provider's
        # site, and a redirect would keep that cross-site context, in which it
        # withholds the SameSite=Strict session cookie; the page's own
        # navigation onward (a meta refresh, no script) is same-site.
        response = console.renderer.page(
            request, "continue.html", session=session, target=target, title="Signed in"
        )
        SESSION.set(
            response, session.token, secure, max_age=int(console.sessions.lifetime.total_seconds())
        )
        SIGN_IN.clear(response, secure)
        return response

    return [
        Route("/sign-in/oidc/{provider}", start, methods=["GET"]),
        Route("/sign-in/oidc/{provider}/callback", callback, methods=["GET"]),
    ]
