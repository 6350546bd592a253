"""The agencies' GraphQL endpoint: authenticate, count, execute, record, then answer.

The order is the point: a response carrying data is built only after the
access log entries for it are committed. If the commit fails the client gets
a 503 and none of the data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from hub.audit.access_log import AccessFacts, PersonOutcome, commit_access
from hub.auth.graphql_view import (
    CASE_HEADER,
    REQUEST_ID_HEADER,
    BearerGraphQLView,
    RequestRefused,
    RequestTimedOut,
)
from hub.auth.roles import Role
from hub.db.models import utcnow
from schema.build import HubSchema
from schema.context import HubContext, Services
from schema.trusted import admit, names_document_id, requested

log = logging.getLogger("hub.graphql")

PURPOSE_HEADER = "Hub-Purpose"

__all__ = ["CASE_HEADER", "PURPOSE_HEADER", "REQUEST_ID_HEADER", "HubGraphQLView"]


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


class HubGraphQLView(BearerGraphQLView[HubContext]):
    """The agencies' endpoint: agency tokens only, audit committed before the answer."""

    roles = (Role.AGENCY,)

    def __init__(self, services: Services, hub_schema: HubSchema) -> None:
        super().__init__(hub_schema.schema, services.settings, services.keys)
        self.services = services

    async def get_context(self, request: Request, response: Any) -> HubContext:  # type: ignore[override]
        """Authenticate the caller and gather the request's accountable context."""
        principal, request_id = self.authenticate(request, response)
        services = self.services
        if services.rate_limiter is not None:
            # Before anything runs: over a limit, no source is called and
            # nothing is logged (RateLimited becomes a 429).
            await services.rate_limiter.hit(principal.agency, principal.official)
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

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """strawberry's parse, plus the trusted document id it ignores (`documentId`)."""
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            return data  # batches: strawberry refuses them before this returns
        body = await request.get_body()  # starlette keeps the body: no second read
        decoded = self.parse_json(body) if names_document_id(body) else None
        return requested(data, decoded)

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        """Execute within HUB_REQUEST_TIMEOUT_S; beyond it nothing is committed or released.

        First the document is admitted (`schema.trusted.admit`): an id is
        replaced by the agency's approved document, and a restricted agency's
        untrusted document is refused here, before anything executes.
        strawberry's `run` calls this after `get_context` (the principal) and
        `parse_http_body`, with keyword arguments.

        Only execution is bounded: the access-log commit in `process_result`
        runs after, whole or not at all, and a timed-out operation never
        reaches it, so no data leaves.
        """
        context: HubContext = kwargs["context"]
        data = kwargs["request_data"]
        if not isinstance(data, GraphQLRequestData):
            # Batches are refused while parsing; never let one past the check.
            raise RequestRefused("send one GraphQL operation per request", "BAD_REQUEST", 400)
        kwargs["request_data"] = await admit(
            self.services.documents, self.services.settings, context.principal, data
        )
        try:
            async with asyncio.timeout(self.services.settings.request_timeout_s):
                return await super().execute_operation(*args, **kwargs)
        except TimeoutError:
            raise RequestTimedOut from None

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
