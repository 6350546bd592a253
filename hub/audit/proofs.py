"""Roots and proofs for the stored log, reading only the nodes they need.

The RFC 9162 algorithms only ever ask for subtrees that fold from perfect
aligned subtrees, and which ones depends only on sizes and indices, never
on hash values. So a proof is computed twice: once against a recorder that
notes the ranges asked for, then, after loading exactly those perfect
subtrees in one query each for leaves and nodes, against the loaded hashes.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.merkle import PerfectNodeSource, consistency_proof, inclusion_proof, subtree_nodes
from hub.db.models import AuditEntry, AuditNode

_PLACEHOLDER = bytes(32)


class _Recorder:
    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def subtree(self, start: int, end: int) -> bytes:
        self.ranges.append((start, end))
        return _PLACEHOLDER


async def _loaded_source(session: AsyncSession, ranges: list[tuple[int, int]]) -> PerfectNodeSource:
    needed = {node for start, end in ranges if end > start for node in subtree_nodes(start, end)}
    leaves = sorted(index for level, index in needed if level == 0)
    inner = sorted((level, index) for level, index in needed if level > 0)
    found: dict[tuple[int, int], bytes] = {}
    if leaves:
        rows = await session.execute(
            select(AuditEntry.seq, AuditEntry.leaf_hash).where(AuditEntry.seq.in_(leaves))
        )
        found.update({(0, seq): digest for seq, digest in rows.all()})
    if inner:
        node_rows = await session.execute(
            select(AuditNode.level, AuditNode.index, AuditNode.hash).where(
                tuple_(AuditNode.level, AuditNode.index).in_(inner)
            )
        )
        found.update({(level, index): digest for level, index, digest in node_rows.all()})
    missing = needed - set(found)
    if missing:
        raise LookupError(f"the stored tree lacks nodes {sorted(missing)[:3]}")
    return PerfectNodeSource(lambda level, index: found[(level, index)])


async def _run(session: AsyncSession, compute: Callable[[object], list[bytes]]) -> list[bytes]:
    recorder = _Recorder()
    compute(recorder)
    return compute(await _loaded_source(session, recorder.ranges))


async def stored_root(session: AsyncSession, size: int) -> bytes:
    """MTH of the first `size` stored entries."""
    source = await _loaded_source(session, [(0, size)])
    return source.subtree(0, size)


async def stored_inclusion_proof(session: AsyncSession, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries."""
    return await _run(session, lambda source: inclusion_proof(index, size, source))  # type: ignore[arg-type]


async def stored_consistency_proof(session: AsyncSession, old: int, new: int) -> list[bytes]:
    """RFC 9162 consistency proof between the trees of `old` and `new` entries."""
    return await _run(session, lambda source: consistency_proof(old, new, source))  # type: ignore[arg-type]
