"""`/readyz`, `/metrics`, `/audit/keys.json` and GraphiQL's assets; wiring the metrics in."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.app.edge import metrics_authorised
from hub.app.health import breaker_states, readiness
from hub.app.services import HubServices
from hub.audit.keyset import heads_jwks
from hub.auth import graphiql
from hub.keys import KeyRing
from hub.observability.metrics import HubMetrics
from hub.settings import Settings


def instrument(services: HubServices, metrics: HubMetrics) -> None:
    """Let the source loaders and the audit writer report to `metrics`."""
    services.metrics = metrics
    services.audit.on_batch = metrics.observe_audit_batch


def observability_routes(services: HubServices, metrics: HubMetrics) -> list[Route]:
    """The readiness endpoint, and /metrics unless it has a port of its own (HUB_METRICS_PORT)."""

    metrics.watch_sent_calls(
        lambda: {
            code: connector.coalescer.calls
            for code, connector in services.connectors.items()
            if connector.coalescer is not None
        }
    )

    async def readyz(_: Request) -> JSONResponse:
        ready, body = await readiness(services.database, services.connectors, services.rate_limiter)
        return JSONResponse(body, status_code=200 if ready else 503)

    routes = [Route("/readyz", readyz)]
    if services.settings.metrics_port is None:
        routes.append(metrics_route(services, metrics))
    return routes


def metrics_route(services: HubServices, metrics: HubMetrics) -> Route:
    """/metrics, behind HUB_METRICS_TOKEN when one is set (401 without it)."""

    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_authorised(services.settings, request):
            return JSONResponse(
                {"error": "unauthorized", "message": "/metrics needs the metrics bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        metrics.set_breaker_states(breaker_states(services.connectors))
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics_endpoint)


def audit_key_routes(keys: KeyRing) -> list[Route]:
    """`GET /audit/keys.json`: the public JWKS of every key that verifies tree heads.

    Published like the token keys, so anyone can check a head by its kid;
    an auditor should still pin keys obtained through a separate channel,
    since a key taken from the hub proves only that the hub agrees with itself.
    """
    body = heads_jwks(keys)

    async def audit_keys(_: Request) -> JSONResponse:
        # A new key is put first (signing) as soon as it is in the set, so
        # caches must not hold the set for long.
        return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})

    return [Route("/audit/keys.json", audit_keys, methods=["GET"])]


def graphiql_routes(settings: Settings) -> list[Route]:
    """GraphiQL's vendored assets, served where GraphiQL is (never in production by default)."""
    if not settings.graphiql_enabled:
        return []
    return [Route(f"{graphiql.ASSETS_PATH}/{{name}}", graphiql.serve_asset)]
