"""Verifying the audit log: an export offline, or the live database.

Both feed the entries, in order, to a `Walk` (hub.audit.walk), which
recomputes every leaf hash, checks each entry's place, rebuilds the tree and
checks the signed tree heads. The report names the first index at which the
log stops being the one recorded and what happened there.

`verify_export` is pure: it needs the export's lines and the hub's audit
public keys (a JWKS, each head checked with the key its kid names),
obtained independently of the export (the key inside the header is a
convenience and is never trusted). `verify_database` runs the
same checks over the stored entries, also comparing every stored perfect
subtree and every stored signed head.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.entries import content_of, from_json
from hub.audit.export import EXPORT_FORMAT
from hub.audit.heads import SignedTreeHead, tree_size
from hub.audit.keyset import HeadKeys, as_key_set
from hub.audit.merkle import HASH_SIZE
from hub.audit.walk import Item, Problem, VerifyReport, Walk, head_refusal
from hub.db.models import AuditEntry, AuditNode, AuditTreeHead
from hub.db.session import Database

__all__ = ["ExportHeader", "Problem", "VerifyReport", "verify_database", "verify_export"]

#: Entries read per query by `verify_database`.
CHUNK = 5000


@dataclass(frozen=True)
class ExportHeader:
    """The first line of an export, checked for shape (not yet for truth)."""

    first: int
    last: int
    prefix: list[bytes]
    tree_head: SignedTreeHead
    heads: list[SignedTreeHead]


def _int(value: object, what: str) -> int:
    # Tree sizes and indices are uint64 (RFC 9162), which also bounds the work.
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 64:
        raise ValueError(f"{what} must be an integer in [0, 2**64)")
    return value


def _hash(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * HASH_SIZE:
        raise ValueError(f"{what} must be {2 * HASH_SIZE} hex digits")
    return bytes.fromhex(value)


def _head(value: object, what: str) -> SignedTreeHead:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object")
    head = SignedTreeHead.from_json(value)
    if len(head.root_hash) != HASH_SIZE:
        raise ValueError(f"{what} has no 32-byte root hash")
    return head


def parse_header(line: str) -> ExportHeader:
    """The export's header line; ValueError (or KeyError/TypeError) if malformed."""
    data = json.loads(line)
    if not isinstance(data, dict) or data.get("type") != "header":
        raise ValueError("the first line is not an export header")
    if data.get("format") != EXPORT_FORMAT:
        raise ValueError(f"unknown export format {data.get('format')!r}")
    first, last = _int(data["first"], "first"), _int(data["last"], "last")
    if first > last:
        raise ValueError(f"the range [{first}, {last}) is empty backwards")
    prefix_data = data["prefix"]
    if not isinstance(prefix_data, list) or len(prefix_data) != first.bit_count():
        raise ValueError(f"prefix must list the {first.bit_count()} subtrees covering [0, {first})")
    prefix = [_hash(h, "a prefix hash") for h in prefix_data]
    tree_head = _head(data["tree_head"], "tree_head")
    if tree_head.size != last:
        raise ValueError(f"the tree head's size {tree_head.size} is not the range's end {last}")
    heads_data = data.get("heads", [])
    if not isinstance(heads_data, list):
        raise ValueError("heads must be a list")
    heads = [_head(h, "a signed head") for h in heads_data]
    if any(not first <= h.size <= last for h in heads):
        raise ValueError(f"a signed head lies outside [{first}, {last}]")
    return ExportHeader(first, last, prefix, tree_head, heads)


def parse_entry(line: str) -> Item:
    """One entry line (or pruned line); ValueError (or KeyError/TypeError) if malformed."""
    data: Any = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    kind = data.pop("type", None)
    recorded = _hash(data.pop("leaf_hash", None), "leaf_hash")
    if kind == "pruned":
        if set(data) != {"seq"}:
            raise ValueError("a pruned line holds only type, seq and leaf_hash")
        return Item(_int(data["seq"], "seq"), None, recorded)
    if kind != "entry":
        raise ValueError(f"unknown line type {kind!r}")
    seq, content = from_json(data)
    return Item(_int(seq, "seq"), content, recorded)


def _malformed(message: str, index: int | None = None) -> VerifyReport:
    return VerifyReport(
        ok=False, entries_checked=0, problem=Problem.MALFORMED, first_bad_index=index,
        message=message,
    )  # fmt: skip


