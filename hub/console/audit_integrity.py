"""The auditors' integrity pages: signed tree heads, inclusion proofs, exports.

The latest head is shown to anyone of the role, checked here against the
key set the hub publishes (`/audit/keys.json`) with the verifier the
offline tools use (`hub.audit.heads.verify_head`); it names no entry, so
reading it is not logged, as `latestTreeHead` is not. Everything else is
a logged read under the auditor's inquiry through the services of
`hub.admin.audit_proofs`: the stored heads each checked (`tree_heads`),
an entry's proof verified by the hub with the offline verifier and its
self-contained document (`entry_inclusion`, downloadable as JSON), and
exports streamed as JSON Lines (`open_export`). Signing a head and
exporting (which signs one) are POSTs with the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.admin.audit_proofs import (
    entry_inclusion,
    latest_tree_head,
    open_export,
    sign_tree_head,
    tree_heads,
)
from hub.admin.audit_types import TreeHeadInfo
from hub.audit.heads import SignedTreeHead, verify_head
from hub.audit.keyset import heads_jwks, load_jwks
from hub.auth.roles import Role
from hub.console.audit_input import INQUIRY, FormProblems, FormValues
from hub.console.audit_pages import audit_context, common, link, query_values, served
from hub.console.guards import PageRequest, for_roles
from hub.keys import KeyRing

INTEGRITY_PATH = "/console/auditor/integrity"
INQUIRY_NEEDED = "Name the inquiry this read is recorded under."
#: JSON Lines (the export's format, docs/audit.md).
JSONL = "application/jsonl"
#: Stored heads listed per page.
HEADS_PAGE = 10


@dataclass(frozen=True)
class CheckedHead:
    """A signed head and whether the published key of its `key_id` verifies it."""

    head: TreeHeadInfo
    verified: bool
    signed_at: dt.datetime


def checked_head(keys: KeyRing, head: TreeHeadInfo) -> CheckedHead:
    """`head` verified against the key set the hub publishes (`/audit/keys.json`)."""
    published = load_jwks(heads_jwks(keys))
    signed = SignedTreeHead(
        size=head.size,
        root_hash=bytes.fromhex(head.root_hash),
        timestamp_ms=head.timestamp_ms,
        key_id=head.key_id,
        signature=bytes.fromhex(head.signature),
    )
    moment = dt.datetime.fromtimestamp(head.timestamp_ms / 1000, dt.UTC)
    return CheckedHead(head=head, verified=verify_head(published, signed), signed_at=moment)


def proof_link(inquiry: str | None, seq: int, tree_size: int | None = None) -> str:
    """The download of entry `seq`'s proof document."""
    return link(f"/console/auditor/entries/{seq}/proof", inquiry=inquiry, tree_size=tree_size)


@for_roles(Role.AUDITOR)
async def integrity_page(page: PageRequest) -> Response:
    """The latest head verified; with an inquiry, the stored heads checked and an entry's proof."""
    values = query_values(page)
    latest = await served(latest_tree_head(audit_context(page, None)))
    head = checked_head(page.console.services.keys, latest) if latest is not None else None
    context = common(page, values, head=head, heads=None, older_heads=None, inclusion=None)
    title = "Tree heads and proofs"
    if not values.raw:
        return page.render("auditor_integrity.html", title=title, **context)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    seq = values.number("seq")
    size = values.number("tree_size")
    after = values.text("heads_after")
    try:
        values.check()
        ctx = audit_context(page, inquiry)
        if seq is not None:
            inclusion = await served(entry_inclusion(ctx, seq, size))
            context["inclusion"] = inclusion
            context["download"] = proof_link(inquiry, seq, size)
        else:
            listed = await served(tree_heads(ctx, HEADS_PAGE, after))
            context["heads"] = listed
            if listed.next_cursor is not None:
                context["older_heads"] = link(
                    INTEGRITY_PATH, inquiry=inquiry, heads_after=listed.next_cursor
                )
    except FormProblems as exc:
        context["problems"] = exc.problems
        return page.render("auditor_integrity.html", title=title, status=400, **context)
    return page.render("auditor_integrity.html", title=title, **context)


@for_roles(Role.AUDITOR)
async def proof_download(page: PageRequest) -> Response:
    """Entry `seq`'s self-contained proof document, as the hub verified it (`entryInclusion`)."""
    seq = int(page.request.path_params["seq"])
    values = query_values(page)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    size = values.number("tree_size")
    try:
        values.check()
        inclusion = await served(entry_inclusion(audit_context(page, inquiry), seq, size))
    except FormProblems as exc:
        values.problems = exc.problems
        latest = await served(latest_tree_head(audit_context(page, None)))
        head = checked_head(page.console.services.keys, latest) if latest is not None else None
        context = common(page, values, head=head, heads=None, older_heads=None, inclusion=None)
        return page.render(
            "auditor_integrity.html", title="Tree heads and proofs", status=400, **context
        )
    body = json.dumps(inclusion.document, indent=2, sort_keys=True, ensure_ascii=False)
    filename = f"ssis-hub-proof-{seq}-{inclusion.tree_head.size}.json"
    return Response(
        body + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@for_roles(Role.AUDITOR)
async def sign_head(page: PageRequest) -> Response:
    """Sign a head over the log as it is now (`signTreeHead`), then back to the proof asked for."""
    await served(sign_tree_head(audit_context(page, None)))
    form = page.form
    # Only the fields the page's form carries, and only back to this page.
    back = link(INTEGRITY_PATH, inquiry=form.get(INQUIRY, "")[:128], seq=form.get("seq", "")[:16])
    return RedirectResponse(back, status_code=303)


async def _export_form(page: PageRequest, values: FormValues, status: int = 200) -> Response:
    latest = await served(latest_tree_head(audit_context(page, None)))
    context = common(page, values, latest=latest)
    return page.render("auditor_exports.html", title="Exports", status=status, **context)


@for_roles(Role.AUDITOR)
async def exports_page(page: PageRequest) -> Response:
    """The export form."""
    return await _export_form(page, FormValues({}))


@for_roles(Role.AUDITOR)
async def export_download(page: PageRequest) -> Response:
    """Entries [first, last) as a JSON Lines download (`open_export`, logged as `audit_export`)."""
    values = FormValues({k: v for k, v in page.form.items() if k != "csrf_token"})
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    first = values.number("first", required="Give the first entry's sequence number.")
    last = values.number("last", required="Give the end of the range (the entry after it).")
    try:
        values.check()
        assert first is not None and last is not None  # required: check() raised otherwise
        # Every refusal happens before the first line; the entries then stream.
        lines = await served(open_export(audit_context(page, inquiry), first, last))
    except FormProblems as exc:
        values.problems = exc.problems
        return await _export_form(page, values, status=400)
    filename = f"ssis-hub-audit-{first}-{last}.jsonl"
    return StreamingResponse(
        lines,
        media_type=JSONL,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def integrity_routes() -> list[Route]:
    """The integrity, proof download and export pages."""
    return [
        Route("/auditor/integrity", integrity_page, methods=["GET"], name="auditor-integrity"),
        Route("/auditor/integrity/sign", sign_head, methods=["POST"], name="auditor-sign"),
        Route(
            "/auditor/entries/{seq:int}/proof",
            proof_download,
            methods=["GET"],
            name="auditor-proof",
        ),
        Route("/auditor/exports", exports_page, methods=["GET"], name="auditor-exports"),
        Route("/auditor/exports", export_download, methods=["POST"], name="auditor-export"),
    ]
