"""The app factory: settings in, a running hub's ASGI app out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from connectors.base import BaseConnector
from hub.admin.view import AdminGraphQLView
from hub.app.edge import HeaderLimits
from hub.app.routes import (
    audit_key_routes,
    graphiql_routes,
    instrument,
    metrics_route,
    observability_routes,
)
from hub.app.services import build_services, close_services
from hub.audit.signer import HeadSigner
from hub.console.app import MOUNT_PATH, console_app
from hub.db.session import Database
from hub.oauth.endpoints import oauth_routes
from hub.oauth.server import OAuthConfig
from hub.observability.logging import configure_logging
from hub.observability.metrics import HubMetrics
from hub.observability.middleware import ObservabilityMiddleware
from hub.settings import Settings
from policies.store import PolicySource


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    connectors: Mapping[str, BaseConnector] | None = None,
    policies: PolicySource | None = None,
) -> Starlette:
    """The hub's ASGI application (services may be injected, e.g. by tests)."""
    settings = settings or Settings()
    services, view = build_services(
        settings, database=database, connectors=connectors, policies=policies
    )

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    signer = HeadSigner(services.database, services.keys, settings.audit_sign_interval_s)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        signer.start()
        try:
            yield
        finally:
            await signer.stop()
        await close_services(services)

    metrics = HubMetrics()
    instrument(services, metrics)
    routes = [
        Route("/healthz", healthz),
        *observability_routes(services, metrics),
        *audit_key_routes(services.keys),
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/admin/graphql", AdminGraphQLView(services), methods=["GET", "POST"]),
        *graphiql_routes(settings),
        *oauth_routes(
            OAuthConfig(settings, services.keys, services.catalog),
            services.database,
            services.rate_limiter,
        ),
        # The console for people (officers, auditors, citizens): server-rendered pages.
        Mount(MOUNT_PATH, app=console_app(services)),
    ]
    app = Starlette(
        # Tracebacks in error replies: development only (production refuses it).
        debug=settings.debug,
        routes=routes,
        middleware=[
            Middleware(
                ObservabilityMiddleware, metrics=metrics, routes=routes, debug=settings.debug
            ),
            # Inside the observability middleware, so that a 431 carries the id too.
            Middleware(
                HeaderLimits,
                max_bytes=settings.max_header_bytes,
                max_count=settings.max_header_count,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.metrics = metrics
    app.state.head_signer = signer
    # HUB_METRICS_PORT: /metrics is served by this app on its own listener (ssis-hub serve).
    app.state.metrics_app = (
        Starlette(routes=[metrics_route(services, metrics)])
        if settings.metrics_port is not None
        else None
    )
    return app


def create_app_from_env() -> Starlette:
    """The hub's app with settings from the environment: each worker's factory.

    `ssis-hub serve --workers N` hands uvicorn the import string
    `hub.app:create_app_from_env` (factory=True); every worker process calls
    it and builds its own services (its own AuditWriter, pools and metrics
    registry) after the parent has migrated the database once.
    """
    configure_logging()
    return create_app(Settings())
