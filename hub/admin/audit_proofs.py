"""The auditors' proofs, heads (the latest, all checked, signing one) and exports as services.

Like `hub.admin.audit_reports` (whose steps they follow: permission,
inquiry, arguments, read, log, answer), these serve both the administrative
fields and the console. The hub checks what it hands out with the same
verifier code an auditor runs offline (`hub.audit.inclusion`,
`hub.audit.merkle`), against its published key set (`/audit/keys.json`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from hub.admin.audit_report_types import (
    EntryInclusion,
    TreeHeadStatusPage,
    entry_inclusion_info,
    head_status_info,
)
from hub.admin.audit_reports import audited, auditor_case
from hub.admin.audit_types import (
    ConsistencyProof,
    InclusionProof,
    Long,
    TreeHeadInfo,
    tree_head_info,
)
from hub.admin.auditing import DEFAULT_PAGE, cursor_seq, page_size, record_read
from hub.admin.context import AdminContext
from hub.admin.errors import InvalidArgument
from hub.admin.permissions import AuditorsOnly, require_permission
from hub.audit import heads
from hub.audit.entries import content_of
from hub.audit.export import export_header, header_line, iter_entry_lines
from hub.audit.head_status import covering_head, head_of_size, head_statuses
from hub.audit.inclusion import proof_document, verify_document
from hub.audit.keyset import heads_jwks, ring_public_keys
from hub.audit.proofs import stored_consistency_proof, stored_inclusion_proof, stored_root
from hub.db.models import AuditEntry

log = logging.getLogger("hub.admin")

#: Most entries one `export_text` (the `exportRange` field) holds: it travels in one response.
MAX_EXPORT = 50_000


async def _checked_size(session: AsyncSession, size: int, name: str) -> int:
    current = await heads.tree_size(session)
    if size > current:
        raise InvalidArgument(
            f"{name} {size} exceeds the log's current size {current}", argument=name
        )
    return current


def _checked_seq(seq: int, tree_size: int | None) -> None:
    if seq < 0:
        raise InvalidArgument("seq must not be negative", argument="seq")
    if tree_size is not None and tree_size <= seq:
        raise InvalidArgument(
            f"a tree of {tree_size} entries does not contain entry {seq}: "
            "treeSize must be greater than seq",
            argument="treeSize",
        )


async def _leaf(session: AsyncSession, seq: int) -> AuditEntry:
    row = await session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
    if row is None:  # below the stored size every leaf exists; this is corruption
        raise LookupError(f"entry {seq} is missing from the stored log")
    return row


async def inclusion_proof(ctx: AdminContext, seq: int, tree_size: int) -> InclusionProof:
    """Proof that entry `seq` is leaf `seq` of the tree of the first `tree_size` entries; logged."""
    case_ref = await auditor_case(ctx)
    _checked_seq(seq, tree_size)

    async def read(session: AsyncSession) -> InclusionProof:
        await _checked_size(session, tree_size, "treeSize")
        leaf = (await _leaf(session, seq)).leaf_hash
        path = await stored_inclusion_proof(session, seq, tree_size)
        return InclusionProof(
            leaf_index=Long(seq),
            tree_size=Long(tree_size),
            leaf_hash=leaf.hex(),
            audit_path=[p.hex() for p in path],
            root_hash=(await stored_root(session, tree_size)).hex(),
        )

    arguments = {"seq": seq, "tree_size": tree_size}
    return await audited(ctx, case_ref, "inclusion_proof", arguments, read)


async def entry_inclusion(
    ctx: AdminContext, seq: int, tree_size: int | None = None
) -> EntryInclusion:
    """Entry `seq`'s proof against a stored signed head, verified here, with its document; logged.

    The head is the latest stored one for `tree_size` entries, or without
    it the latest stored head containing the entry; INVALID_ARGUMENT when
    there is none (sign one first: `signTreeHead`). The document is what
    `ssis-hub audit verify-proof` checks offline; `verified` is that same
    check run here with the hub's published key set.
    """
    case_ref = await auditor_case(ctx)
    _checked_seq(seq, tree_size)
    keys = ctx.services.keys

    async def read(session: AsyncSession) -> EntryInclusion:
        size = await heads.tree_size(session)
        if seq >= size:
            raise InvalidArgument(f"the log holds entries [0, {size}), not {seq}", argument="seq")
        if tree_size is None:
            head = await covering_head(session, seq)
            if head is None:
                raise InvalidArgument(
                    f"no signed tree head contains entry {seq} yet: sign one first",
                    argument="seq",
                )
        else:
            head = await head_of_size(session, tree_size)
            if head is None:
                raise InvalidArgument(
                    f"no signed tree head is stored for size {tree_size}", argument="treeSize"
                )
        row = await _leaf(session, seq)
        pruned = row.kind is None or row.occurred_at is None
        try:
            path = await stored_inclusion_proof(session, seq, head.size)
            root = await stored_root(session, head.size)
        except LookupError:
            # A head beyond the stored log (it was truncated): no path exists,
            # and the verdict below says the proof fails rather than erring.
            path, root = [], bytes(32)
        document = proof_document(
            seq, None if pruned else content_of(row), row.leaf_hash, path, head, heads_jwks(keys)
        )
        check = verify_document(document, ring_public_keys(keys))
        proof = InclusionProof(
            leaf_index=Long(seq),
            tree_size=Long(head.size),
            leaf_hash=row.leaf_hash.hex(),
            audit_path=[p.hex() for p in path],
            root_hash=root.hex(),
        )
        return entry_inclusion_info(proof, tree_head_info(head), check, JSON(document))

    arguments = {"seq": seq, "tree_size": tree_size}
    return await audited(ctx, case_ref, "entry_inclusion", arguments, read)


async def consistency_proof(ctx: AdminContext, from_size: int, to_size: int) -> ConsistencyProof:
    """Proof that the tree of `from_size` entries is a prefix of the tree of `to_size`; logged."""
    case_ref = await auditor_case(ctx)
    if not 0 < from_size <= to_size:
        # RFC 9162 has no proof from the empty tree: it is a prefix of every tree.
        raise InvalidArgument("consistency needs 0 < fromSize <= toSize", argument="fromSize")

    async def read(session: AsyncSession) -> ConsistencyProof:
        await _checked_size(session, to_size, "toSize")
        proof = await stored_consistency_proof(session, from_size, to_size)
        return ConsistencyProof(
            from_size=Long(from_size),
            to_size=Long(to_size),
            proof=[p.hex() for p in proof],
            from_root=(await stored_root(session, from_size)).hex(),
            to_root=(await stored_root(session, to_size)).hex(),
        )

    arguments = {"from_size": from_size, "to_size": to_size}
    return await audited(ctx, case_ref, "consistency_proof", arguments, read)


async def tree_heads(
    ctx: AdminContext, first: int = DEFAULT_PAGE, after: str | None = None
) -> TreeHeadStatusPage:
    """Stored signed heads, newest first, one page, each checked; logged.

    Each head's signature is checked with the key its kid names in the
    published key set, and its root against the previous head's by a
    consistency proof from the stored log (`hub.audit.head_status`).
    """
    case_ref = await auditor_case(ctx)
    size, below = page_size(first), cursor_seq(after)
    key_set = ring_public_keys(ctx.services.keys)

    async def read(session: AsyncSession) -> TreeHeadStatusPage:
        statuses, next_id = await head_statuses(session, key_set, size, below)
        return TreeHeadStatusPage(
            items=[head_status_info(s) for s in statuses],
            next_cursor=None if next_id is None else str(next_id),
        )

    arguments = {"first": first, "after": after}
    return await audited(ctx, case_ref, "tree_heads", arguments, read)


async def open_export(ctx: AdminContext, first: int, last: int) -> AsyncIterator[str]:
    """The export of entries [first, last) as JSON Lines, each line ending in a newline; logged.

    Everything that can refuse happens before this returns: the permission,
    the inquiry, the range (INVALID_ARGUMENT), signing the export's head
    and logging the read (AUDIT_UNAVAILABLE). The iterator then streams the
    entries in chunks, so a range of any size fits in bounded memory; its
    text is what `ssis-hub audit verify` checks.
    """
    case_ref = await auditor_case(ctx)
    if not 0 <= first <= last:
        raise InvalidArgument("an export needs 0 <= first <= last", argument="first")
    database = ctx.services.database
    async with database.session() as session:
        await _checked_size(session, last, "last")
    # The exporter opens its own sessions: it signs and stores the head it includes.
    header = await export_header(database, ctx.services.keys, first, last)
    await record_read(ctx, case_ref, "export", {"first": first, "last": last})

    async def lines() -> AsyncIterator[str]:
        yield header_line(header) + "\n"
        async for line in iter_entry_lines(database, header):
            yield line + "\n"

    return lines()


async def export_text(ctx: AdminContext, first: int, last: int) -> str:
    """`open_export`'s whole text, for at most `MAX_EXPORT` entries (one response)."""
    if last - first > MAX_EXPORT:
        await auditor_case(ctx)  # a refused role hears FORBIDDEN_ROLE, not the limit
        raise InvalidArgument(
            f"export at most {MAX_EXPORT} entries at a time", argument="last", limit=MAX_EXPORT
        )
    return "".join([line async for line in await open_export(ctx, first, last)])


async def latest_tree_head(ctx: AdminContext) -> TreeHeadInfo | None:
    """The most recently signed head; None before the first. Not logged: it names no entry."""
    await require_permission(AuditorsOnly, ctx, {})
    head = await heads.latest_head(ctx.services.database)
    return None if head is None else tree_head_info(head)


async def sign_tree_head(ctx: AdminContext) -> TreeHeadInfo:
    """Sign and store a head over the log as it is now (no inquiry: it reads no entry)."""
    await require_permission(AuditorsOnly, ctx, {})
    head = await heads.sign_current(ctx.services.database, ctx.services.keys)
    log.info("%s signed tree head of size %d", ctx.principal.official, head.size)
    return tree_head_info(head)
