"""The access log's database stops accepting writes mid-load: no data leaves unlogged.

Issue 4: "with the log's database made unwritable mid-load, every response is
either data with a committed entry or a 503 with no data; afterwards the
verifier passes and the count of entries equals the count of data responses."

The fault is real, not a mocked writer: the hub's own Database is what fails.

* PostgreSQL: the hub connects as a dedicated role created for the test
  (no superuser, so privileges bind it) with the privileges a hub needs;
  mid-load the test revokes INSERT on audit_entries from it, later grants
  it again. Every batch written meanwhile fails with "permission denied".
* SQLite: another connection takes the database's write lock
  (`BEGIN EXCLUSIVE`) and holds it; the hub's connections wait out a short
  busy timeout and fail with "database is locked". (The tests run as root,
  so a read-only file mode would not stop the hub's writes.)

Load: 16 clients send one-person requests continuously through the hub's
ASGI app (built like tests/schema's hub, on the live simulated sources) while
the test breaks the store after the first answers, repairs it once 503s
have come back, and stops the load once data flows again.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hub.app.prepare import prepare_database
from hub.db.engine import create_engine
from hub.db.session import Database
from schema.view import REQUEST_ID_HEADER
from simulator.population import Population
from tests.conftest import PG_ADMIN_URL, require_postgres, scratch_postgres, scratch_url
from tests.hub.audit.test_concurrency import (
    check_tree,
)
from tests.schema import conftest as integration
from tests.schema.conftest import Hub, HubFactory

QUERY = """query Fault($rrn: String!) {
  person(rrn: $rrn) { id residentRegistration { name birthDate } earnedIncome { annualAmount } }
}"""
CLIENTS = 16
BEFORE = 60  # answers before the store breaks
BROKEN = 20  # 503s to see before it is repaired
AFTER = 60  # answers with data after the repair
MAX_REQUESTS = 3000  # a backstop: the phases need far fewer
PHASE_TIMEOUT_S = 20.0
SQLITE_BUSY_TIMEOUT_MS = 50

# The integration fixtures of tests/schema: the live simulated sources and
# the hub factory (the tests under tests/hub/admin borrow them the same way).
catalog = integration.catalog
population = integration.population
sources = integration.sources
sql_source_url = integration.sql_source_url
hub_factory = integration.hub_factory


@dataclass
class FaultyStore:
    """The hub's database, a way to make it unwritable and back, and an admin view."""

    hub_database: Database
    admin_database: Database
    break_store: Callable[[], Awaitable[None]]
    repair_store: Callable[[], Awaitable[None]]


@asynccontextmanager
async def sqlite_store(tmp_path: Path) -> AsyncIterator[FaultyStore]:
    """SQLite, broken by another connection holding the write lock."""
    path = tmp_path / "audit.db"
    url = f"sqlite+aiosqlite:///{path}"
    await prepare_database(url)
    engine = create_engine(url)

    # Registered after create_engine's own listener, so this runs last: a
    # short wait for the lock, so that a held lock fails batches quickly.
    @event.listens_for(engine.sync_engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    locker = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)

    async def break_store() -> None:
        # In a thread: it may have to wait for a batch the hub is committing.
        await asyncio.to_thread(locker.execute, "BEGIN EXCLUSIVE")

    async def repair_store() -> None:
        await asyncio.to_thread(locker.execute, "ROLLBACK")

    hub_database, admin_database = Database(engine), Database.from_url(url)
    try:
        yield FaultyStore(hub_database, admin_database, break_store, repair_store)
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()
        await hub_database.dispose()
        await admin_database.dispose()


