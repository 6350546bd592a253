"""The background signer: a signed tree head whenever the log has grown, run by the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.audit.heads import SignedTreeHead, latest_head, tree_size
from hub.audit.signer import HeadSigner
from hub.db.session import Database
from hub.keys import load_keys
from hub.settings import Settings
from simulator.population import Population
from tests.hub.admin.audit_helpers import access
from tests.schema.conftest import HubFactory

INTERVAL_S = 0.02


async def _until(condition: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    """Wait, without touching the database the signer uses, until `condition()` holds."""
    try:
        async with asyncio.timeout(timeout_s):
            # Polling the signer's counters: an event for tests alone would
            # put test machinery into the signer.
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(INTERVAL_S / 2)
    except TimeoutError:
        pytest.fail(f"no {what} within {timeout_s} s")


async def _size(database: Database) -> int:
    async with database.session() as session:
        return await tree_size(session)


async def test_the_running_app_signs_what_the_log_gained(
    hub_factory: HubFactory,
    database: Database,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hub = await hub_factory(database, policy="database", audit_sign_interval_s=INTERVAL_S)
    app = hub.app

    # Shutdown disposes the app's engine: here the session's shared one,
    # whose checked-out test connection would be orphaned and never closed.
    async def keep_engine() -> None:
        return None

    monkeypatch.setattr(app.state.services.database, "dispose", keep_engine)
    signer: HeadSigner = app.state.head_signer
    await access(hub, population.sample_rrns(1)[0])
    assert await latest_head(database) is None

    async with app.router.lifespan_context(app):
        await _until(lambda: signer.heads_signed >= 1, "a first head")
        # Several more ticks pass: the log has not grown, so nothing more is signed.
        ticks = signer.heads_signed
        await asyncio.sleep(INTERVAL_S * 5)
        assert signer.heads_signed == ticks == 1

    head = await latest_head(database)
    assert isinstance(head, SignedTreeHead)
    assert head.size == await _size(database) == 1
    assert signer.failures == 0


async def test_nothing_is_signed_for_an_empty_or_unchanged_log(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await hub_factory(database, policy="database")
    signer: HeadSigner = hub.app.state.head_signer
    assert await signer.tick() is None  # empty log
    await access(hub, population.sample_rrns(1)[0])
    first = await signer.tick()
    assert first is not None and first.size == 1
    assert await signer.tick() is None
    await access(hub, population.sample_rrns(2)[1])
    second = await signer.tick()
    assert second is not None and second.size == 2


async def test_a_failure_is_logged_and_the_next_tick_retries(
    database: Database,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    signer = HeadSigner(database, keys, INTERVAL_S)
    calls = 0

    async def flaky(db: Database, ring: object) -> SignedTreeHead | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database unreachable")
        return SignedTreeHead(0, bytes(32), 0, "kid", bytes(64))

    monkeypatch.setattr("hub.audit.signer.sign_if_grown", flaky)
    with caplog.at_level(logging.ERROR, logger="hub.audit"):
        signer.start()
        try:
            await _until(lambda: signer.heads_signed >= 1, "a head after the failure")
        finally:
            await signer.stop()
    assert signer.failures == 1
    assert "signing a tree head failed" in caplog.text
    assert "database unreachable" in caplog.text


async def test_an_idle_signer_stops_at_once(database: Database, data_dir: Path) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    signer = HeadSigner(database, keys, 3600.0)
    signer.start()
    await asyncio.sleep(0)
    async with asyncio.timeout(1.0):  # not after the hour-long interval
        await signer.stop()
    await signer.stop()  # stopping twice is harmless
