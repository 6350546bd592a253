"""The audit log's single writer: group commit of many requests' entries.

Requests hand their entries to `AuditWriter.append` and wait. One batch at a
time is written in one transaction: the tree size is advanced first (an
UPDATE of the one audit_state row, which serialises writers across
processes on both SQLite and PostgreSQL), then the entries get the next
sequence numbers, their leaf hashes extend the Merkle frontier, and the
perfect subtrees completed on the way are stored. Everyone in the batch
learns of the commit together, so durability costs one transaction per
batch, not per request. If the transaction fails, every request in it gets
AuditUnavailable and releases nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.entries import EntryContent, row_values
from hub.audit.merkle import Frontier, frontier_nodes
from hub.db.models import AuditEntry, AuditNode, AuditState, Consent, ConsentEvent, utcnow
from hub.db.session import Database
from hub.db.upsert import dialect_insert

log = logging.getLogger("hub.audit")


class AuditUnavailable(Exception):
    """The audit log could not be written; no data may leave."""


class ConsentAlreadyUsed(Exception):
    """A one-time consent the entries release data under was spent by another request.

    Nothing of the submission was written; the data it covers may not leave.
    """


@dataclass
class Submission:
    """One request's entries, and what it must write beside them."""

    entries: Sequence[EntryContent]
    side_rows: Sequence[tuple[type[Any], list[dict[str, Any]]]] = ()
    #: One-time consents the entries release data under: spent in the same transaction.
    spends: Sequence[str] = ()
    future: asyncio.Future[list[int]] | None = field(default=None, repr=False)


async def load_frontier(session: AsyncSession, size: int) -> Frontier:
    """The stored right edge of the tree of `size` leaves."""
    wanted = frontier_nodes(size)
    hashes: list[bytes] = []
    for level, index in wanted:
        if level == 0:
            value = await session.scalar(
                select(AuditEntry.leaf_hash).where(AuditEntry.seq == index)
            )
        else:
            value = await session.scalar(
                select(AuditNode.hash).where(AuditNode.level == level, AuditNode.index == index)
            )
        if value is None:
            raise AuditUnavailable(f"the stored tree lacks node ({level}, {index})")
        hashes.append(value)
    return Frontier(size, hashes)


