"""Checking the stored heads: signature, key id, consistency with the previous head."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hub.audit.head_status import head_statuses
from hub.audit.keyset import ring_public_keys
from hub.db.models import AuditTreeHead
from hub.db.session import Database
from hub.keys import KeyRing
from tests.hub.audit.logbook import execute, rewrite_row, write_log


async def _statuses(
    database: Database, keys: KeyRing, first: int = 50
) -> list[tuple[int, bool, bool, bool | None]]:
    async with database.session() as session:
        found, _ = await head_statuses(session, ring_public_keys(keys), first)
    return [
        (s.head.size, s.key_known, s.signature_valid, s.consistent_with_previous) for s in found
    ]


async def test_honest_heads_verify_newest_first(database: Database, keys: KeyRing) -> None:
    await write_log(database, keys, 7, head_sizes=(2, 5, 7))
    assert await _statuses(database, keys) == [
        (7, True, True, True),
        (5, True, True, True),
        (2, True, True, None),  # the first head has no previous one
    ]


async def test_pages_follow_the_cursor(database: Database, keys: KeyRing) -> None:
    await write_log(database, keys, 6, head_sizes=(1, 2, 3, 4, 5))
    key_set = ring_public_keys(keys)
    async with database.session() as session:
        page, cursor = await head_statuses(session, key_set, 2)
        assert [s.head.size for s in page] == [5, 4] and cursor is not None
        # The last head of a page is still checked against its predecessor on the next.
        assert page[-1].consistent_with_previous is True
        rest, end = await head_statuses(session, key_set, 10, cursor)
    assert [s.head.size for s in rest] == [3, 2, 1] and end is None


async def test_a_rewrite_between_heads_breaks_consistency(
    database: Database, keys: KeyRing
) -> None:
    await write_log(database, keys, 6, head_sizes=(3, 6))
    # Entry 1 rewritten with its hash and nodes: the head for 6 now disagrees
    # with what the stored tree proves.
    await rewrite_row(database, 1, official="someone.else")
    assert await _statuses(database, keys) == [(6, True, True, False), (3, True, True, None)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"signature": bytes(64)}, (4, True, False, True)),
        ({"key_id": "retired-key"}, (4, False, False, True)),
        ({"root_hash": bytes(32)}, (4, True, False, False)),
    ],
)
async def test_a_forged_head_is_flagged(
    database: Database, keys: KeyRing, change: dict[str, object], expected: tuple[object, ...]
) -> None:
    await write_log(database, keys, 4, head_sizes=(2, 4))
    await execute(database, update(AuditTreeHead).where(AuditTreeHead.size == 4).values(**change))
    assert (await _statuses(database, keys))[0] == expected
