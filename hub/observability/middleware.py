"""Per-request observability: the request id, the request metrics, one access-log line."""

from __future__ import annotations

import json
import logging
import time
import traceback
import uuid
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.db.errors import RETRY_AFTER_S, is_database_unavailable
from hub.observability.logging import request_id_var
from hub.observability.metrics import HubMetrics, current_metrics

REQUEST_ID_HEADER = "Hub-Request-Id"
#: The endpoint label of paths no route serves (keeps label cardinality bounded).
OTHER_ENDPOINT = "other"

access_log = logging.getLogger("hub.access")
log = logging.getLogger("hub.errors")


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return request_id_var.get()


class ObservabilityMiddleware:
    """Gives each HTTP request an id, times it, counts it and logs one line.

    The hub issues the id (a client's `Hub-Request-Id` is not trusted: the id
    goes into the access log); the GraphQL views use the same one, and every
    response carries it. The line names the route, not the raw path or query
    string, so nothing a caller typed into the URL reaches the logs.

    It is also the last line of defence: an exception nothing else handled
    becomes a JSON reply carrying the id, never Starlette's plain-text 500
    (which is sent outside any middleware and so carries no id): a 503
    `DATABASE_UNAVAILABLE` with Retry-After when the hub's database could not
    be reached, else a 500 `INTERNAL_ERROR`, with the traceback in the body
    only in debug mode (which production refuses).
    """

    def __init__(
        self,
        app: ASGIApp,
        metrics: HubMetrics,
        routes: Iterable[BaseRoute],
        debug: bool = False,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.endpoints = frozenset(r.path for r in routes if isinstance(r, Route))
        self.debug = debug

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
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = MutableHeaders(scope=message)
                if REQUEST_ID_HEADER not in headers:
                    headers.append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if response_started:
                # Too late for another reply; the server closes the connection.
                log.exception("unhandled error after the response started")
                raise
            for message in self._error_reply(exc, request_id):
                await send_with_id(message)
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

    def _error_reply(self, exc: Exception, request_id: str) -> tuple[Message, Message]:
        """The start and body messages of the JSON reply to an unhandled `exc`."""
        headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        if is_database_unavailable(exc):
            log.error("request not served, database unreachable: %s", type(exc).__name__)
            headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
            status, code = 503, "DATABASE_UNAVAILABLE"
            message = "the hub's database cannot be reached; nothing was served, retry later"
        else:
            log.exception("unhandled error")
            status, code, message = 500, "INTERNAL_ERROR", "internal error"
        extensions: dict[str, object] = {"code": code, "requestId": request_id}
        if self.debug:
            extensions["traceback"] = traceback.format_exception(exc)
        body = {"data": None, "errors": [{"message": message, "extensions": extensions}]}
        return (
            {"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": json.dumps(body).encode()},
        )