class AuditWriter:
    """Group-commits entries; one instance per process and database."""

    def __init__(self, db: Database, *, max_batch: int = 5000) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: list[Submission] = []
        self._task: asyncio.Task[None] | None = None
        self._frontier: Frontier | None = None
        self._known: dict[tuple[str, tuple[Any, ...]], None] = {}
        self.batches_written = 0
        #: Called after each batch with (entries, seconds, committed), e.g. for metrics.
        self.on_batch: Callable[[int, float, bool], None] | None = None

    def _observe(self, entries: int, started: float, committed: bool) -> None:
        if self.on_batch is None:
            return
        try:
            self.on_batch(entries, time.perf_counter() - started, committed)
        except Exception:
            log.exception("audit batch observer failed")

    def _remember(self, keys: list[tuple[str, tuple[Any, ...]]]) -> None:
        # Insertion-ordered dict as a bounded set: the oldest keys go first.
        for key in keys:
            self._known[key] = None
        overflow = len(self._known) - _KNOWN_ROWS
        for key in list(self._known)[: max(overflow, 0)]:
            del self._known[key]

    async def append(
        self,
        entries: Sequence[EntryContent],
        side_rows: Sequence[tuple[type[Any], list[dict[str, Any]]]] = (),
        spends: Sequence[str] = (),
    ) -> list[int]:
        """Durably log `entries`; returns their sequence numbers once committed.

        `spends` are one-time consents marked used in the same transaction;
        if another request spent one first, nothing of this submission is
        written and ConsentAlreadyUsed is raised.
        """
        if not entries:
            return []
        submission = Submission(
            entries, side_rows, spends, asyncio.get_running_loop().create_future()
        )
        self._queue.append(submission)
        if self._task is None or self._task.done():
            # The task lives only while there is work, so nothing is left
            # running between requests or when an app is dropped.
            self._task = asyncio.create_task(self._drain())
        assert submission.future is not None
        return await submission.future

    async def _drain(self) -> None:
        while self._queue:
            batch: list[Submission] = []
            count = 0
            while self._queue and (
                not batch or count + len(self._queue[0].entries) <= self.max_batch
            ):
                item = self._queue.pop(0)
                batch.append(item)
                count += len(item.entries)
            started = time.perf_counter()
            try:
                batch, seqs = await self._write(batch)
            except Exception as exc:
                self._observe(count, started, committed=False)
                self._frontier = None
                log.error("audit batch of %d entries not written: %s", count, exc)
                failure = AuditUnavailable(f"access log not writable ({type(exc).__name__})")
                # Kept as the cause: a database that cannot be reached is an
                # outage (503 on every endpoint), not a refusal to write.
                failure.__cause__ = exc
                for item in batch:
                    if item.future is not None and not item.future.done():
                        item.future.set_exception(failure)
                continue
            self._observe(sum(len(item.entries) for item in batch), started, committed=True)
            offset = 0
            for item in batch:
                n = len(item.entries)
                if item.future is not None and not item.future.done():
                    item.future.set_result(seqs[offset : offset + n])
                offset += n

    async def _write(self, batch: list[Submission]) -> tuple[list[Submission], list[int]]:
        """Write the batch in one transaction; returns the submissions written and their seqs.

        A submission whose one-time consent another request spent first is
        answered ConsentAlreadyUsed here and left out of the batch.
        """
        async with self.db.session() as session:
            # The tree-size row is locked first, by the transaction's first
            # statement (a write, so SQLite takes its write lock at once and
            # never has to upgrade a read lock): every writer, in any process,
            # then takes its other locks (consents, subjects, pseudonyms) in
            # the same order behind it, so two writers can never deadlock.
            total = sum(len(item.entries) for item in batch)
            new_size = await _advance_size(session, total)
            if any(item.spends for item in batch):
                batch = await _spend_consents(session, batch)
                if not batch:
                    await session.rollback()
                    return [], []
                kept = sum(len(item.entries) for item in batch)
                if kept != total:
                    new_size = await _advance_size(session, kept - total)
            contents = [c for item in batch for c in item.entries]
            start = new_size - len(contents)
            dialect = session.get_bind().dialect.name
            written: list[tuple[str, tuple[Any, ...]]] = []
            for model, keyed in _merged_side_rows(batch):
                # Subjects and pseudonyms never change once written, so rows
                # this writer has committed before need not be sent again.
                fresh = [row for key, row in keyed if (model.__tablename__, key) not in self._known]
                if fresh:
                    await session.execute(_insert_ignoring(dialect, model), fresh)
                    # Rows written once per request (request plans) would only
                    # push the subjects and pseudonyms out of the bounded memory.
                    if getattr(model, "remember_written", True):
                        written += [(model.__tablename__, key) for key, _ in keyed]
            frontier = self._frontier
            if frontier is None or frontier.size != start:
                # Another process wrote since our last batch: resume from the store.
                frontier = await load_frontier(session, start)
            else:
                frontier = Frontier(frontier.size, frontier.hashes)
            rows, nodes = [], []
            for offset, content in enumerate(contents):
                values = row_values(start + offset, content)
                rows.append(values)
                for level, index, digest in frontier.append(values["leaf_hash"]):
                    if level > 0:
                        nodes.append({"level": level, "index": index, "hash": digest})
            await _insert_batch(session, dialect, rows, nodes)
            await session.commit()
        self._remember(written)
        self._frontier = frontier
        self.batches_written += 1
        return batch, list(range(start, new_size))


async def _advance_size(session: AsyncSession, by: int) -> int:
    """Add `by` to the tree size (locking its row) and return the new size."""
    return (
        await session.execute(
            update(AuditState)
            .where(AuditState.id == 1)
            .values(size=AuditState.size + by)
            .returning(AuditState.size)
        )
    ).scalar_one()


