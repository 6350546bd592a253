"""The audit writer: entries committed in groups, as leaves of a verifiable tree."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.audit.access_log import AccessFacts, AuditUnavailable, PersonOutcome, commit_access
from hub.audit.entries import content_of, entry_leaf_hash
from hub.audit.heads import load_public_key, public_key_pem, sign_current, tree_size, verify_head
from hub.audit.merkle import LeafHashes, verify_consistency, verify_inclusion
from hub.audit.proofs import stored_consistency_proof, stored_inclusion_proof, stored_root
from hub.audit.writer import AuditWriter
from hub.db.engine import create_engine
from hub.db.models import AuditEntry, Subject
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from hub.identity.rrn import make_rrn
from hub.identity.subjects import decrypt_rrn, person_id
from hub.keys import KeyRing

FACTS = AccessFacts(
    request_id="00000000-0000-0000-0000-000000000001",
    agency="LOCAL_WELFARE",
    official="kim.01",
    purpose="basic_livelihood_eligibility",
    case_ref="CASE-1",
    client_addr="127.0.0.1",
    policy_version=3,
    legal_basis="National Basic Livelihood Security Act, Art. 23",
)


def _rrn(i: int) -> str:
    import datetime as dt

    return str(make_rrn(dt.date(1960, 1, 1) + dt.timedelta(days=i), "F", 1000 + i, i))


async def _entries(database: Database) -> list[AuditEntry]:
    async with database.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


async def test_one_entry_per_person_as_a_leaf(database: Database, keys: KeyRing) -> None:
    writer = AuditWriter(database)
    outcomes = [
        PersonOutcome(_rrn(1), {"earnedIncome": {"annualAmountBand": "coarsened"}}, {}),
        PersonOutcome(_rrn(2), {}, {"land": "SOURCE_UNAVAILABLE"}),
    ]
    seqs = await commit_access(writer, keys, FACTS, outcomes)
    assert seqs == [0, 1]
    rows = await _entries(database)
    assert [r.outcome for r in rows] == ["released", "refused"]
    assert rows[0].released == {"earnedIncome": {"annualAmountBand": "coarsened"}}
    assert rows[0].person == agency_person_id(keys, "LOCAL_WELFARE", _rrn(1))
    assert rows[0].policy_version == 3
    for row in rows:
        assert _rrn(1) not in repr(row.__dict__) and _rrn(2) not in repr(row.__dict__)
        assert row.leaf_hash == entry_leaf_hash(row.seq, content_of(row))
    async with database.session() as session:
        subject = await session.get(Subject, person_id(keys, _rrn(1)))
        assert subject is not None
        assert decrypt_rrn(keys, subject.rrn_key_id, subject.rrn_ciphertext, subject.id) == _rrn(1)


async def test_concurrent_requests_share_commits(database: Database, keys: KeyRing) -> None:
    writer = AuditWriter(database)
    results = await asyncio.gather(
        *(
            commit_access(writer, keys, FACTS, [PersonOutcome(_rrn(i), {"x": {"y": "full"}}, {})])
            for i in range(40)
        )
    )
    seqs = sorted(s for r in results for s in r)
    assert seqs == list(range(40))
    assert writer.batches_written < 40, "every request paid for its own transaction"
    async with database.session() as session:
        assert await tree_size(session) == 40
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 40


async def test_stored_tree_matches_the_leaves_and_proves(database: Database, keys: KeyRing) -> None:
    writer = AuditWriter(database)
    for i in range(13):
        await commit_access(writer, keys, FACTS, [PersonOutcome(_rrn(i), {}, {})])
    leaves = [r.leaf_hash for r in await _entries(database)]
    async with database.session() as session:
        for size in (1, 5, 8, 13):
            root = await stored_root(session, size)
            assert root == LeafHashes(leaves[:size]).subtree(0, size)
        root13 = await stored_root(session, 13)
        for index in (0, 7, 12):
            proof = await stored_inclusion_proof(session, index, 13)
            assert verify_inclusion(leaves[index], index, 13, proof, root13)
        proof = await stored_consistency_proof(session, 5, 13)
        assert verify_consistency(5, 13, await stored_root(session, 5), root13, proof)


async def test_a_second_writer_resumes_the_tree(database: Database, keys: KeyRing) -> None:
    first, second = AuditWriter(database), AuditWriter(database)
    for i in range(6):
        writer = first if i % 2 else second
        await commit_access(writer, keys, FACTS, [PersonOutcome(_rrn(i), {}, {})])
    leaves = [r.leaf_hash for r in await _entries(database)]
    assert [r.seq for r in await _entries(database)] == list(range(6))
    async with database.session() as session:
        assert await stored_root(session, 6) == LeafHashes(leaves).subtree(0, 6)


async def test_signed_head_verifies_offline(database: Database, keys: KeyRing) -> None:
    writer = AuditWriter(database)
    await commit_access(writer, keys, FACTS, [PersonOutcome(_rrn(i), {}, {}) for i in range(3)])
    head = await sign_current(database, keys)
    assert head.size == 3
    public = load_public_key(public_key_pem(keys))
    assert verify_head(public, head)
    forged = type(head)(
        head.size + 1, head.root_hash, head.timestamp_ms, head.key_id, head.signature
    )
    assert not verify_head(public, forged)


async def test_unwritable_log_fails_closed(tmp_path: Path, keys: KeyRing) -> None:
    # A database that was never migrated: the write fails like a broken store would.
    database = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    try:
        with pytest.raises(AuditUnavailable):
            await commit_access(
                AuditWriter(database), keys, FACTS, [PersonOutcome(_rrn(1), {}, {})]
            )
    finally:
        await database.dispose()


def test_canonical_bytes_are_the_standard_librarys_sorted_compact_json() -> None:
    # docs/audit.md specifies the encoding in terms of plain JSON; the fast
    # encoder the hub uses must write exactly that, escapes included.
    import datetime as dt
    import json

    from hub.audit.entries import EntryContent, canonical_bytes, to_json

    content = EntryContent(
        kind="access",
        occurred_at=dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC),
        request_id="r-1",
        agency="LOCAL_WELFARE",
        official="kim.01",
        purpose="basic_livelihood_eligibility",
        case_ref='CASE "1" \\ é \u2028 \x1f',
        person="PABC",
        outcome="partial",
        released={"earnedIncome": {"annualAmountBand": "coarsened", "year": "full"}},
        refused={"land": "SOURCE_UNAVAILABLE"},
        legal_basis="Art. 23",
        policy_version=4,
        consent_ids=["c-2", "c-1"],
    )
    expected = json.dumps(
        to_json(17, content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert canonical_bytes(17, content) == expected
