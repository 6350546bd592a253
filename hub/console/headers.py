"""Security headers on every console response: CSP without inline code, no-store, no framing.

A pure ASGI middleware (rather than starlette's BaseHTTPMiddleware) so that
it also covers responses that exception handlers and static files produce,
and adds no task per request.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Everything from the hub itself, nothing inline: no `'unsafe-inline'`, no
#: `'unsafe-eval'`, no other origin. `form-action 'self'` keeps every form
#: posting to the hub; the OpenID Connect sign-in starts from a link, since
#: a form redirected to the identity provider would be blocked by it.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # Pages show personal data; a shared computer's cache must not keep them.
    # Assets too, for simplicity: they are few and small.
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    # URLs may name a person's page; never hand them to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

#: Production is served over https only (`HUB_PUBLIC_URL`): browsers remember that.
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Sets `BASE_HEADERS` (and HSTS in production) on every HTTP response, replacing any."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.headers = dict(BASE_HEADERS)
        if production:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