async def _spend_consents(session: AsyncSession, batch: list[Submission]) -> list[Submission]:
    """Spend the batch's one-time consents; the submissions whose consents were all unspent.

    The consent rows are locked in id order (after the tree-size row, which
    every writer takes first; an officer's consent change locks one consent
    row and nothing else, so no order of the two can deadlock) and read; the
    first submission in the batch to claim a consent gets it. A loser's
    future gets ConsentAlreadyUsed, and it is left out of the transaction.
    """
    claimed = sorted({c for item in batch for c in item.spends})
    rows = await session.execute(
        select(Consent.id, Consent.used_at)
        .where(Consent.id.in_(claimed))
        .order_by(Consent.id)
        .with_for_update()
    )
    unspent = {consent_id for consent_id, used_at in rows.all() if used_at is None}
    kept: list[Submission] = []
    spent: list[str] = []
    for item in batch:
        wanted = set(item.spends)
        if wanted <= unspent:
            unspent -= wanted
            spent += sorted(wanted)
            kept.append(item)
        elif item.future is not None and not item.future.done():
            item.future.set_exception(
                ConsentAlreadyUsed("a one-time consent was used by another request first")
            )
    if spent:
        now = utcnow()
        await session.execute(update(Consent).where(Consent.id.in_(spent)).values(used_at=now))
        await session.execute(
            insert(ConsentEvent),
            [{"consent_id": c, "actor": "hub", "action": "used", "at": now} for c in spent],
        )
    return kept


def _merged_side_rows(
    batch: Sequence[Submission],
) -> list[tuple[type[Any], list[tuple[tuple[Any, ...], dict[str, Any]]]]]:
    """The batch's side rows per table with their keys, in first-seen table order, sorted by key.

    Sorting makes every writer lock the same rows in the same order.
    """
    merged: dict[type[Any], dict[tuple[Any, ...], dict[str, Any]]] = {}
    for item in batch:
        for model, rows in item.side_rows:
            keys = [c.name for c in model.__table__.primary_key.columns]
            table = merged.setdefault(model, {})
            for row in rows:
                table.setdefault(tuple(row[k] for k in keys), row)
    return [(model, [(k, rows[k]) for k in sorted(rows)]) for model, rows in merged.items() if rows]


async def _insert_batch(
    session: AsyncSession,
    dialect: str,
    rows: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
) -> None:
    """Insert the batch's entries and nodes: COPY on PostgreSQL, executemany elsewhere.

    Binding parameters through SQLAlchemy was the largest per-entry cost
    left; COPY hands asyncpg the values as they are, on the session's own
    connection, inside the batch's transaction.
    """
    if dialect != "postgresql":
        # Core executemany of one statement: the ORM's bulk path and multi-row
        # VALUES compiled afresh per batch cost more than the database's work.
        await session.execute(_ENTRY_INSERT, rows)
        if nodes:
            await session.execute(_NODE_INSERT, nodes)
        return
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    records = [
        (
            *(row[c] for c in _PLAIN_COLUMNS),
            _json_text(row["released"]),
            _json_text(row["refused"]),
            _json_text(row["consent_ids"]),
        )
        for row in rows
    ]
    await driver.copy_records_to_table(  # type: ignore[union-attr]
        AuditEntry.__tablename__, records=records, columns=_COPY_COLUMNS
    )
    if nodes:
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            AuditNode.__tablename__,
            records=[(n["level"], n["index"], n["hash"]) for n in nodes],
            columns=["level", "index", "hash"],
        )


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


_JSON_COLUMNS = ("released", "refused", "consent_ids")
_PLAIN_COLUMNS = tuple(
    c
    for c in ("seq", *(f.name for f in fields(EntryContent)), "leaf_hash")
    if c not in _JSON_COLUMNS
)
_COPY_COLUMNS = [*_PLAIN_COLUMNS, *_JSON_COLUMNS]
_KNOWN_ROWS = 200_000
_ENTRY_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]
_NODE_INSERT = insert(AuditNode.__table__)  # type: ignore[arg-type]
_SIDE_INSERTS: dict[tuple[str, type[Any]], Any] = {}


def _insert_ignoring(dialect: str, model: type[Any]) -> Any:
    """A cached INSERT … ON CONFLICT DO NOTHING for executemany on `dialect`."""
    key = (dialect, model)
    if key not in _SIDE_INSERTS:
        _SIDE_INSERTS[key] = dialect_insert(dialect, model.__table__).on_conflict_do_nothing()
    return _SIDE_INSERTS[key]
