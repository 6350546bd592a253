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

from hub.audit.access_log import (
    AccessFacts,
    ConsentAlreadyUsed,
    PersonOutcome,
    PlanFacts,
    commit_access,
)
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
from schema.errors import ConsentRequiredError
from schema.gate import CASE_REF
from schema.trusted import admit, names_document_id, requested

log = logging.getLogger("hub.graphql")

PURPOSE_HEADER = "Hub-Purpose"
#: Longest purpose code (the access log's column); the catalog's are far shorter.
MAX_PURPOSE_LENGTH = 64

__all__ = ["CASE_HEADER", "PURPOSE_HEADER", "REQUEST_ID_HEADER", "HubGraphQLView"]


def declared_purpose(header: str) -> str | None:
    """The `Hub-Purpose` header as a purpose code, None when absent; else PURPOSE_NOT_DECLARED.

    Purposes are declared as ASCII codes (`basic_livelihood_eligibility`),
    and headers travel as bytes read as latin-1: a purpose written in
    Korean arrives as mojibake, which no agency declared and which the
    access log should not keep. Such a header, or one longer than any code,
    is refused (400) before anything runs, saying why, and is never echoed:
    a client's long or garbled value is not repeated back.
    """
    value = header.strip()
    if not value:
        return None
    if not value.isascii():
        raise RequestRefused(
            "Hub-Purpose must be one of the agency's declared purpose codes, which are ASCII "
            "(such as basic_livelihood_eligibility); this one has bytes outside ASCII, such as "
            "a purpose's name in Korean: send the code",
            "PURPOSE_NOT_DECLARED",
            400,
        )
    if len(value) > MAX_PURPOSE_LENGTH:
        raise RequestRefused(
            f"Hub-Purpose is {len(value)} characters long; a purpose code has at most "
            f"{MAX_PURPOSE_LENGTH}",
            "PURPOSE_NOT_DECLARED",
            400,
        )
    return value


def _facts(context: HubContext) -> AccessFacts:
    decision = context.decision
    grant = decision.grant if decision is not None else None
    suppressed_until = None
    if grant is not None and grant.suppressed:
        suppressed_until = utcnow() + dt.timedelta(days=grant.suppression_days)
    return AccessFacts(
        request_id=context.request_id,
        agency=context.principal.agency,
        official=context.principal.official,
        purpose=context.purpose or "",
        # A refusal for a malformed case reference is logged without it: the
        # log records cases, not whatever a client sent in their place.
        case_ref=context.case_ref if context.case_ref and CASE_REF.match(context.case_ref) else "",
        client_addr=context.client_addr,
        policy_version=context.policy.version,
        legal_basis=grant.legal_basis if grant is not None else None,
        query_hash=context.query_hash,
        suppressed_until=suppressed_until,
        # What was asked, refused or not, so that a proposed policy can be
        # replayed against it (hub.admin.replay).
        plan=PlanFacts(
            selected=context.plan.fields,
            persons=context.persons_named or 0,
            walks_household=context.plan.walks_household,
        )
        if context.persons_named is not None
        else None,
    )


def _outcomes(context: HubContext) -> list[PersonOutcome]:
    """Each person's entry: the released types' fields in the decision's forms."""
    decision = context.decision
    outcomes = []
    for rrn, access in context.access.persons.items():
        released: dict[str, dict[str, str]] = {}
        for type_name in access.released:
            released[type_name] = {
                name: (decision.form(type_name, name) if decision else None) or "full"
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


def _withheld(outcomes: list[PersonOutcome], code: str) -> list[PersonOutcome]:
    """The same persons with nothing released: every released type refused for `code`."""
    return [
        PersonOutcome(
            rrn=o.rrn,
            refused={**o.refused, **dict.fromkeys(o.released, code)},
        )
        for o in outcomes
    ]


class HubGraphQLView(BearerGraphQLView[HubContext]):
    """The agencies' endpoint: agency tokens only, audit committed before the answer."""

    roles = (Role.AGENCY,)

    def __init__(self, services: Services, hub_schema: HubSchema) -> None:
        super().__init__(hub_schema.schema, services.settings, services.keys, services.revocations)
        self.services = services

    async def get_context(self, request: Request, response: Any) -> HubContext:  # type: ignore[override]
        """Authenticate the caller and gather the request's accountable context."""
        principal, request_id = await self.authenticated(request, response)
        services = self.services
        if services.rate_limiter is not None:
            # Before anything runs: over a limit, no source is called and
            # nothing is logged (RateLimited becomes a 429).
            await services.rate_limiter.hit(principal.agency, principal.official)
        context = HubContext(
            services=services,
            principal=principal,
            request_id=request_id,
            purpose=declared_purpose(request.headers.get(PURPOSE_HEADER, "")),
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
        """Commit the audit entries (spending one-time consents with them), then answer.

        A database outage during execution answers 503 before anything is
        committed: the answer is incomplete, and none of it leaves.
        """
        self.check_outages(result)
        context: HubContext | None = getattr(request.state, "hub_context", None)
        if context is not None:
            await self._resolve_refused_ids(context)
        if context is not None and context.access.persons:
            facts, outcomes = _facts(context), _outcomes(context)
            try:
                await commit_access(
                    self.services.audit,
                    self.services.keys,
                    facts,
                    outcomes,
                    sorted(context.access.one_time_consents),
                )
            except ConsentAlreadyUsed:
                # Another request spent a one-time consent this answer needed
                # between our check and our commit: nothing leaves, and the
                # log says so.
                await commit_access(
                    self.services.audit,
                    self.services.keys,
                    facts,
                    _withheld(outcomes, ConsentRequiredError.code),
                )
                raise RequestRefused(
                    "a one-time consent this answer needed was used by another request "
                    "first; no data was released",
                    ConsentRequiredError.code,
                    409,
                ) from None
        return await super().process_result(request, result)

    async def _resolve_refused_ids(self, context: HubContext) -> None:
        """The persons behind a refused request's `_entities` ids, for their entries.

        An id the agency was never given names nobody and gets no entry.
        """
        refused = context.access.refused_ids
        if not refused:
            return
        rrns = await context.subject_loader().load_many(list(refused))
        types = list(context.plan.fields) or ["*"]
        for rrn, code in zip(rrns, refused.values(), strict=True):
            if rrn is not None:
                for type_name in types:
                    context.access.refused(rrn, type_name, code)
