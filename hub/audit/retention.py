"""Retention: old entries lose their content and keep their place in the tree.

Pruning sets every content column of an entry older than the cutoff to
NULL and stamps `pruned_at`; the sequence number and the leaf hash stay.
So the Merkle tree, the stored subtrees, every signed tree head and every
proof about later (or earlier) entries remain verifiable, while what the
entry said about a person is gone for good: after pruning, the log proves
only that an entry existed at that place, not what it recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, null, select, update

from hub.audit.entries import EntryContent
from hub.db.models import AuditEntry, RequestPlan, utcnow
from hub.db.session import Database
from hub.settings import Settings

#: Entries pruned per transaction, so a first prune of years of log does
#: not hold one enormous transaction (and its locks) open.
BATCH = 5000

#: The columns holding an entry's content: exactly the fields of EntryContent.
CONTENT_COLUMNS = tuple(EntryContent.__dataclass_fields__)


def default_cutoff(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    """Entries that occurred before this are past retention (`audit_retention_days`)."""
    return (now or utcnow()) - dt.timedelta(days=settings.audit_retention_days)


async def prune(db: Database, older_than: dt.datetime) -> int:
    """Remove the content of entries that occurred before `older_than`; return how many.

    The request plans recorded with them (`request_plans`) are deleted too.
    """
    if older_than.tzinfo is None:
        raise ValueError("the cutoff must be timezone-aware")
    # SQLite keeps times as UTC wall-clock text, so compare in UTC everywhere.
    older_than = older_than.astimezone(dt.UTC)
    # SQL NULL, not JSON null, in the JSON columns too: nothing of the content stays.
    cleared = {name: null() for name in CONTENT_COLUMNS}
    # What the requests asked for goes with the entries' content: it says
    # which agency asked what, when, under which purpose.
    await _prune_plans(db, older_than)
    total = 0
    while True:
        async with db.session() as session:
            # Pruned rows have no occurred_at any more, so they never match again.
            seqs = list(
                await session.scalars(
                    select(AuditEntry.seq)
                    .where(AuditEntry.occurred_at < older_than)
                    .order_by(AuditEntry.seq)
                    .limit(BATCH)
                )
            )
            if not seqs:
                return total
            await session.execute(
                update(AuditEntry)
                .where(AuditEntry.seq.in_(seqs))
                .values(**cleared, pruned_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        total += len(seqs)


async def _prune_plans(db: Database, older_than: dt.datetime) -> None:
    """Delete the request plans (`request_plans`) recorded before the cutoff, in batches."""
    while True:
        async with db.session() as session:
            ids = list(
                await session.scalars(
                    select(RequestPlan.request_id)
                    .where(RequestPlan.occurred_at < older_than)
                    .limit(BATCH)
                )
            )
            if not ids:
                return
            await session.execute(delete(RequestPlan).where(RequestPlan.request_id.in_(ids)))
            await session.commit()
