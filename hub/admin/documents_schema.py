"""Privacy officers' review of trusted documents at /admin/graphql.

The fields are thin wrappers of `hub.admin.document_service`, which the
console's officer pages call too: an officer reads what each document
selects and whether the active policy grants it, then approves (never
their own submission), rejects or revokes it. The fields are mounted on
the admin schema's Query and Mutation by inheritance.
"""

from __future__ import annotations

import strawberry

from hub.admin.context import AdminContext
from hub.admin.document_service import (
    decide_trusted_document,
    get_trusted_document,
    list_trusted_documents,
)
from hub.admin.documents_types import TrustedDocumentInfo, document_info
from hub.admin.permissions import OfficersOnly
from hub.documents.store import DocumentStatus


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


async def resolve_trusted_documents(
    info: strawberry.Info, agency: str | None = None, status: DocumentStatus | None = None
) -> list[TrustedDocumentInfo]:
    """Registered documents, by agency, newest submission first."""
    return [document_info(d) for d in await list_trusted_documents(_ctx(info), agency, status)]


async def resolve_trusted_document(
    info: strawberry.Info, agency: str, hash: str
) -> TrustedDocumentInfo:
    """One document; NOT_FOUND when the agency registered none with this hash."""
    return document_info(await get_trusted_document(_ctx(info), agency, hash))


async def _decide(
    info: strawberry.Info, agency: str, hash: str, action: str, reason: str | None
) -> TrustedDocumentInfo:
    return document_info(await decide_trusted_document(_ctx(info), agency, hash, action, reason))


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