@asynccontextmanager
async def postgres_store() -> AsyncIterator[FaultyStore]:
    """PostgreSQL, broken by revoking the hub's role's INSERT on audit_entries."""
    await require_postgres()
    role, password = f"hub_fault_{secrets.token_hex(4)}", secrets.token_hex(16)
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
    finally:
        await admin.close()
    try:
        async with scratch_postgres() as name:
            dsn = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            owner = await asyncpg.connect(dsn)
            try:
                # What the hub needs, as its deployment would grant it.
                for grant in (
                    "USAGE ON SCHEMA public",
                    "SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public",
                    "USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public",
                ):
                    await owner.execute(f'GRANT {grant} TO "{role}"')

                async def break_store() -> None:
                    await owner.execute(f'REVOKE INSERT ON audit_entries FROM "{role}"')

                async def repair_store() -> None:
                    await owner.execute(f'GRANT INSERT ON audit_entries TO "{role}"')

                hub_database = Database.from_url(scratch_url(name, user=role, password=password))
                admin_database = Database.from_url(scratch_url(name))
                try:
                    yield FaultyStore(hub_database, admin_database, break_store, repair_store)
                finally:
                    await hub_database.dispose()
                    await admin_database.dispose()
            finally:
                await owner.close()
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FaultyStore]:
    """A fresh database for the hub that the test can make unwritable."""
    if request.param == "sqlite":
        async with sqlite_store(tmp_path) as faulty:
            yield faulty
    else:
        async with postgres_store() as faulty:
            yield faulty


@dataclass
class Load:
    """Clients sending requests until told to stop, counting what comes back."""

    hub: Hub
    rrns: list[str]
    responses: list[httpx.Response] = field(default_factory=list)
    data_count: int = 0
    unavailable_count: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def client(self, number: int) -> None:
        """One client: a request at a time, each for the next person."""
        i = number
        while not self.stop.is_set() and len(self.responses) < MAX_REQUESTS:
            rrn = self.rrns[i % len(self.rrns)]
            response = await self.hub.post(QUERY, {"rrn": rrn}, case=f"CASE-FAULT-{i:05d}")
            i += CLIENTS
            self.responses.append(response)
            if response.status_code == 200:
                self.data_count += 1
            elif response.status_code == 503:
                self.unavailable_count += 1
            self.changed.set()

    async def until(self, what: str, condition: Callable[[], bool]) -> None:
        """Wait (while the load goes on) until `condition` holds."""

        async def wait() -> None:
            while not condition():
                assert len(self.responses) < MAX_REQUESTS, f"load exhausted waiting for {what}"
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(wait(), PHASE_TIMEOUT_S)
        except TimeoutError:
            pytest.fail(f"no {what} within {PHASE_TIMEOUT_S} s")


async def test_unwritable_log_mid_load_releases_nothing_unlogged(
    store: FaultyStore, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(store.hub_database, source_timeout_s=10.0)
    load = Load(hub, population.sample_rrns(100))
    clients = [asyncio.create_task(load.client(n)) for n in range(CLIENTS)]
    try:
        await load.until("answers before the fault", lambda: load.data_count >= BEFORE)
        await store.break_store()
        data_at_break = load.data_count
        await load.until(
            "503 while the log is unwritable", lambda: load.unavailable_count >= BROKEN
        )
        await store.repair_store()
        data_at_repair = load.data_count
        await load.until(
            "answers after the repair", lambda: load.data_count >= data_at_repair + AFTER
        )
    finally:
        load.stop.set()
        await asyncio.gather(*clients)

    # Every response is data (with no error) or a 503 with no data at all.
    data_ids: list[str] = []
    for response in load.responses:
        body: dict[str, Any] = response.json()
        if response.status_code == 200:
            assert "errors" not in body, body["errors"]
            assert body["data"]["person"]["residentRegistration"] is not None
            data_ids.append(response.headers[REQUEST_ID_HEADER])
        else:
            assert response.status_code == 503, response.text
            assert body["data"] is None
            assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
            assert response.headers["Retry-After"]
    assert load.unavailable_count >= BROKEN
    assert data_at_break >= BEFORE
    assert len(data_ids) == load.data_count

    # The log: one consistent tree (which the verifier passes), exactly one
    # entry per data response.
    tree = await check_tree(store.admin_database, hub.app.state.services.keys)
    assert tree.size == load.data_count
    assert sorted(tree.request_ids()) == sorted(data_ids)
