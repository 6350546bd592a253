"""The agencies' GraphQL endpoint: authenticate, execute, record, then answer.

The order is the point: a response carrying data is built only after the
access log entries for it are committed. If the commit fails the client gets
a 503 and none of the data.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from hub.audit.access_log import AccessFacts, AuditUnavailable, PersonOutcome, commit_access
from hub.auth.roles import Role, RoleRefused, require_role
from hub.auth.tokens import InvalidToken, verify_token
from hub.db.models import utcnow
from schema.build import HubSchema
from schema.context import HubContext, HubServices

log = logging.getLogger("hub.graphql")

PURPOSE_HEADER = "Hub-Purpose"
CASE_HEADER = "Hub-Case-Ref"
REQUEST_ID_HEADER = "Hub-Request-Id"


def _facts(context: HubContext) -> AccessFacts:
    grant = context.grant
    suppressed_until = None
    if grant is not None and grant.suppressed:
        suppressed_until = utcnow() + dt.timedelta(days=grant.suppression_days)
    return AccessFacts(
        request_id=context.request_id,
        agency=context.principal.agency,
        official=context.principal.official,
        purpose=context.purpose or "",
        case_ref=context.case_ref or "",
        client_addr=context.client_addr,
        policy_version=context.policy.version,
        legal_basis=grant.legal_basis if grant is not None else None,
        query_hash=context.query_hash,
        suppressed_until=suppressed_until,
    )


def _outcomes(context: HubContext) -> list[PersonOutcome]:
    grant = context.grant
    outcomes = []
    for rrn, access in context.access.persons.items():
        released: dict[str, dict[str, str]] = {}
        for type_name in access.released:
            releases = grant.releases.get(type_name, {}) if grant is not None else {}
            released[type_name] = {
                name: releases[name].form if name in releases else "full"
                for name in sorted(context.plan.fields.get(type_name, ()))
            }
        outcomes.append(
            PersonOutcome(
                rrn=rrn,
                released=released,
                refused=dict(access.refused),
                consent_ids=sorted(access.consents),
            )
        )
    return outcomes


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


class HubGraphQLView(GraphQL[HubContext, None]):
    """strawberry's ASGI view with the hub's authentication and audit around it."""

    def __init__(self, services: HubServices, hub_schema: HubSchema) -> None:
        settings = services.settings
        super().__init__(
            hub_schema.schema,
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
            response = await self._get(request)
        else:
            try:
                response = await self.run(request)
            except InvalidToken as exc:
                # The reason goes to the log only: telling a caller why its
                # forged token failed helps the forger.
                log.warning("token refused: %s", exc.reason)
                response = JSONResponse(
                    _error_body("missing or invalid bearer token", "UNAUTHENTICATED"),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            except RoleRefused:
                # A valid token of another role (privacy officer, auditor...):
                # this endpoint serves agencies only. The reason is logged by
                # require_role.
                response = JSONResponse(
                    _error_body("this endpoint does not serve the token's role", "FORBIDDEN_ROLE"),
                    status_code=403,
                )
            except AuditUnavailable as exc:
                log.error("access log unavailable, response withheld: %s", exc)
                response = JSONResponse(
                    _error_body(
                        "the access log cannot be written; no data was released",
                        "AUDIT_UNAVAILABLE",
                    ),
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
            except HTTPException as exc:
                response = JSONResponse(
                    _error_body(exc.reason, "BAD_REQUEST"), status_code=exc.status_code
                )
        await response(scope, receive, send)

    async def _get(self, request: Request) -> Response:
        # Queries travel by POST only; GET serves GraphiQL where it is enabled.
        if self.graphql_ide and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self.graphql_ide_html)
        return JSONResponse(
            _error_body("send GraphQL operations with POST", "METHOD_NOT_ALLOWED"),
            status_code=405,
            headers={"Allow": "POST"},
        )

    async def get_context(self, request: Request, response: Any) -> HubContext:  # type: ignore[override]
        """Authenticate the caller and gather the request's accountable context."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("no bearer token")
        services = self.services
        principal = require_role(
            verify_token(services.keys, services.settings, token.strip()), Role.AGENCY
        )
        request_id = str(uuid.uuid4())
        response.headers[REQUEST_ID_HEADER] = request_id
        context = HubContext(
            services=services,
            principal=principal,
            request_id=request_id,
            purpose=request.headers.get(PURPOSE_HEADER, "").strip() or None,
            case_ref=request.headers.get(CASE_HEADER, "").strip() or None,
            client_addr=request.client.host if request.client else None,
        )
        context.policy = await services.policies.current()
        request.state.hub_context = context
        return context

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Commit the audit entries, then let the response go."""
        context: HubContext | None = getattr(request.state, "hub_context", None)
        if context is not None and context.access.persons:
            await commit_access(
                self.services.audit, self.services.keys, _facts(context), _outcomes(context)
            )
        return await super().process_result(request, result)
