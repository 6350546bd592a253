"""Export of a range of the audit log as JSON Lines, with the signed head covering it.

Line 1 is a header: the range [first, last), the hashes of the perfect
subtrees covering [0, first) (so a verifier can resume the tree without the
earlier entries), a freshly signed tree head for size `last`, the stored
signed heads whose sizes fall within [first, last] (older commitments, which
localise a rewrite; see hub.audit.verify) and, for convenience only, the
audit public key. Then one line per entry in sequence order; an entry whose
content retention has removed is a hash-only "pruned" line. The format is
documented in docs/audit.md.

The exporter copies what is stored, leaf hashes included, and judges
nothing: checking is the verifier's job, so a tampered database yields an
export in which the verifier finds the tampering.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from hub.audit.entries import content_of, to_json
from hub.audit.heads import heads_between, public_key_pem, sign_head, store_head, tree_size
from hub.audit.keyset import heads_jwks
from hub.audit.proofs import stored_root
from hub.audit.writer import load_frontier
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.keys import KeyRing

EXPORT_FORMAT = "ssis-hub-audit-export/1"
#: Entries read per query: bounds memory whatever the size of the range.
CHUNK = 2000


def _line(data: dict[str, Any]) -> str:
    # Sorted keys and no spaces, like the leaf encoding, so exports of the
    # same range are byte-identical apart from the fresh head.
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_line(row: AuditEntry) -> dict[str, Any]:
    """The export object of one stored entry: its content, or only its hash if pruned."""
    if row.kind is None or row.occurred_at is None:
        return {"type": "pruned", "seq": row.seq, "leaf_hash": row.leaf_hash.hex()}
    return {"type": "entry", **to_json(row.seq, content_of(row)), "leaf_hash": row.leaf_hash.hex()}


async def export_header(
    db: Database, keys: KeyRing, first: int, last: int | None = None
) -> dict[str, Any]:
    """Sign and store a head for size `last` and build the header of [first, last).

    `last` defaults to the current size of the log. ValueError if the range
    is not within the log.
    """
    async with db.session() as session:
        size = await tree_size(session)
        if last is None:
            last = size
        if not 0 <= first <= last <= size:
            raise ValueError(f"cannot export [{first}, {last}): the log holds entries [0, {size})")
        prefix = (await load_frontier(session, first)).hashes
        root = await stored_root(session, last)
    # Earlier heads first, so the list does not also carry the one signed now.
    earlier = await heads_between(db, first, last)
    head = sign_head(keys, last, root, int(time.time() * 1000))
    async with db.session() as session:
        store_head(session, head)
        await session.commit()
    return {
        "type": "header",
        "format": EXPORT_FORMAT,
        "first": first,
        "last": last,
        "prefix": [h.hex() for h in prefix],
        "tree_head": head.to_json(),
        "heads": [h.to_json() for h in earlier],
        "public_key_pem": public_key_pem(keys),
        # Every key that verifies heads, by kid; a convenience like the PEM: never trust it.
        "public_keys": heads_jwks(keys),
    }


async def iter_export(
    db: Database, keys: KeyRing, first: int = 0, last: int | None = None
) -> AsyncIterator[str]:
    """The lines (without newlines) of the export of [first, last), streamed in chunks."""
    header = await export_header(db, keys, first, last)
    yield _line(header)
    async for line in iter_entry_lines(db, header):
        yield line


def header_line(header: dict[str, Any]) -> str:
    """The header as its line of the export (without the newline)."""
    return _line(header)


async def iter_entry_lines(db: Database, header: dict[str, Any]) -> AsyncIterator[str]:
    """The entry lines (without newlines) of the export `header` begins, in chunks.

    Apart from `iter_export` so that a caller can act between building the
    header (which checks the range and signs its head) and streaming the
    entries: the auditors' export logs the read there, before a byte leaves.
    """
    first: int = header["first"]
    end: int = header["last"]
    cursor = first
    async with db.session() as session:
        while cursor < end:
            rows = list(
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.seq >= cursor, AuditEntry.seq < end)
                    .order_by(AuditEntry.seq)
                    .limit(CHUNK)
                )
            )
            if not rows:
                break  # the rest of the range is missing: the verifier will say so
            for row in rows:
                yield _line(entry_line(row))
            cursor = rows[-1].seq + 1
            # Keep the identity map from growing with the whole range.
            session.expunge_all()


async def export_range(db: Database, keys: KeyRing, first: int, last: int) -> list[str]:
    """All lines of the export of entries [first, last); see `iter_export` for large ranges."""
    return [line async for line in iter_export(db, keys, first, last)]
