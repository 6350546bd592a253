"""Privacy officers' review of trusted documents at /admin/graphql.

Agencies submit documents with `ssis-hub documents submit`; here an
officer reads what each one selects and whether the active policy grants
it, then approves (never their own submission), rejects or revokes it.
A decision invalidates this process's registry so the agencies' endpoint
applies it from the next request; other processes follow within
`HUB_POLICY_REFRESH_S`. The fields are mounted on the admin schema's
Query and Mutation by inheritance.
"""

from __future__ import annotations

import logging

import strawberry

from hub.admin.context import AdminContext
from hub.admin.documents_types import TrustedDocumentInfo, document_info
from hub.admin.errors import AdminError, InvalidArgument
from hub.admin.permissions import OfficersOnly
from hub.documents import store
from hub.documents.ids import PREFIX, is_hash
from hub.documents.store import DocumentError, DocumentNotFound, DocumentStatus
from hub.observability.clip import clip

log = logging.getLogger("hub.admin")


class DocumentNotFoundError(AdminError):
    """The agency has no registered document with this hash."""

    code = "NOT_FOUND"


class DocumentDecisionError(AdminError):
    """A decision not allowed: wrong state, the submitter approving, no reason."""

    code = "DOCUMENT_ERROR"


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


def _agency(ctx: AdminContext, agency: str) -> str:
    code = agency.strip().upper()
    if ctx.services.catalog.agency(code) is None:
        raise InvalidArgument(f"unknown agency {clip(agency)!r}", argument="agency")
    return code


def _hash(text: str) -> str:
    digest = text.strip().removeprefix(PREFIX)
    if not is_hash(digest):
        raise InvalidArgument(
            "hash must be 64 lower-case hex digits, optionally prefixed sha256:",
            argument="hash",
        )
    return digest


async def resolve_trusted_documents(
    info: strawberry.Info, agency: str | None = None, status: DocumentStatus | None = None
) -> list[TrustedDocumentInfo]:
    """Registered documents, by agency, newest submission first."""
    ctx = _ctx(info)
    code = None if agency is None else _agency(ctx, agency)
    found = await store.list_documents(ctx.services.database, code, status)
    return [document_info(d) for d in found]


async def resolve_trusted_document(
    info: strawberry.Info, agency: str, hash: str
) -> TrustedDocumentInfo:
    """One document; NOT_FOUND when the agency registered none with this hash."""
    ctx = _ctx(info)
    try:
        found = await store.get_document(ctx.services.database, _agency(ctx, agency), _hash(hash))
    except DocumentNotFound as exc:
        raise DocumentNotFoundError(str(exc)) from None
    return document_info(found)


async def _decide(
    info: strawberry.Info, agency: str, hash: str, action: str, reason: str | None
) -> TrustedDocumentInfo:
    ctx = _ctx(info)
    services = ctx.services
    code, digest = _agency(ctx, agency), _hash(hash)
    try:
        decided = await store.decide(services.database, code, digest, ctx.actor, action, reason)
    except DocumentNotFound as exc:
        raise DocumentNotFoundError(str(exc)) from None
    except DocumentError as exc:
        raise DocumentDecisionError(str(exc)) from None
    services.documents.invalidate()
    log.info("%s: %s trusted document %s of %s", ctx.actor, decided.status, digest, code)
    return document_info(decided)


async def resolve_approve_document(
    info: strawberry.Info, agency: str, hash: str, note: str | None = None
) -> TrustedDocumentInfo:
    """Approve a pending document another official submitted; it runs from the next request."""
    return await _decide(info, agency, hash, "approve", note)


async def resolve_reject_document(
    info: strawberry.Info, agency: str, hash: str, reason: str
) -> TrustedDocumentInfo:
    """Reject a pending document, saying why."""
    return await _decide(info, agency, hash, "reject", reason)


async def resolve_revoke_document(
    info: strawberry.Info, agency: str, hash: str, reason: str
) -> TrustedDocumentInfo:
    """Revoke an approved document, saying why; requests naming it are refused."""
    return await _decide(info, agency, hash, "revoke", reason)


@strawberry.type
class DocumentsQuery:
    """Privacy officers' reading of registered documents."""

    trusted_documents: list[TrustedDocumentInfo] = strawberry.field(
        resolver=resolve_trusted_documents,
        permission_classes=[OfficersOnly],
        description="Registered documents, optionally of one agency and status, by agency "
        "and newest submission first.",
    )
    trusted_document: TrustedDocumentInfo = strawberry.field(
        resolver=resolve_trusted_document,
        permission_classes=[OfficersOnly],
        description="One agency's document by hash (hex, or `sha256:<hex>`).",
    )


@strawberry.type
class DocumentsMutation:
    """Privacy officers' decisions on registered documents."""

    approve_trusted_document: TrustedDocumentInfo = strawberry.mutation(
        resolver=resolve_approve_document,
        permission_classes=[OfficersOnly],
        description="Approve a pending document; the submitter cannot approve their own.",
    )
    reject_trusted_document: TrustedDocumentInfo = strawberry.mutation(
        resolver=resolve_reject_document,
        permission_classes=[OfficersOnly],
        description="Reject a pending document, with the reason the agency will read.",
    )
    revoke_trusted_document: TrustedDocumentInfo = strawberry.mutation(
        resolver=resolve_revoke_document,
        permission_classes=[OfficersOnly],
        description="Revoke an approved document, with the reason; refused from the next "
        "request in this process and within HUB_POLICY_REFRESH_S in the others.",
    )
