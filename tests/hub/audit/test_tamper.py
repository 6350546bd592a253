"""The tamper suite: every way of altering the log is found, at the exact index.

Each test writes the same 30-entry log (heads signed at sizes 8, 16, 24 and
30 unless said otherwise), alters it the way an insider with write access
to the database, or to an export, could, and checks that verification
names the kind of change and the first index it touched. The database half
runs its SQL inside the test's transaction, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, insert, select, update

from hub.audit.entries import content_of, row_values
from hub.audit.export import export_range
from hub.audit.retention import CONTENT_COLUMNS
from hub.audit.verify import Problem, VerifyReport, verify_database, verify_export
from hub.db.models import AuditEntry, AuditNode, AuditState, AuditTreeHead
from hub.db.session import Database
from hub.keys import KeyRing
from tests.hub.audit.logbook import dump, entry_at, execute, rehash, rewrite_row, write_log

SIZE = 30
HEADS = (8, 16, 24, 30)


@pytest.fixture
async def log(database: Database, keys: KeyRing) -> Database:
    """The database holding the 30-entry log."""
    await write_log(database, keys, SIZE, head_sizes=HEADS)
    return database


def _found(report: VerifyReport, problem: Problem, index: int) -> None:
    assert not report.ok, "the change went unnoticed"
    assert (report.problem, report.first_bad_index) == (problem, index), report.summary()


# The live database.


async def test_db_modified_field(log: Database, public_key: Ed25519PublicKey) -> None:
    await execute(log, update(AuditEntry).where(AuditEntry.seq == 17).values(agency="NTS"))
    report = await verify_database(log, public_key)
    _found(report, Problem.MODIFIED, 17)
    assert report.summary() == "FAIL at index 17: modified (leaf hash differs)"
    assert report.entries_checked == 17


async def test_db_modified_release(log: Database, public_key: Ed25519PublicKey) -> None:
    released = {"earnedIncome": {"annualAmount": "full"}}
    await execute(log, update(AuditEntry).where(AuditEntry.seq == 4).values(released=released))
    _found(await verify_database(log, public_key, chunk=7), Problem.MODIFIED, 4)


async def test_db_deleted_entry(log: Database, public_key: Ed25519PublicKey) -> None:
    await execute(log, delete(AuditEntry).where(AuditEntry.seq == 7))
    _found(await verify_database(log, public_key), Problem.DELETED, 7)


async def test_db_deleted_and_renumbered(log: Database, public_key: Ed25519PublicKey) -> None:
    # Closing the gap: every later entry moved down by one, the size reduced.
    await execute(
        log,
        delete(AuditEntry).where(AuditEntry.seq == 7),
        update(AuditEntry).where(AuditEntry.seq > 7).values(seq=-AuditEntry.seq + 1),
        update(AuditEntry).where(AuditEntry.seq < 0).values(seq=-AuditEntry.seq),
        update(AuditState).values(size=SIZE - 1),
    )
    _found(await verify_database(log, public_key), Problem.DELETED, 7)


async def test_db_swapped_contents(log: Database, public_key: Ed25519PublicKey) -> None:
    async with log.session() as session:
        rows = {
            r.seq: r
            for r in await session.scalars(select(AuditEntry).where(AuditEntry.seq.in_((5, 9))))
        }
        values = {seq: {c: getattr(row, c) for c in CONTENT_COLUMNS} for seq, row in rows.items()}
    await execute(
        log,
        update(AuditEntry).where(AuditEntry.seq == 5).values(**values[9]),
        update(AuditEntry).where(AuditEntry.seq == 9).values(**values[5]),
    )
    report = await verify_database(log, public_key, chunk=3)
    _found(report, Problem.REORDERED, 5)
    assert "index 9" in report.message


@pytest.mark.parametrize("other", [6, 9])
async def test_db_swapped_rows(log: Database, public_key: Ed25519PublicKey, other: int) -> None:
    # Whole rows, leaf hashes included, trade places (PRIMARY KEY: via a negative).
    # Side by side, entry 6 at index 5 looks like 5 deleted until index 6 shows 5.
    await execute(
        log,
        update(AuditEntry).where(AuditEntry.seq == 5).values(seq=-1),
        update(AuditEntry).where(AuditEntry.seq == other).values(seq=5),
        update(AuditEntry).where(AuditEntry.seq == -1).values(seq=other),
    )
    report = await verify_database(log, public_key, chunk=3)
    _found(report, Problem.REORDERED, 5)


async def test_db_deleted_last_but_one_entry(log: Database, public_key: Ed25519PublicKey) -> None:
    # Entry 29 renumbered to 28 with nothing after it to tell a swap apart.
    await execute(
        log,
        delete(AuditEntry).where(AuditEntry.seq == 28),
        update(AuditEntry).where(AuditEntry.seq == 29).values(seq=28),
        update(AuditState).values(size=SIZE - 1),
    )
    _found(await verify_database(log, public_key), Problem.DELETED, 28)


async def test_db_inserted_entry(log: Database, public_key: Ed25519PublicKey) -> None:
    # Make room at 12 (PRIMARY KEY: via negatives), forge an entry with a
    # correct leaf hash there, and grow the size to match.
    async with log.session() as session:
        original = await session.get(AuditEntry, 12)
        assert original is not None
        forged = replace(content_of(original), agency="NTS", case_ref="FORGED")
    await execute(
        log,
        update(AuditEntry).where(AuditEntry.seq >= 12).values(seq=-AuditEntry.seq - 1),
        update(AuditEntry).where(AuditEntry.seq < 0).values(seq=-AuditEntry.seq),
        insert(AuditEntry).values(**row_values(12, forged)),
        update(AuditState).values(size=SIZE + 1),
    )
    _found(await verify_database(log, public_key), Problem.INSERTED, 12)


async def test_db_appended_row(log: Database, public_key: Ed25519PublicKey) -> None:
    async with log.session() as session:
        last = await session.get(AuditEntry, SIZE - 1)
        assert last is not None
        forged = content_of(last)
    await execute(log, insert(AuditEntry).values(**row_values(SIZE, forged)))
    _found(await verify_database(log, public_key), Problem.EXTENDED, SIZE)


async def test_db_truncated_tail(log: Database, public_key: Ed25519PublicKey) -> None:
    await execute(log, delete(AuditEntry).where(AuditEntry.seq >= 25))
    _found(await verify_database(log, public_key), Problem.TRUNCATED, 25)


async def test_db_truncated_tail_and_size(log: Database, public_key: Ed25519PublicKey) -> None:
    # The size row agrees with the rows now; the head signed at 30 does not.
    await execute(
        log,
        delete(AuditEntry).where(AuditEntry.seq >= 25),
        update(AuditState).values(size=25),
    )
    _found(await verify_database(log, public_key), Problem.TRUNCATED, 25)


async def test_db_rewrite_with_leaf_hash_and_nodes(
    log: Database, public_key: Ed25519PublicKey
) -> None:
    await rewrite_row(log, 17, agency="NTS")
    report = await verify_database(log, public_key)
    _found(report, Problem.ROOT_MISMATCH, 16)
    assert report.bad_range == (16, 24)  # the heads at 16 and 24 bracket the rewrite


async def test_db_rewrite_named_exactly_by_heads_at_every_size(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 20, head_sizes=range(1, 21))
    await rewrite_row(database, 17, official="lee.99")
    report = await verify_database(database, public_key, chunk=6)
    _found(report, Problem.ROOT_MISMATCH, 17)
    assert report.bad_range == (17, 18)


async def test_db_rewritten_node(log: Database, public_key: Ed25519PublicKey) -> None:
    # Node (2, 3) covers entries [12, 16); the head at 8 vouches for [0, 8).
    await execute(
        log,
        update(AuditNode).where(AuditNode.level == 2, AuditNode.index == 3).values(hash=b"\1" * 32),
    )
    report = await verify_database(log, public_key)
    _found(report, Problem.ROOT_MISMATCH, 12)
    assert report.bad_range == (12, 16)


async def test_db_forged_head(log: Database, public_key: Ed25519PublicKey) -> None:
    await execute(
        log, update(AuditTreeHead).where(AuditTreeHead.size == 16).values(root_hash=b"\2" * 32)
    )
    report = await verify_database(log, public_key)
    assert report.problem is Problem.BAD_SIGNATURE and "size 16" in report.message


# Exports (the same changes made to the JSON Lines).


@pytest.fixture
async def lines(log: Database, keys: KeyRing) -> list[str]:
    return await export_range(log, keys, 0, SIZE)


def _edit(lines: list[str], index: int, **changes: object) -> list[str]:
    edited = list(lines)
    edited[1 + index] = dump({**entry_at(lines, index), **changes})
    return edited


def test_export_modified_field(lines: list[str], public_key: Ed25519PublicKey) -> None:
    report = verify_export(_edit(lines, 17, agency="NTS"), public_key)
    _found(report, Problem.MODIFIED, 17)
    assert report.summary() == "FAIL at index 17: modified (leaf hash differs)"


def test_export_modified_release(lines: list[str], public_key: Ed25519PublicKey) -> None:
    released = {"earnedIncome": {"annualAmount": "full"}}
    _found(verify_export(_edit(lines, 4, released=released), public_key), Problem.MODIFIED, 4)


def test_export_deleted_line(lines: list[str], public_key: Ed25519PublicKey) -> None:
    _found(verify_export(lines[:8] + lines[9:], public_key), Problem.DELETED, 7)


def test_export_reordered_lines(lines: list[str], public_key: Ed25519PublicKey) -> None:
    swapped = list(lines)
    swapped[1 + 5], swapped[1 + 9] = lines[1 + 9], lines[1 + 5]
    _found(verify_export(swapped, public_key), Problem.REORDERED, 5)
    moved = lines[:6] + lines[7:12] + [lines[6]] + lines[12:]  # entry 5 moved after 10
    _found(verify_export(moved, public_key), Problem.REORDERED, 5)


def test_export_swapped_contents(lines: list[str], public_key: Ed25519PublicKey) -> None:
    five, nine = entry_at(lines, 5), entry_at(lines, 9)
    swapped = list(lines)
    swapped[1 + 5] = dump({**nine, "seq": 5, "leaf_hash": five["leaf_hash"]})
    swapped[1 + 9] = dump({**five, "seq": 9, "leaf_hash": nine["leaf_hash"]})
    _found(verify_export(swapped, public_key), Problem.REORDERED, 5)


def test_export_swapped_neighbours(lines: list[str], public_key: Ed25519PublicKey) -> None:
    # Two adjacent entries trade places and numbers, leaf hashes included.
    five, six = entry_at(lines, 5), entry_at(lines, 6)
    swapped = list(lines)
    swapped[1 + 5] = dump({**six, "seq": 5})
    swapped[1 + 6] = dump({**five, "seq": 6})
    _found(verify_export(swapped, public_key), Problem.REORDERED, 5)


def test_export_inserted_forgery(lines: list[str], public_key: Ed25519PublicKey) -> None:
    forged = dump(rehash({**entry_at(lines, 12), "agency": "NTS", "case_ref": "FORGED"}))
    report = verify_export([*lines[:13], forged, *lines[13:]], public_key)
    _found(report, Problem.INSERTED, 12)


def test_export_inserted_and_renumbered(lines: list[str], public_key: Ed25519PublicKey) -> None:
    forged = dump(rehash({**entry_at(lines, 12), "agency": "NTS", "case_ref": "FORGED"}))
    shifted = [
        dump({**json.loads(line), "seq": json.loads(line)["seq"] + 1}) for line in lines[13:]
    ]
    _found(verify_export([*lines[:13], forged, *shifted], public_key), Problem.INSERTED, 12)


def test_export_duplicated_line(lines: list[str], public_key: Ed25519PublicKey) -> None:
    # A copy of entry 5 after entry 7: index 8 is where the log stops matching.
    report = verify_export([*lines[:9], lines[6], *lines[9:]], public_key)
    _found(report, Problem.INSERTED, 8)


def test_export_truncated(lines: list[str], public_key: Ed25519PublicKey) -> None:
    _found(verify_export(lines[:26], public_key), Problem.TRUNCATED, 25)


def test_export_extended(lines: list[str], public_key: Ed25519PublicKey) -> None:
    extra = dump(rehash({**entry_at(lines, 29), "seq": 30}))
    _found(verify_export([*lines, extra], public_key), Problem.EXTENDED, 30)


def test_export_rewrite_with_leaf_hash(lines: list[str], public_key: Ed25519PublicKey) -> None:
    edited = list(lines)
    edited[1 + 17] = dump(rehash({**entry_at(lines, 17), "agency": "NTS"}))
    report = verify_export(edited, public_key)
    _found(report, Problem.ROOT_MISMATCH, 16)
    assert report.bad_range == (16, 24)
    assert report.entries_checked == 24


async def test_partial_export_rewrite(
    log: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    lines = await export_range(log, keys, 10, 25)
    edited = list(lines)
    edited[1 + 17 - 10] = dump(rehash({**entry_at(lines, 17, first=10), "purpose": "other"}))
    report = verify_export(edited, public_key)
    _found(report, Problem.ROOT_MISMATCH, 16)
    edited[1 + 12 - 10] = dump({**entry_at(lines, 12, first=10), "official": "x"})
    _found(verify_export(edited, public_key), Problem.MODIFIED, 12)


async def test_forged_prefix(log: Database, keys: KeyRing, public_key: Ed25519PublicKey) -> None:
    lines = await export_range(log, keys, 16, 30)
    header = json.loads(lines[0])
    header["prefix"] = ["ab" * 32]
    # The head stored at size 16 no longer matches before a single entry is read.
    report = verify_export([json.dumps(header), *lines[1:]], public_key)
    _found(report, Problem.ROOT_MISMATCH, 0)
    assert report.bad_range == (0, 16)
