"""The administrative GraphQL endpoint (/admin/graphql): officers, channels, auditors, portal.

It is a separate endpoint with its own schema, so nothing an agency can
reach leads here: the view refuses agencies' tokens before anything
executes, and each field then admits only the roles it names.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from hub.admin.context import AdminContext
from hub.admin.schema import build_admin_schema
from hub.auth.roles import Role, RoleRefused, require_role
from hub.auth.tokens import InvalidToken, verify_token
from schema.context import HubServices
from schema.view import CASE_HEADER

log = logging.getLogger("hub.admin")

#: The roles this endpoint serves; which field each may use is declared per field.
ADMIN_ROLES = (Role.PRIVACY_OFFICER, Role.CONSENT_MANAGER, Role.AUDITOR, Role.CITIZEN_PORTAL)
REQUEST_ID_HEADER = "Hub-Request-Id"


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


class AdminGraphQLView(GraphQL[AdminContext, None]):
    """strawberry's ASGI view with the hub's bearer-token and role checks in front."""

    def __init__(self, services: HubServices) -> None:
        settings = services.settings
        super().__init__(
            build_admin_schema(introspection=settings.introspection_enabled),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
        )
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (websockets are not offered)."""
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response: Response
        if request.method == "GET":
            response = self._get(request)
        else:
            try:
                response = await self.run(request)
            except InvalidToken as exc:
                # The reason goes to the log only, as on the agencies' endpoint.
                log.warning("token refused: %s", exc.reason)
                response = JSONResponse(
                    _error_body("missing or invalid bearer token", "UNAUTHENTICATED"),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            except RoleRefused:
                # An agency's valid token: agencies have their own endpoint
                # (require_role logged it).
                response = JSONResponse(
                    _error_body("this endpoint does not serve the token's role", "FORBIDDEN_ROLE"),
                    status_code=403,
                )
            except HTTPException as exc:
                response = JSONResponse(
                    _error_body(exc.reason, "BAD_REQUEST"), status_code=exc.status_code
                )
        await response(scope, receive, send)

    def _get(self, request: Request) -> Response:
        # Operations travel by POST only; GET serves GraphiQL where it is enabled.
        if self.graphql_ide and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self.graphql_ide_html)
        return JSONResponse(
            _error_body("send GraphQL operations with POST", "METHOD_NOT_ALLOWED"),
            status_code=405,
            headers={"Allow": "POST"},
        )

    async def get_context(self, request: Request, response: Any) -> AdminContext:  # type: ignore[override]
        """Authenticate the caller and refuse any role the endpoint does not serve."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("no bearer token")
        services = self.services
        principal = require_role(
            verify_token(services.keys, services.settings, token.strip()), *ADMIN_ROLES
        )
        request_id = str(uuid.uuid4())
        response.headers[REQUEST_ID_HEADER] = request_id
        return AdminContext(
            services=services,
            principal=principal,
            request_id=request_id,
            case_ref=request.headers.get(CASE_HEADER, "").strip() or None,
            client_addr=request.client.host if request.client else None,
        )
