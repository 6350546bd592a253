"""The console's ASGI app, mounted at /console by the app factory.

A Starlette app of its own so that its middleware (security headers on
every response) and its error pages apply to the console alone: the
GraphQL endpoints keep their JSON errors.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hub.console.audit_charts import chart_routes
from hub.console.audit_entries import entry_routes
from hub.console.audit_integrity import integrity_routes
from hub.console.citizen import citizen_routes
from hub.console.errors import PageError
from hub.console.headers import SecurityHeadersMiddleware
from hub.console.officer_agencies import agencies_routes
from hub.console.officer_clients import clients_routes
from hub.console.officer_consents import consents_routes
from hub.console.officer_documents import documents_routes
from hub.console.officer_policies import policies_routes
from hub.console.officer_propose import propose_routes
from hub.console.officer_simulate import simulate_routes
from hub.console.oidc import build_providers, oidc_routes
from hub.console.pages import section_routes
from hub.console.pending import SignInStore
from hub.console.rendering import Renderer
from hub.console.sessions import SessionStore
from hub.console.signin import sign_in_routes
from hub.console.state import ConsoleState, console_of
from schema.context import Services

log = logging.getLogger("hub.console")

STATIC_DIR = Path(__file__).parent / "static"
#: Where the console is mounted (its cookies' path).
MOUNT_PATH = "/console"

_HTTP_TITLES = {
    404: "Page not found",
    405: "Not allowed here",
}


def _error_page(
    request: Request, status: int, title: str, message: str, error: PageError | None = None
) -> Response:
    console = console_of(request)
    return console.renderer.page(
        request,
        "error.html",
        session=error.session if error is not None else None,
        status=status,
        title=title,
        message=message,
    )


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return _error_page(request, exc.status, exc.page_title, exc.message, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = "There is no console page at this address. Use the navigation to find yours."
    elif exc.status_code == 405:
        message = "This address does not accept that kind of request."
    else:
        message = "The request could not be handled."
    return _error_page(
        request, exc.status_code, _HTTP_TITLES.get(exc.status_code, "Request refused"), message
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("console error on %s", request.url.path, exc_info=exc)
    return _error_page(
        request,
        500,
        "Something went wrong",
        "The hub could not show this page. Nothing you did caused it; try again, and tell "
        "the hub's operators if it happens again.",
    )


def console_app(services: Services) -> Starlette:
    """The console for the hub whose services are `services`."""
    settings = services.settings
    providers = build_providers(settings)
    state = ConsoleState(
        services=services,
        sessions=SessionStore(
            services.database,
            idle_timeout_s=settings.console_idle_timeout_s,
            lifetime_s=settings.console_session_lifetime_s,
        ),
        renderer=Renderer(dev_sign_in=settings.console_dev_sign_in_enabled),
    )
    routes = [
        *sign_in_routes(providers),
        *oidc_routes(providers, SignInStore(services.database)),
        *citizen_routes(),
        *entry_routes(),
        *chart_routes(),
        *integrity_routes(),
        *agencies_routes(),
        *propose_routes(),
        *policies_routes(),
        *documents_routes(),
        *consents_routes(),
        *simulate_routes(),
        *clients_routes(),
        *section_routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware, production=settings.is_production)],
        exception_handlers={
            PageError: _page_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.console = state
    return app
