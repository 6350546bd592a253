"""The auditors' part of the administrative schema: the log, its heads and its proofs.

Every field is for auditors alone (`AuditorsOnly`). Every field that reads
entries (search, an official's activity, proofs, export) names the inquiry
it serves in `Hub-Case-Ref` and is itself logged, as an entry of kind
`audit`, after it has read and before it answers: if that entry cannot be
written the field fails with AUDIT_UNAVAILABLE and returns nothing, as an
agency's request does.

The resolvers only adapt GraphQL to the plain services the console calls
too (`hub.admin.audit_reports`, `hub.admin.audit_proofs`), where the
checks, queries and logging live.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from hub.admin.audit_proofs import (
    MAX_EXPORT,
    consistency_proof,
    export_text,
    inclusion_proof,
    latest_tree_head,
    sign_tree_head,
)
from hub.admin.audit_report_schema import AuditorReportsQuery
from hub.admin.audit_reports import official_activity, search_entries
from hub.admin.audit_types import (
    AuditEntryPage,
    AuditFilter,
    ConsistencyProof,
    InclusionProof,
    Long,
    OfficialActivity,
    TreeHeadInfo,
)
from hub.admin.auditing import DEFAULT_PAGE
from hub.admin.context import AdminContext
from hub.admin.permissions import AuditorsOnly
from hub.audit import heads
from hub.audit.keyset import heads_jwks


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


async def resolve_audit_entries(
    info: strawberry.Info,
    filter: AuditFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> AuditEntryPage:
    """Entries matching every condition given, newest first, one page."""
    return await search_entries(_ctx(info), filter, first, after)


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
    return await official_activity(_ctx(info), official, from_, to, agency, first, after)


async def resolve_inclusion_proof(
    info: strawberry.Info, seq: Long, tree_size: Long
) -> InclusionProof:
    """Proof that entry `seq` is leaf `seq` of the tree of the first `treeSize` entries."""
    return await inclusion_proof(_ctx(info), seq, tree_size)


async def resolve_consistency_proof(
    info: strawberry.Info, from_size: Long, to_size: Long
) -> ConsistencyProof:
    """Proof that the tree of `fromSize` entries is a prefix of the tree of `toSize`."""
    return await consistency_proof(_ctx(info), from_size, to_size)


async def resolve_export_range(info: strawberry.Info, first: Long, last: Long) -> str:
    """Entries [first, last) as JSON Lines, after a header with a head signed for `last`."""
    return await export_text(_ctx(info), first, last)


async def resolve_latest_tree_head(info: strawberry.Info) -> TreeHeadInfo | None:
    """The most recently signed head; null before the first."""
    return await latest_tree_head(_ctx(info))


def resolve_audit_public_key(info: strawberry.Info) -> str:
    """The key tree heads are signed with, as PEM, for offline verification."""
    return heads.public_key_pem(_ctx(info).services.keys)


def resolve_audit_public_keys(info: strawberry.Info) -> JSON:
    """Every key that verifies tree heads, as a public JWKS, the signing key first."""
    return JSON(heads_jwks(_ctx(info).services.keys))


async def resolve_sign_tree_head(info: strawberry.Info) -> TreeHeadInfo:
    """Sign and store a head over the log as it is now."""
    return await sign_tree_head(_ctx(info))


@strawberry.type
class AuditorQuery(AuditorReportsQuery):
    """What auditors may look up (the charts, checked heads and entry proofs inherited)."""

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
