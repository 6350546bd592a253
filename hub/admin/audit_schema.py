"""The auditors' part of the administrative schema: the log, its heads and its proofs.

Every field is for auditors alone (`AuditorsOnly`). Every field that reads
entries (search, an official's activity, proofs, export) names the inquiry
it serves in `Hub-Case-Ref` and is itself logged, as an entry of kind
`audit`, after it has read and before it answers: if that entry cannot be
written the field fails with AUDIT_UNAVAILABLE and returns nothing, as an
agency's request does.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from hub.admin.audit_types import (
    ActivityCount,
    AuditEntryPage,
    AuditFilter,
    ConsistencyProof,
    InclusionProof,
    Long,
    OfficialActivity,
    TreeHeadInfo,
    page_info,
    tree_head_info,
)
from hub.admin.auditing import (
    DEFAULT_PAGE,
    EntryQuery,
    activity_counts,
    checked_moment,
    cursor_seq,
    entry_page,
    page_size,
    person_pseudonyms,
    record_read,
    required_case_ref,
)
from hub.admin.context import AdminContext
from hub.admin.errors import InvalidArgument
from hub.admin.permissions import AuditorsOnly
from hub.audit import heads
from hub.audit.export import export_range
from hub.audit.keyset import heads_jwks
from hub.audit.proofs import stored_consistency_proof, stored_inclusion_proof, stored_root
from hub.db.models import AuditEntry
from hub.identity.rrn import parse_rrn
from hub.identity.subjects import person_id

log = logging.getLogger("hub.admin")

T = TypeVar("T")

#: Most entries one `exportRange` answers: the whole text travels in one response.
MAX_EXPORT = 50_000


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


async def _audited(
    ctx: AdminContext,
    case_ref: str,
    operation: str,
    arguments: Mapping[str, Any],
    read: Callable[[AsyncSession], Awaitable[T]],
) -> T:
    """Read in a session of its own, log the read, then hand the result back."""
    async with ctx.services.database.session() as session:
        result = await read(session)
    # The read session is closed first: on SQLite the writer needs the lock.
    await record_read(ctx, case_ref, operation, arguments)
    return result


async def resolve_audit_entries(
    info: strawberry.Info,
    filter: AuditFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> AuditEntryPage:
    """Entries matching every condition given, newest first, one page."""
    ctx = _ctx(info)
    case_ref = required_case_ref(ctx)
    services = ctx.services
    wanted = filter or AuditFilter()
    size, below = page_size(first), cursor_seq(after)
    since, until = checked_moment(wanted.from_, "from"), checked_moment(wanted.to, "to")
    rrn = parse_rrn(wanted.rrn).digits if wanted.rrn is not None else None
    conditions = {
        "subject": person_id(services.keys, rrn) if rrn is not None else None,
        "agency": wanted.agency,
        "official": wanted.official,
        "purpose": wanted.purpose,
        "case_ref": wanted.case_ref,
        "outcome": wanted.outcome,
        "kind": wanted.kind,
        "from": wanted.from_,
        "to": wanted.to,
    }

    async def read(session: AsyncSession) -> AuditEntryPage:
        persons = None
        if rrn is not None:
            persons = await person_pseudonyms(session, services.keys, services.catalog, rrn)
        query = EntryQuery(
            persons=persons,
            agency=wanted.agency,
            official=wanted.official,
            purpose=wanted.purpose,
            case_ref=wanted.case_ref,
            outcome=wanted.outcome,
            kind=wanted.kind,
            since=since,
            until=until,
        )
        return page_info(*await entry_page(session, query, size, below))

    arguments = {"filter": conditions, "first": first, "after": after}
    return await _audited(ctx, case_ref, "search", arguments, read)


async def resolve_official_activity(
    info: strawberry.Info,
    official: str,
    from_: Annotated[dt.datetime | None, strawberry.argument(name="from")] = None,
    to: dt.datetime | None = None,
    agency: str | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> OfficialActivity:
    """Counts per agency, purpose and outcome, and the entries, newest first."""
    ctx = _ctx(info)
    case_ref = required_case_ref(ctx)
    size, below = page_size(first), cursor_seq(after)
    since, until = checked_moment(from_, "from"), checked_moment(to, "to")
    query = EntryQuery(official=official, agency=agency, since=since, until=until)

    async def read(session: AsyncSession) -> OfficialActivity:
        counts = [
            ActivityCount(agency=a, purpose=p, outcome=o, count=Long(n))
            for a, p, o, n in await activity_counts(session, query)
        ]
        return OfficialActivity(
            official=official,
            total=Long(sum(c.count for c in counts)),
            counts=counts,
            entries=page_info(*await entry_page(session, query, size, below)),
        )

    arguments = {
        "official": official,
        "agency": agency,
        "from": from_,
        "to": to,
        "first": first,
        "after": after,
    }
    return await _audited(ctx, case_ref, "activity", arguments, read)


async def _checked_size(session: AsyncSession, size: int, name: str) -> int:
    current = await heads.tree_size(session)
    if size > current:
        raise InvalidArgument(
            f"{name} {size} exceeds the log's current size {current}", argument=name
        )
    return current


async def resolve_inclusion_proof(
    info: strawberry.Info, seq: Long, tree_size: Long
) -> InclusionProof:
    """Proof that entry `seq` is leaf `seq` of the tree of the first `treeSize` entries."""
    ctx = _ctx(info)
    case_ref = required_case_ref(ctx)
    if seq < 0:
        raise InvalidArgument("seq must not be negative", argument="seq")
    if tree_size <= seq:
        raise InvalidArgument(
            f"a tree of {tree_size} entries does not contain entry {seq}: "
            "treeSize must be greater than seq",
            argument="treeSize",
        )

    async def read(session: AsyncSession) -> InclusionProof:
        await _checked_size(session, tree_size, "treeSize")
        leaf = await session.scalar(select(AuditEntry.leaf_hash).where(AuditEntry.seq == seq))
        if leaf is None:  # below the stored size every leaf exists; this is corruption
            raise LookupError(f"entry {seq} is missing from the stored log")
        path = await stored_inclusion_proof(session, seq, tree_size)
        return InclusionProof(
            leaf_index=seq,
            tree_size=tree_size,
            leaf_hash=leaf.hex(),
            audit_path=[p.hex() for p in path],
            root_hash=(await stored_root(session, tree_size)).hex(),
        )

    arguments = {"seq": seq, "tree_size": tree_size}
    return await _audited(ctx, case_ref, "inclusion_proof", arguments, read)


async def resolve_consistency_proof(
    info: strawberry.Info, from_size: Long, to_size: Long
) -> ConsistencyProof:
    """Proof that the tree of `fromSize` entries is a prefix of the tree of `toSize`."""
    ctx = _ctx(info)
    case_ref = required_case_ref(ctx)
    if not 0 < from_size <= to_size:
        # RFC 9162 has no proof from the empty tree: it is a prefix of every tree.
        raise InvalidArgument("consistency needs 0 < fromSize <= toSize", argument="fromSize")

    async def read(session: AsyncSession) -> ConsistencyProof:
        await _checked_size(session, to_size, "toSize")
        proof = await stored_consistency_proof(session, from_size, to_size)
        return ConsistencyProof(
            from_size=from_size,
            to_size=to_size,
            proof=[p.hex() for p in proof],
            from_root=(await stored_root(session, from_size)).hex(),
            to_root=(await stored_root(session, to_size)).hex(),
        )

    arguments = {"from_size": from_size, "to_size": to_size}
    return await _audited(ctx, case_ref, "consistency_proof", arguments, read)


async def resolve_export_range(info: strawberry.Info, first: Long, last: Long) -> str:
    """Entries [first, last) as JSON Lines, after a header with a head signed for `last`."""
    ctx = _ctx(info)
    case_ref = required_case_ref(ctx)
    if not 0 <= first <= last:
        raise InvalidArgument("an export needs 0 <= first <= last", argument="first")
    if last - first > MAX_EXPORT:
        raise InvalidArgument(
            f"export at most {MAX_EXPORT} entries at a time", argument="last", limit=MAX_EXPORT
        )
    database = ctx.services.database
    async with database.session() as session:
        await _checked_size(session, last, "last")
    # The exporter opens its own sessions: it signs and stores the head it includes.
    lines = await export_range(database, ctx.services.keys, first, last)
    await record_read(ctx, case_ref, "export", {"first": first, "last": last})
    return "".join(f"{line}\n" for line in lines)


async def resolve_latest_tree_head(info: strawberry.Info) -> TreeHeadInfo | None:
    """The most recently signed head; null before the first."""
    head = await heads.latest_head(_ctx(info).services.database)
    return None if head is None else tree_head_info(head)


def resolve_audit_public_key(info: strawberry.Info) -> str:
    """The key tree heads are signed with, as PEM, for offline verification."""
    return heads.public_key_pem(_ctx(info).services.keys)


def resolve_audit_public_keys(info: strawberry.Info) -> JSON:
    """Every key that verifies tree heads, as a public JWKS, the signing key first."""
    return JSON(heads_jwks(_ctx(info).services.keys))


async def resolve_sign_tree_head(info: strawberry.Info) -> TreeHeadInfo:
    """Sign and store a head over the log as it is now."""
    ctx = _ctx(info)
    head = await heads.sign_current(ctx.services.database, ctx.services.keys)
    log.info("%s signed tree head of size %d", ctx.principal.official, head.size)
    return tree_head_info(head)


@strawberry.type
class AuditorQuery:
    """What auditors may look up."""

    audit_entries: AuditEntryPage = strawberry.field(
        resolver=resolve_audit_entries,
        permission_classes=[AuditorsOnly],
        description="Entries, suppressed ones included, newest first; `first` is 1 to 500, "
        "`after` a previous page's `nextCursor`. Logged; needs Hub-Case-Ref.",
    )
    official_activity: OfficialActivity = strawberry.field(
        resolver=resolve_official_activity,
        permission_classes=[AuditorsOnly],
        description="What an official did in [from, to): counts per agency, purpose and "
        "outcome, and the entries. Logged; needs Hub-Case-Ref.",
    )
    latest_tree_head: TreeHeadInfo | None = strawberry.field(
        resolver=resolve_latest_tree_head,
        permission_classes=[AuditorsOnly],
        description="The most recently signed tree head.",
    )
    audit_public_key: str = strawberry.field(
        resolver=resolve_audit_public_key,
        permission_classes=[AuditorsOnly],
        description="The Ed25519 public key signing new tree heads, PEM (older heads may "
        "name retired keys: see auditPublicKeys).",
    )
    audit_public_keys: JSON = strawberry.field(
        resolver=resolve_audit_public_keys,
        permission_classes=[AuditorsOnly],
        description="Every key that verifies tree heads (the signing key first and the "
        "retired ones still kept), as a public JWKS: heads are checked with the key their "
        "keyId names. The same set as GET /audit/keys.json.",
    )
    inclusion_proof: InclusionProof = strawberry.field(
        resolver=resolve_inclusion_proof,
        permission_classes=[AuditorsOnly],
        description="Inclusion proof of entry `seq` in the tree of `treeSize` entries "
        "(seq < treeSize <= the log's size). Logged; needs Hub-Case-Ref.",
    )
    consistency_proof: ConsistencyProof = strawberry.field(
        resolver=resolve_consistency_proof,
        permission_classes=[AuditorsOnly],
        description="Consistency proof between the trees of `fromSize` and `toSize` entries "
        "(0 < fromSize <= toSize <= the log's size). Logged; needs Hub-Case-Ref.",
    )
    export_range: str = strawberry.field(
        resolver=resolve_export_range,
        permission_classes=[AuditorsOnly],
        description="Entries [first, last) as JSON Lines (docs/audit.md): a header with a "
        "tree head signed for `last` and the hashes covering [0, first), then one line per "
        f"entry; at most {MAX_EXPORT} entries. Logged; needs Hub-Case-Ref.",
    )


@strawberry.type
class AuditorMutation:
    """What auditors may change: nothing but adding a signed head."""

    sign_tree_head: TreeHeadInfo = strawberry.mutation(
        resolver=resolve_sign_tree_head,
        permission_classes=[AuditorsOnly],
        description="Sign a tree head over the log as it is now.",
    )
