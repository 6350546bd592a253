"""The hub's edge in the app itself: bounded request headers, a protected /metrics.

The HTTP server bounds what it buffers where it can (`ssis-hub serve` gives
h11 its limit), but httptools has no bound on the number of header fields,
and another server may be used: `HeaderLimits` enforces both bounds on every
request, whatever the server, before anything else reads a header.
"""

from __future__ import annotations

import hmac
import json

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.settings import Settings


class HeaderLimits:
    """Answers 431 to a request with too many header fields or too large a header section."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_count: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_count = max_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            if len(headers) > self.max_count:
                await self._refuse(send, f"more than {self.max_count} header fields", "count")
                return
            # Names, values and each line's ": " and CRLF, as on the wire.
            size = sum(len(name) + len(value) + 4 for name, value in headers)
            if size > self.max_bytes:
                await self._refuse(send, f"header section over {self.max_bytes} bytes", "bytes")
                return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send, what: str, limit: str) -> None:
        # The body names the bound, never the headers themselves.
        body = {
            "data": None,
            "errors": [
                {
                    "message": f"request headers too large: {what}",
                    "extensions": {
                        "code": "HEADERS_TOO_LARGE",
                        "limit": self.max_bytes if limit == "bytes" else self.max_count,
                    },
                }
            ],
        }
        await send(
            {
                "type": "http.response.start",
                "status": 431,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"cache-control", b"no-store"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


def metrics_authorised(settings: Settings, request: Request) -> bool:
    """Whether `request` may read /metrics: the bearer token when one is configured."""
    token = settings.metrics_token
    if token is None:
        return True
    scheme, _, offered = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        offered.strip().encode(), token.get_secret_value().encode()
    )
