"""Databases of a test's own, for tests of what concurrent transactions commit.

The shared `database` fixture runs a test inside one connection's transaction,
which cannot race with itself; these tests need separate connections on a
database whose commits are real (a PostgreSQL one is dropped afterwards).
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

from hub.app.prepare import prepare_database
from tests.conftest import PG_ADMIN_URL, REQUIRE_POSTGRES, _postgres_reachable


@asynccontextmanager
async def _scratch_postgres() -> AsyncIterator[str]:
    """The URL of a new, migrated PostgreSQL database, dropped on exit."""
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_POSTGRES=1 to make this an error")
    name = f"hub_policies_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    try:
        rendered = url.render_as_string(hide_password=False)
        await prepare_database(rendered)
        yield rendered
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database with the baseline as version 1, for this test alone."""
    if request.param == "postgresql":
        async with _scratch_postgres() as url:
            yield url
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'policies.db'}"
    await prepare_database(url)
    yield url
