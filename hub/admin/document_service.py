"""Trusted documents' review as plain services: the fields of /admin/graphql and the console.

Agencies submit documents with `ssis-hub documents submit`; an officer
reads what each one selects and whether the active policy grants it
(`review_trusted_document`, the same plan and decision the agencies'
endpoint makes), then approves (never their own submission), rejects or
revokes it. Each function applies `OfficersOnly` with `require_permission`.
A decision invalidates this process's registry so the agencies' endpoint
applies it from the next request; other processes follow within
`HUB_POLICY_REFRESH_S`.
"""

from __future__ import annotations

import logging

from hub.admin.context import AdminContext
from hub.admin.document_review import DocumentReview, review_document
from hub.admin.errors import AdminError, InvalidArgument
from hub.admin.permissions import OfficersOnly, require_permission
from hub.documents import store
from hub.documents.ids import PREFIX, is_hash
from hub.documents.store import DocumentError, DocumentInfo, DocumentNotFound, DocumentStatus
from hub.observability.clip import clip
from schema.build import build_schema

log = logging.getLogger("hub.admin")

#: The decisions an officer may take, as `hub.documents.store.decide` names them.
DECISIONS = ("approve", "reject", "revoke")


class DocumentNotFoundError(AdminError):
    """The agency has no registered document with this hash."""

    code = "NOT_FOUND"


class DocumentDecisionError(AdminError):
    """A decision not allowed: wrong state, the submitter approving, no reason."""

    code = "DOCUMENT_ERROR"


def agency_code(ctx: AdminContext, agency: str) -> str:
    """The catalog's code for `agency` (any case); INVALID_ARGUMENT when there is none."""
    code = agency.strip().upper()
    if ctx.services.catalog.agency(code) is None:
        raise InvalidArgument(f"unknown agency {clip(agency)!r}", argument="agency")
    return code


def document_hash(text: str) -> str:
    """The hex digest `text` names (optionally `sha256:`-prefixed); INVALID_ARGUMENT otherwise."""
    digest = text.strip().removeprefix(PREFIX)
    if not is_hash(digest):
        raise InvalidArgument(
            "hash must be 64 lower-case hex digits, optionally prefixed sha256:",
            argument="hash",
        )
    return digest


async def list_trusted_documents(
    ctx: AdminContext, agency: str | None = None, status: DocumentStatus | None = None
) -> list[DocumentInfo]:
    """Registered documents, by agency, newest submission first (`trustedDocuments`)."""
    await require_permission(OfficersOnly, ctx, {})
    code = None if agency is None else agency_code(ctx, agency)
    return await store.list_documents(ctx.services.database, code, status)


async def get_trusted_document(ctx: AdminContext, agency: str, hash: str) -> DocumentInfo:
    """One document (`trustedDocument`); NOT_FOUND when the agency registered none so."""
    await require_permission(OfficersOnly, ctx, {})
    try:
        return await store.get_document(
            ctx.services.database, agency_code(ctx, agency), document_hash(hash)
        )
    except DocumentNotFound as exc:
        raise DocumentNotFoundError(str(exc)) from None


async def review_trusted_document(
    ctx: AdminContext, document: DocumentInfo
) -> tuple[DocumentReview, int]:
    """What `document` reads and which purposes cover it, and the policy version it was read on.

    Against the policy the agencies' endpoint enforces now, so what the
    officer reads is what requests will meet.
    """
    await require_permission(OfficersOnly, ctx, {})
    services = ctx.services
    policy = await services.policies.current()
    hub_schema = build_schema(services.catalog)
    review = review_document(
        hub_schema.schema._schema,
        hub_schema.schema_map,
        policy,
        document.agency,
        document.body,
        catalog=services.catalog,
        settings=services.settings,
    )
    return review, policy.version


async def decide_trusted_document(
    ctx: AdminContext, agency: str, hash: str, action: str, reason: str | None
) -> DocumentInfo:
    """Approve, reject or revoke a document (the `...TrustedDocument` mutations).

    DocumentDecisionError for a decision its state does not allow, the
    submitter approving their own, or a rejection or revocation without a
    reason; DocumentNotFoundError for an unknown document.
    """
    await require_permission(OfficersOnly, ctx, {})
    if action not in DECISIONS:
        raise DocumentDecisionError(f"unknown decision {clip(action)!r}")
    services = ctx.services
    code, digest = agency_code(ctx, agency), document_hash(hash)
    try:
        decided = await store.decide(services.database, code, digest, ctx.actor, action, reason)
    except DocumentNotFound as exc:
        raise DocumentNotFoundError(str(exc)) from None
    except DocumentError as exc:
        raise DocumentDecisionError(str(exc)) from None
    services.documents.invalidate()
    log.info("%s: %s trusted document %s of %s", ctx.actor, decided.status, digest, code)
    return decided
