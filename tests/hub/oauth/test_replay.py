"""Each assertion's jti is usable once, until it could no longer pass the expiry check."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hub.db.models import UsedAssertion
from hub.db.session import Database
from hub.oauth.replay import AssertionKind, ReplayedAssertion, SeenAssertion, record_assertions

NOW = 1_900_000_000


def seen(jti: str, kind: AssertionKind = AssertionKind.CLIENT, keep: int = 60) -> SeenAssertion:
    return SeenAssertion(kind, "LOCAL_WELFARE", jti, NOW + keep)


async def _rows(database: Database) -> int:
    async with database.session() as session:
        count: int = (await session.execute(select(func.count(UsedAssertion.jti)))).scalar_one()
        return count


async def test_a_jti_is_refused_the_second_time(database: Database) -> None:
    await record_assertions(database, [seen("a"), seen("b", AssertionKind.GRANT)], now=NOW)
    with pytest.raises(ReplayedAssertion) as refused:
        await record_assertions(database, [seen("c"), seen("b", AssertionKind.GRANT)], now=NOW)
    assert refused.value.seen.kind is AssertionKind.GRANT
    assert await _rows(database) == 2  # "c" was not kept: the request failed as a whole


async def test_the_same_jti_in_both_assertions_is_a_replay(database: Database) -> None:
    with pytest.raises(ReplayedAssertion):
        await record_assertions(
            database, [seen("same"), seen("same", AssertionKind.GRANT)], now=NOW
        )


async def test_other_clients_may_use_the_same_jti(database: Database) -> None:
    await record_assertions(database, [seen("x")], now=NOW)
    other = SeenAssertion(AssertionKind.CLIENT, "COMMUNITY_CENTRE", "x", NOW + 60)
    await record_assertions(database, [other], now=NOW)
    assert await _rows(database) == 2


async def test_expired_entries_are_purged(database: Database) -> None:
    await record_assertions(database, [seen("old", keep=10)], now=NOW)
    await record_assertions(database, [seen("new")], now=NOW + 11)
    async with database.session() as session:
        left = (await session.execute(select(UsedAssertion.jti))).scalars().all()
        kept = await session.get(UsedAssertion, ("LOCAL_WELFARE", "new"))
    assert left == ["new"]
    assert kept is not None
    expected = dt.datetime.fromtimestamp(NOW + 60, dt.UTC)
    assert kept.expires_at.replace(tzinfo=kept.expires_at.tzinfo or dt.UTC) == expected
