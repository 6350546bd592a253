"""The hub's GraphQL endpoints' common front: bearer tokens, roles, error replies.

Both the agencies' endpoint and the administrative one are strawberry ASGI
views behind the same door: GET serves GraphiQL (where enabled) and nothing
else; POST needs a valid bearer token of a role the endpoint serves; and the
failures that happen before or after execution become JSON replies with a
stable `extensions.code` and the right status.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Generic, TypeVar

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from hub.audit.writer import AuditUnavailable
from hub.auth import graphiql
from hub.auth.outage import note_errors, raise_if_failed, watching
from hub.auth.request_body import decode_body
from hub.auth.revocation import ClientRevocations
from hub.auth.roles import Role, RoleRefused, require_role
from hub.auth.tokens import InvalidToken, Principal, VerifiedSignatures, verify_token
from hub.db.errors import RETRY_AFTER_S, DatabaseUnavailable, is_database_unavailable
from hub.keys import KeyRing
from hub.observability.logging import request_id_var
from hub.ratelimit import RateLimited
from hub.settings import Settings

log = logging.getLogger("hub.graphql")

CASE_HEADER = "Hub-Case-Ref"
REQUEST_ID_HEADER = "Hub-Request-Id"

ContextT = TypeVar("ContextT")


class BodyTooLarge(Exception):
    """The request body is over HUB_MAX_BODY_BYTES."""


class RequestTimedOut(Exception):
    """Execution took longer than HUB_REQUEST_TIMEOUT_S; nothing is released."""


class RequestRefused(Exception):
    """Refused before execution with its own code, status and details (an untrusted document)."""

    def __init__(self, message: str, code: str, http_status: int, /, **details: Any) -> None:
        super().__init__(message)
        self.message, self.code, self.http_status, self.details = (
            message,
            code,
            http_status,
            details,
        )


def error_body(message: str, code: str) -> dict[str, Any]:
    """A GraphQL-shaped error reply carrying no data."""
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


#: Every reply of the GraphQL endpoints: they carry personal data (and
#: errors about persons), which no browser or proxy cache may keep.
NO_STORE = {"Cache-Control": "no-store"}


def database_unavailable_response() -> JSONResponse:
    """The 503 for a database that could not be reached: nothing was served."""
    return JSONResponse(
        error_body(
            "the hub's database cannot be reached; nothing was served, retry later",
            "DATABASE_UNAVAILABLE",
        ),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


class BearerGraphQLView(GraphQL[ContextT, None], Generic[ContextT]):
    """A strawberry view that serves only bearer tokens of `roles`."""

    roles: tuple[Role, ...] = ()

    def __init__(
        self,
        schema: Any,
        settings: Settings,
        keys: KeyRing,
        revocations: ClientRevocations | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
        )
        self._settings = settings
        self._keys = keys
        self._revocations = revocations
        # The key ring is fixed for the view's life, so good signatures stay good.
        self._verified = VerifiedSignatures()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (websockets are not offered)."""
        if scope["type"] != "http":
            return
        limit = self.body_limit()
        request = Request(scope, _bounded(receive, limit))
        response: Response
        if request.method == "GET":
            response = self._get(request)
        else:
            try:
                declared = request.headers.get("content-length", "")
                # ASCII digits only: headers decode as latin-1, and "²" is a digit
                # to str.isdigit but not to int().
                if declared.isascii() and declared.isdigit() and int(declared) > limit:
                    raise BodyTooLarge
                with watching():
                    response = await self._run_counting_outages(request)
            except BodyTooLarge:
                response = JSONResponse(
                    error_body(f"the request body is over {limit} bytes", "BODY_TOO_LARGE"),
                    status_code=413,
                )
            except RequestTimedOut:
                timeout = self._settings.request_timeout_s
                log.warning("operation stopped after %s s; no data released", timeout)
                response = JSONResponse(
                    error_body(
                        f"the operation did not finish within {timeout:g} s; no data was released",
                        "REQUEST_TIMEOUT",
                    ),
                    status_code=504,
                )
            except InvalidToken as exc:
                # The reason goes to the log only: telling a caller why its
                # forged token failed helps the forger.
                log.warning("token refused: %s", exc.reason)
                response = JSONResponse(
                    error_body("missing or invalid bearer token", "UNAUTHENTICATED"),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            except RoleRefused:
                # A valid token of a role this endpoint does not serve;
                # require_role has logged who and where.
                response = JSONResponse(
                    error_body("this endpoint does not serve the token's role", "FORBIDDEN_ROLE"),
                    status_code=403,
                )
            except RateLimited as exc:
                log.warning("request refused: %s", exc)
                body = error_body(
                    f"the {exc.limit} limit of {exc.allowed} requests is reached; "
                    f"retry after {exc.retry_after} s",
                    "RATE_LIMITED",
                )
                body["errors"][0]["extensions"].update(
                    limit=exc.limit, allowed=exc.allowed, retryAfter=exc.retry_after
                )
                response = JSONResponse(
                    body, status_code=429, headers={"Retry-After": str(exc.retry_after)}
                )
            except AuditUnavailable as exc:
                log.error("audit log unavailable, response withheld: %s", exc)
                response = JSONResponse(
                    error_body(
                        "the access log cannot be written; no data was released",
                        "AUDIT_UNAVAILABLE",
                    ),
                    status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            except DatabaseUnavailable as exc:
                log.error("database unreachable, request not served: %s", exc)
                response = database_unavailable_response()
            except RequestRefused as exc:
                body = error_body(exc.message, exc.code)
                body["errors"][0]["extensions"].update(exc.details)
                response = JSONResponse(body, status_code=exc.http_status)
            except HTTPException as exc:
                response = JSONResponse(
                    error_body(exc.reason, "BAD_REQUEST"), status_code=exc.status_code
                )
        for name, value in NO_STORE.items():
            response.headers[name] = value
        await response(scope, receive, send)

    @property
    def graphql_ide_html(self) -> str:
        """The hub's own GraphiQL page (assets from the hub, headers on every request)."""
        return graphiql.page_html()

    async def _run_counting_outages(self, request: Request) -> Response:
        """strawberry's `run`, with any database outage out of it as DatabaseUnavailable.

        Reading the policy, the rate counters or the trusted documents
        happens before execution, and their failures are plain exceptions
        (asyncpg's OSError is not even an SQLAlchemy error).
        """
        try:
            response: Response = await self.run(request)
        except (AuditUnavailable, DatabaseUnavailable):
            raise
        except Exception as exc:
            if is_database_unavailable(exc):
                raise DatabaseUnavailable(
                    f"the hub's database could not be reached ({type(exc).__name__})"
                ) from exc
            raise
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """No answer at all when the database failed during execution (a 503 instead)."""
        self.check_outages(result)
        return await super().process_result(request, result)

    @staticmethod
    def check_outages(result: ExecutionResult) -> None:
        """Raise AuditUnavailable or DatabaseUnavailable if execution met a database outage."""
        note_errors(result.errors)
        raise_if_failed()

    def body_limit(self) -> int:
        """The largest request body this endpoint reads (413 beyond)."""
        return self._settings.max_body_bytes

    def decode_json(self, data: str | bytes) -> object:
        """The body as one JSON object (or a batch, refused later); else 400 BAD_REQUEST."""
        return decode_body(data)

    def _get(self, request: Request) -> Response:
        # Operations travel by POST only; GET serves GraphiQL where it is enabled.
        if self.graphql_ide and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(
                self.graphql_ide_html,
                headers={"Content-Security-Policy": graphiql.content_security_policy()},
            )
        return JSONResponse(
            error_body("send GraphQL operations with POST", "METHOD_NOT_ALLOWED"),
            status_code=405,
            headers={"Allow": "POST"},
        )

    def authenticate(self, request: Request, response: Any) -> tuple[Principal, str]:
        """The caller's principal (of a served role) and a fresh request id, set on the reply."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("no bearer token")
        principal = require_role(
            verify_token(self._keys, self._settings, token.strip(), self._verified), *self.roles
        )
        # The id the observability middleware gave the request, so logs agree.
        request_id = request_id_var.get() or str(uuid.uuid4())
        response.headers[REQUEST_ID_HEADER] = request_id
        return principal, request_id

    async def authenticated(self, request: Request, response: Any) -> tuple[Principal, str]:
        """`authenticate`, then refuse a token of a client switched off since it was issued."""
        principal, request_id = self.authenticate(request, response)
        if self._revocations is not None:
            try:
                await self._revocations.check(principal)
            except InvalidToken as exc:
                log.warning("access token refused: %s", exc.reason)
                raise
        return principal, request_id


def _bounded(receive: Receive, limit: int) -> Receive:
    """`receive`, failing with BodyTooLarge once the body grows past `limit` bytes.

    Content-Length is checked first; this covers chunked bodies and lying headers.
    """
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return bounded
