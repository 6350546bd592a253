"""Shared fixtures: databases migrated once, rolled back per test; real sources.

Every test that touches the database runs on SQLite and on PostgreSQL (the
`db_url` fixture is parametrized). PostgreSQL tests skip with a reason when no
server answers, unless HUB_REQUIRE_POSTGRES=1, under which they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.app.prepare import prepare_database
from hub.db.engine import create_engine
from hub.db.session import Database

PG_ADMIN_URL = os.environ.get(
    "HUB_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("HUB_REQUIRE_POSTGRES") == "1"


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__})"
    await connection.close()
    return None


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_POSTGRES=1 to make this an error")
    name = f"hub_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    await prepare_database(url)
    try:
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database file for this test session."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'hub.db'}"
    await prepare_database(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database, once per backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(scope="session")
async def engines() -> AsyncIterator[dict[str, AsyncEngine]]:
    """One engine per database URL, shared by the session's tests."""
    cache: dict[str, AsyncEngine] = {}
    yield cache
    for engine in cache.values():
        await engine.dispose()


@asynccontextmanager
async def rolled_back(url: str, engines: dict[str, AsyncEngine]) -> AsyncIterator[Database]:
    """A database service on `url` inside a transaction rolled back at the end."""
    engine = engines.get(url)
    if engine is None:
        engine = engines[url] = create_engine(url)
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield Database(engine, bind=connection)
        finally:
            await transaction.rollback()


@pytest.fixture
async def database(db_url: str, engines: dict[str, AsyncEngine]) -> AsyncIterator[Database]:
    """The database service inside a transaction that is rolled back after the test."""
    async with rolled_back(db_url, engines) as db:
        yield db


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data directory (development keys are generated into it)."""
    return tmp_path / "var"


# --- databases of a test's own -------------------------------------------------
# The `database` fixture runs a test inside one connection's transaction,
# which cannot race with itself; tests of what concurrent transactions
# commit need separate connections on a database whose commits are real.


async def require_postgres() -> None:
    """Skip (or fail under HUB_REQUIRE_POSTGRES=1) when PostgreSQL is not reachable."""
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_POSTGRES=1 to make this an error")


def scratch_url(database: str, *, user: str | None = None, password: str | None = None) -> str:
    """An asyncpg URL for `database` on the test server (as the admin, or as `user`)."""
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+asyncpg", database=database)
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str]:
    """The name of a new, migrated PostgreSQL database, dropped on exit."""
    await require_postgres()
    name = f"hub_scratch_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        await prepare_database(scratch_url(name))
        yield name
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def scratch_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, migrated database on `backend` (PostgreSQL: dropped on exit)."""
    if backend == "postgresql":
        async with scratch_postgres() as name:
            yield scratch_url(name)
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    await prepare_database(url)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of this test's own (its writes are kept to be checked)."""
    async with scratch_database(request.param, tmp_path) as url:
        yield url
