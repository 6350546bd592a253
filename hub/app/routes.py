"""`/readyz` and `/metrics`, and wiring the metrics into the hub's services."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.app.health import breaker_states, readiness
from hub.app.services import HubServices
from hub.observability.metrics import HubMetrics


def instrument(services: HubServices, metrics: HubMetrics) -> None:
    """Let the source loaders and the audit writer report to `metrics`."""
    services.metrics = metrics
    services.audit.on_batch = metrics.observe_audit_batch


def observability_routes(services: HubServices, metrics: HubMetrics) -> list[Route]:
    """The readiness and metrics endpoints of one app."""

    async def readyz(_: Request) -> JSONResponse:
        ready, body = await readiness(services.database, services.connectors, services.rate_limiter)
        return JSONResponse(body, status_code=200 if ready else 503)

    async def metrics_endpoint(_: Request) -> Response:
        metrics.set_breaker_states(breaker_states(services.connectors))
        metrics.set_sent_calls(
            {
                code: connector.coalescer.calls
                for code, connector in services.connectors.items()
                if connector.coalescer is not None
            }
        )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return [Route("/readyz", readyz), Route("/metrics", metrics_endpoint)]
