"""Per-request observability: the request id, the request metrics, one access-log line."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.observability.logging import request_id_var
from hub.observability.metrics import HubMetrics, current_metrics

REQUEST_ID_HEADER = "Hub-Request-Id"
#: The endpoint label of paths no route serves (keeps label cardinality bounded).
OTHER_ENDPOINT = "other"

access_log = logging.getLogger("hub.access")


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return request_id_var.get()


class ObservabilityMiddleware:
    """Gives each HTTP request an id, times it, counts it and logs one line.

    The hub issues the id (a client's `Hub-Request-Id` is not trusted: the id
    goes into the access log); the GraphQL views use the same one, and every
    response carries it. The line names the route, not the raw path or query
    string, so nothing a caller typed into the URL reaches the logs.
    """

    def __init__(self, app: ASGIApp, metrics: HubMetrics, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.endpoints = frozenset(r.path for r in routes if isinstance(r, Route))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        id_token = request_id_var.set(request_id)
        metrics_token = current_metrics.set(self.metrics)
        path = scope.get("path", "")
        endpoint = path if path in self.endpoints else OTHER_ENDPOINT
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                if REQUEST_ID_HEADER not in headers:
                    headers.append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe_request(endpoint, status, elapsed)
            access_log.info(
                "%s %s %d",
                scope.get("method", ""),
                endpoint,
                status,
                extra={
                    "fields": {
                        "method": scope.get("method", ""),
                        "endpoint": endpoint,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    }
                },
            )
            current_metrics.reset(metrics_token)
            request_id_var.reset(id_token)
