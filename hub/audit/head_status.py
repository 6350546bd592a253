"""The stored signed tree heads, newest first, each checked as an auditor would.

For every head: does its signature verify with the key its `key_id` names
in the published key set, is that key in the set at all, and is the tree it
commits to consistent with the head signed just before it (an RFC 9162
consistency proof from the stored nodes, checked against the two signed
roots)? A rewrite of the log between two heads, or a head re-signed over a
different history, shows as `consistent_with_previous = False` there.

"Previous" is the previous head in signing order, not in size: an export
signs a head for the end of its range, which may be smaller than a head
signed before it, so the proof runs from the smaller tree to the larger.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.heads import SignedTreeHead, tree_size, verify_head
from hub.audit.keyset import AuditPublicKeys
from hub.audit.merkle import verify_consistency
from hub.audit.proofs import stored_consistency_proof
from hub.db.models import AuditTreeHead


@dataclass(frozen=True)
class HeadStatus:
    """One stored head and what checking it found."""

    #: The head's row id: the cursor of the next page (older heads have smaller ids).
    id: int
    head: SignedTreeHead
    #: The key set holds a key of the head's `key_id`.
    key_known: bool
    #: The signature verifies with that key (False when the key is unknown).
    signature_valid: bool
    #: Consistent with the head signed before it; None for the first head ever signed.
    consistent_with_previous: bool | None


def _head_of(row: AuditTreeHead) -> SignedTreeHead:
    return SignedTreeHead(row.size, row.root_hash, row.timestamp_ms, row.key_id, row.signature)


async def consistent(
    session: AsyncSession, older: SignedTreeHead, newer: SignedTreeHead, log_size: int
) -> bool:
    """Whether the two signed roots are consistent, by a proof from the stored nodes.

    False, too, when the stored log cannot prove it: a head beyond the
    log's size (the log was truncated) or a node missing from storage.
    """
    small, large = sorted((older, newer), key=lambda h: h.size)
    if large.size > log_size:
        return False
    if small.size == 0 or small.size == large.size:
        # RFC 9162 has no proof for these; the rule is in verify_consistency.
        proof: list[bytes] = []
    else:
        try:
            proof = await stored_consistency_proof(session, small.size, large.size)
        except LookupError:
            return False
    return verify_consistency(small.size, large.size, small.root_hash, large.root_hash, proof)


async def head_statuses(
    session: AsyncSession, keys: AuditPublicKeys, first: int, before_id: int | None = None
) -> tuple[list[HeadStatus], int | None]:
    """Up to `first` heads with ids below `before_id`, newest first, checked; and the next cursor.

    Heads are ordered by row id, the order they were stored in (a head's
    own timestamp comes from the signer's clock, which two processes need
    not share).
    """
    stmt = select(AuditTreeHead).order_by(AuditTreeHead.id.desc()).limit(first + 2)
    if before_id is not None:
        stmt = stmt.where(AuditTreeHead.id < before_id)
    # One more row than the page for the cursor, and one more for the last
    # head's predecessor.
    rows = list(await session.scalars(stmt))
    log_size = await tree_size(session)
    statuses: list[HeadStatus] = []
    for index, row in enumerate(rows[:first]):
        head = _head_of(row)
        known = keys.key_for(head.key_id) is not None
        previous = rows[index + 1] if index + 1 < len(rows) else None
        statuses.append(
            HeadStatus(
                id=row.id,
                head=head,
                key_known=known,
                signature_valid=known and verify_head(keys, head),
                consistent_with_previous=None
                if previous is None
                else await consistent(session, _head_of(previous), head, log_size),
            )
        )
    next_id = statuses[-1].id if len(rows) > first and statuses else None
    return statuses, next_id


async def head_of_size(session: AsyncSession, size: int) -> SignedTreeHead | None:
    """The most recently stored head for exactly `size` entries, if any."""
    row = await session.scalar(
        select(AuditTreeHead)
        .where(AuditTreeHead.size == size)
        .order_by(AuditTreeHead.id.desc())
        .limit(1)
    )
    return None if row is None else _head_of(row)


async def covering_head(session: AsyncSession, seq: int) -> SignedTreeHead | None:
    """The most recently stored head whose tree contains entry `seq`, if any."""
    row = await session.scalar(
        select(AuditTreeHead)
        .where(AuditTreeHead.size > seq)
        .order_by(AuditTreeHead.id.desc())
        .limit(1)
    )
    return None if row is None else _head_of(row)