def verify_export(lines: Iterable[str], public_key: HeadKeys) -> VerifyReport:
    """Check an export (its lines, with or without newlines) against the hub's public keys.

    `public_key` is the audit key set (each head is checked with the key its
    kid names) or one bare key, tried for every head.
    """
    # Blank lines carry nothing, so a trailing newline or two is no fault.
    stream = (line for line in lines if line.strip())
    header_line = next(stream, None)
    if header_line is None:
        return _malformed("the export is empty: no header line")
    try:
        header = parse_header(header_line)
    except (ValueError, KeyError, TypeError) as exc:
        return _malformed(f"bad header: {exc}")
    keys = as_key_set(public_key)
    refused = head_refusal(keys, header.tree_head)
    if refused is not None:
        problem, _, message = refused
        if problem is Problem.BAD_SIGNATURE:
            message = "the export's tree head does not verify with this public key"
        return VerifyReport(ok=False, entries_checked=0, problem=problem, message=message)
    walk = Walk(keys, end=header.last, first=header.first, prefix=header.prefix)
    walk.add_heads([*header.heads, header.tree_head])
    for line in stream:
        if walk.done:
            break
        try:
            item = parse_entry(line)
        except (ValueError, KeyError, TypeError) as exc:
            if walk.pending:
                break  # the problem already found comes first; classify it with what we saw
            walk.fail(Problem.MALFORMED, walk.expected, f"unreadable entry line: {exc}")
            break
        walk.feed(item)
    report = walk.finish()
    if report.ok:
        # The tree head is what the verdict vouches for, and the walk ended at its size.
        return VerifyReport(
            ok=True,
            entries_checked=report.entries_checked,
            tree_size=header.tree_head.size,
            root_hash=header.tree_head.root_hash,
            pruned=report.pruned,
            heads_checked=report.heads_checked,
        )
    return report


def _row_item(row: AuditEntry) -> Item:
    if row.kind is None or row.occurred_at is None:
        return Item(row.seq, None, row.leaf_hash)
    return Item(row.seq, content_of(row), row.leaf_hash)


async def _heads(session: AsyncSession, low: int, high: int) -> list[SignedTreeHead]:
    rows = await session.scalars(
        select(AuditTreeHead)
        .where(AuditTreeHead.size >= low, AuditTreeHead.size <= high)
        .order_by(AuditTreeHead.size, AuditTreeHead.id)
    )
    return [_head_of(row) for row in rows]


def _head_of(row: AuditTreeHead) -> SignedTreeHead:
    return SignedTreeHead(row.size, row.root_hash, row.timestamp_ms, row.key_id, row.signature)


async def _nodes(session: AsyncSession, start: int, stop: int) -> dict[tuple[int, int], bytes]:
    """The stored perfect subtrees completed by appending leaves [start, stop)."""
    # A node (level, index) is completed by the leaf ending its range,
    # (index + 1) * 2**level, so those ending in (start, stop] are wanted.
    ranges = []
    for level in range(1, stop.bit_length() + 1):
        low, high = start >> level, (stop >> level) - 1
        if high >= low:
            ranges.append(and_(AuditNode.level == level, AuditNode.index.between(low, high)))
    if not ranges:
        return {}
    rows = await session.execute(
        select(AuditNode.level, AuditNode.index, AuditNode.hash).where(or_(*ranges))
    )
    return {(level, index): digest for level, index, digest in rows.all()}


async def verify_database(
    db: Database, public_key: HeadKeys, *, chunk: int = CHUNK
) -> VerifyReport:
    """Check the stored log: leaves, places, stored nodes and every signed head.

    The log is checked as it was when this starts (its size then); entries
    appended meanwhile are left for the next run, not reported.
    """
    async with db.session() as session:
        size = await tree_size(session)
        walk = Walk(public_key, end=size)
        walk.add_heads(await _heads(session, 0, 0))
        heads_to = 0  # heads of sizes up to here have been handed to the walk
        cursor = 0
        while not walk.done and cursor < size:
            rows = list(
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.seq >= cursor, AuditEntry.seq < size)
                    .order_by(AuditEntry.seq)
                    .limit(chunk)
                )
            )
            if not rows:
                break
            top = rows[-1].seq + 1
            walk.add_heads(await _heads(session, heads_to + 1, top))
            heads_to = max(heads_to, top)
            if not walk.pending:
                walk.stored_nodes = await _nodes(session, walk.expected, top)
            for row in rows:
                walk.feed(_row_item(row))
                if walk.done:
                    break
            cursor = top
            session.expunge_all()  # keep memory to one chunk
    if not walk.done and not walk.pending and walk.expected == size:
        await _check_beyond(db, walk, size)
    return walk.finish()


async def _check_beyond(db: Database, walk: Walk, size: int) -> None:
    """Entries or heads beyond the log's size, re-read now (the log may have grown)."""
    async with db.session() as session:
        now = max(await tree_size(session), size)
        extra = await session.scalar(select(func.min(AuditEntry.seq)).where(AuditEntry.seq >= now))
        if extra is not None:
            walk.fail(Problem.EXTENDED, now, f"entry {extra} lies beyond the log's size {now}")
            return
        # Signed heads beyond the log: the log once held more entries than it does now.
        row = await session.scalar(
            select(AuditTreeHead).where(AuditTreeHead.size > now).order_by(AuditTreeHead.size)
        )
    if row is None:
        return
    head = _head_of(row)
    refused = head_refusal(walk.keys, head)
    if refused is not None:
        walk.fail(*refused)
    else:
        walk.fail(
            Problem.TRUNCATED,
            now,
            f"a head was signed for size {head.size} but the log holds {now} entries",
        )
