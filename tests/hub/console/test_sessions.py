"""The session store: idle timeout and lifetime by the hub's clock, hashed ids, sealed numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from hub.auth.roles import Role
from hub.console.sessions import (
    ConsoleUser,
    SessionEnded,
    SessionStore,
    seal,
    session_id,
    unseal,
)
from hub.db.models import ConsoleSession
from hub.db.session import Database

START = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
CITIZEN = ConsoleUser(Role.CITIZEN_PORTAL, "citizen.self-service", "8503142345678")


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: Database, clock: Clock) -> SessionStore:
    return SessionStore(database, idle_timeout_s=60, lifetime_s=300, clock=clock)


async def test_activity_keeps_a_session_alive_until_its_lifetime(
    store: SessionStore, clock: Clock
) -> None:
    session = await store.create(CITIZEN)
    for _ in range(4):
        clock.advance(59)
        assert (await store.resume(session.token)).user == CITIZEN
    clock.advance(300 - 4 * 59)
    with pytest.raises(SessionEnded) as ended:
        await store.resume(session.token)
    assert ended.value.reason == "expired"
    with pytest.raises(SessionEnded) as gone:
        await store.resume(session.token)
    assert gone.value.reason == "unknown"


async def test_a_session_idle_for_the_timeout_ends(store: SessionStore, clock: Clock) -> None:
    session = await store.create(CITIZEN)
    clock.advance(59.9)
    await store.resume(session.token)
    clock.advance(60)
    with pytest.raises(SessionEnded) as ended:
        await store.resume(session.token)
    assert ended.value.reason == "idle"


async def test_the_table_holds_neither_tokens_nor_numbers(
    store: SessionStore, database: Database
) -> None:
    session = await store.create(CITIZEN)
    async with database.session() as db:
        (row,) = await db.scalars(select(ConsoleSession))
    assert row.id == session_id(session.token) != session.token
    assert row.sealed_subject is not None and CITIZEN.rrn is not None
    assert CITIZEN.rrn not in row.sealed_subject
    assert unseal(session.token, row.sealed_subject) == CITIZEN.rrn
    with pytest.raises(ValueError, match="does not open"):
        unseal("another-token", row.sealed_subject)


async def test_ended_sessions_are_removed_when_others_begin(
    store: SessionStore, clock: Clock, database: Database
) -> None:
    await store.create(CITIZEN)
    clock.advance(61)
    await store.create(CITIZEN)
    async with database.session() as db:
        assert len(list(await db.scalars(select(ConsoleSession)))) == 1


async def test_the_principal_is_the_admin_endpoints_kind(store: SessionStore) -> None:
    session = await store.create(ConsoleUser(Role.AUDITOR, "audit.7"))
    principal = session.principal()
    assert (principal.role, principal.official, principal.agency) == (Role.AUDITOR, "audit.7", "")
    assert principal.client_id == "console"
    assert session.token not in principal.token_id


def test_sealing_is_fresh_each_time() -> None:
    assert seal("t" * 43, "x") != seal("t" * 43, "x")
