"""The officers' review of trusted documents: what each operation reads, whether it is allowed.

The list, the review and the decisions are `hub.admin.document_service`
calls (the bodies of `trustedDocuments`, `trustedDocument`, the review
field and the approve/reject/revoke mutations): the review is the plan
and decision the agencies' endpoint makes, against the policy it enforces
now. Four eyes are the store's: the submitter cannot approve their own
document, and the page says so instead of offering the button.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.document_service import (
    DocumentDecisionError,
    decide_trusted_document,
    get_trusted_document,
    list_trusted_documents,
    review_trusted_document,
)
from hub.admin.errors import InvalidArgument
from hub.console.errors import BadRequest, NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    done_message,
    officer_path,
    officers,
    required,
    see_other,
    service_errors,
)
from hub.console.officer_policies import sentence
from hub.documents.store import DocumentStatus
from hub.identity.officials import same_official

DONE = {
    "approved": "The document is approved: the agency may run it from its next request.",
    "rejected": "The document is rejected; the agency reads your reason.",
    "revoked": "The document is revoked: requests naming it are refused from now on.",
}
#: The list's filter, by status; pending first, as that is the officers' queue.
FILTERS = ("pending", "approved", "rejected", "revoked", "all")
ACTIONS = {"approve": "approved", "reject": "rejected", "revoke": "revoked"}


@officers
async def documents_page(page: PageRequest) -> Response:
    """Registered documents of one status (pending by default), by agency, newest first."""
    shown = page.request.query_params.get("status", "pending")
    if shown not in FILTERS:
        raise BadRequest("Show documents that are pending, approved, rejected, revoked, or all.")
    ctx = page.console.admin_context(page.request, page.session)
    with service_errors():
        found = await list_trusted_documents(
            ctx, None, None if shown == "all" else DocumentStatus(shown)
        )
    return page.render(
        "officer_documents.html",
        title="Trusted documents",
        documents=found,
        shown=shown,
        filters=FILTERS,
        home=OFFICER,
    )


async def _document_page(
    page: PageRequest, *, error: str | None = None, status: int = 200
) -> Response:
    agency = str(page.request.path_params["agency"])
    digest = str(page.request.path_params["hash"])
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            document = await get_trusted_document(ctx, agency, digest)
            review, version = await review_trusted_document(ctx, document)
    except InvalidArgument:
        raise NotFound("There is no trusted document at this address.") from None
    return page.render(
        "officer_document.html",
        status=status,
        title=f"Trusted document of {document.agency}",
        document=document,
        review=review,
        policy_version=version,
        mine=same_official(document.submitted_by, ctx.actor),
        error=error,
        done=done_message(page.request, DONE),
        home=OFFICER,
    )


@officers
async def document_page(page: PageRequest) -> Response:
    """One document: its text, each operation's fields and the purposes that grant them."""
    return await _document_page(page)


@officers
async def decide_document(page: PageRequest) -> Response:
    """Approve, reject or revoke the document; a refused decision is shown in place."""
    action = str(page.request.path_params["action"])
    if action not in ACTIONS:
        raise NotFound("There is no such decision on a document.")
    reason = required(page.form, "reason").strip() or None
    agency = str(page.request.path_params["agency"])
    digest = str(page.request.path_params["hash"])
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            decided = await decide_trusted_document(ctx, agency, digest, action, reason)
    except DocumentDecisionError as exc:
        return await _document_page(page, error=sentence(exc.message), status=409)
    except InvalidArgument:
        raise NotFound("There is no trusted document at this address.") from None
    return see_other(
        officer_path("documents", decided.agency, decided.document_hash), ACTIONS[action]
    )


def documents_routes() -> list[Route]:
    """The list, one document's review, and the decisions on it."""
    return [
        Route("/officer/documents", documents_page, methods=["GET"], name="officer-documents"),
        Route(
            "/officer/documents/{agency:str}/{hash:str}",
            document_page,
            methods=["GET"],
            name="officer-document",
        ),
        Route(
            "/officer/documents/{agency:str}/{hash:str}/{action:str}",
            decide_document,
            methods=["POST"],
            name="officer-document-decide",
        ),
    ]
