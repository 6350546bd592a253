"""Retention: old entries lose their content; the tree, heads and proofs stay verifiable."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, update

from hub.audit.export import export_range
from hub.audit.heads import sign_current
from hub.audit.merkle import verify_consistency, verify_inclusion
from hub.audit.proofs import stored_consistency_proof, stored_inclusion_proof, stored_root
from hub.audit.retention import CONTENT_COLUMNS, default_cutoff, prune
from hub.audit.verify import Problem, verify_database, verify_export
from hub.db.models import AuditEntry, RequestPlan, utcnow
from hub.db.session import Database
from hub.keys import KeyRing
from hub.settings import Settings
from tests.hub.audit.logbook import execute, write_log

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


async def test_prune_keeps_the_tree_verifiable(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 12, head_sizes=(6, 12))
    cutoff = utcnow()
    await write_log(database, keys, 8, head_sizes=(20,), start=12)
    async with database.session() as session:
        root_before = await stored_root(session, 20)

    assert await prune(database, cutoff) == 12
    assert await prune(database, cutoff) == 0  # already pruned: nothing left to remove

    async with database.session() as session:
        rows = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    for row in rows[:12]:
        assert all(getattr(row, column) is None for column in CONTENT_COLUMNS), row.seq
        assert row.pruned_at is not None and len(row.leaf_hash) == 32
    assert all(row.kind is not None and row.pruned_at is None for row in rows[12:])

    report = await verify_database(database, public_key)
    assert report.ok, report.summary()
    assert (report.entries_checked, report.pruned, report.heads_checked) == (20, 12, 3)

    async with database.session() as session:
        root = await stored_root(session, 20)
        assert root == root_before
        for index in (3, 12, 19):  # pruned and kept entries alike are still in the tree
            proof = await stored_inclusion_proof(session, index, 20)
            assert verify_inclusion(rows[index].leaf_hash, index, 20, proof, root)
        old_root = await stored_root(session, 7)
        proof = await stored_consistency_proof(session, 7, 20)
        assert verify_consistency(7, 20, old_root, root, proof)

    # New entries and heads go on as before.
    await write_log(database, keys, 3, start=20)
    assert (await sign_current(database, keys)).size == 23
    assert (await verify_database(database, public_key)).ok


async def test_pruned_entries_export_as_hash_only_lines(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 5)
    cutoff = utcnow()
    await write_log(database, keys, 3, start=5)
    await prune(database, cutoff)
    lines = await export_range(database, keys, 0, 8)
    pruned = [json.loads(line) for line in lines[1:6]]
    assert all(set(e) == {"type", "seq", "leaf_hash"} and e["type"] == "pruned" for e in pruned)
    assert json.loads(lines[6])["type"] == "entry"
    report = verify_export(lines, public_key)
    assert report.ok and report.pruned == 5
    assert report.summary().startswith("OK: 8 entries (5 pruned, hash only)")


async def test_a_pruned_leaf_is_still_checked_by_the_tree(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 6, head_sizes=(6,))
    await prune(database, utcnow())
    # With the content gone only the leaf hash is left, and the signed head binds it.
    await execute(
        database, update(AuditEntry).where(AuditEntry.seq == 2).values(leaf_hash=b"\3" * 32)
    )
    report = await verify_database(database, public_key)
    assert (report.problem, report.first_bad_index) == (Problem.ROOT_MISMATCH, 2)


async def test_nothing_recent_is_pruned(database: Database, keys: KeyRing) -> None:
    await write_log(database, keys, 3)
    assert await prune(database, LONG_AGO) == 0
    assert await prune(database, default_cutoff(Settings(audit_retention_days=1))) == 0
    with pytest.raises(ValueError, match="timezone"):
        await prune(database, dt.datetime(2020, 1, 1))


def test_default_cutoff_follows_the_settings() -> None:
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    settings = Settings(audit_retention_days=30)
    assert default_cutoff(settings, now) == dt.datetime(2026, 10, 27, tzinfo=dt.UTC)


async def test_prune_deletes_the_request_plans_recorded_before_the_cutoff(
    database: Database,
) -> None:
    def plan(request_id: str, at: dt.datetime) -> RequestPlan:
        return RequestPlan(
            request_id=request_id,
            occurred_at=at,
            agency="LOCAL_WELFARE",
            purpose="basic_livelihood_eligibility",
            selected={"earnedIncome": ["annualAmount"]},
            persons=1,
            walks_household=False,
        )

    async with database.session() as session:
        session.add_all([plan("old", LONG_AGO), plan("new", utcnow())])
        await session.commit()
    await prune(database, LONG_AGO + dt.timedelta(days=1))
    async with database.session() as session:
        assert list(await session.scalars(select(RequestPlan.request_id))) == ["new"]
