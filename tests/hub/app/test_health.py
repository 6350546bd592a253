"""`/readyz`: ready with a reachable, writable database; 503 with the checks when not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.app.health import breaker_states
from hub.db.session import Database
from tests.hub.audit.test_fault import postgres_store
from tests.schema.conftest import HubFactory


async def test_healthy_hub_is_ready(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database)
    response = await hub.client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["audit_log"] == {"ok": True}
    sources = body["checks"]["sources"]
    assert sources["ok"] is True
    assert set(sources["breakers"]) == set(hub.app.state.services.connectors)
    assert response.headers["Hub-Request-Id"]


async def test_readiness_check_writes_no_entries(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database)
    writer = hub.app.state.services.audit
    for _ in range(3):
        assert (await hub.client.get("/readyz")).status_code == 200
    assert writer.batches_written == 0
    # The lock was released: the writer can still commit afterwards.
    assert (await hub.client.get("/readyz")).status_code == 200


async def test_unmigrated_database_is_not_ready(tmp_path: Path, hub_factory: HubFactory) -> None:
    empty = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")
    try:
        hub = await hub_factory(empty)
        response = await hub.client.get("/readyz")
    finally:
        await empty.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["audit_log"]["ok"] is False
    # The liveness probe is unaffected.
    assert (await hub.client.get("/healthz")).status_code == 200


async def test_unreachable_database_is_not_ready(hub_factory: HubFactory) -> None:
    # Nothing listens on port 1 of the loopback interface.
    down = Database.from_url("postgresql+asyncpg://hub@127.0.0.1:1/hub")
    try:
        hub = await hub_factory(down)
        response = await hub.client.get("/readyz")
    finally:
        await down.dispose()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["audit_log"]["ok"] is False
    # Only the failure's type is shown, never a host or credential.
    assert "127.0.0.1" not in response.text


class _MethodBreaker:
    def breaker_state(self) -> str:
        return "open"


class _AttributeBreaker:
    breaker_state = "half_open"


class _NoBreaker:
    pass


def test_breaker_states_read_defensively() -> None:
    connectors: dict[str, Any] = {
        "A": _MethodBreaker(),
        "B": _AttributeBreaker(),
        "C": _NoBreaker(),
    }
    assert breaker_states(connectors) == {"A": "open", "B": "half_open", "C": "unknown"}


@pytest.mark.postgres
async def test_revoked_insert_on_the_log_is_not_ready(hub_factory: HubFactory) -> None:
    # A role with the privileges a hub needs, then INSERT on audit_entries revoked:
    # the tree-size row can still be locked, but no entry could be written.
    async with postgres_store() as store:
        hub = await hub_factory(store.hub_database)
        assert (await hub.client.get("/readyz")).status_code == 200
        await store.break_store()
        response = await hub.client.get("/readyz")
        assert response.status_code == 503, response.text
        checks = response.json()["checks"]
        assert checks["database"] == {"ok": True}
        assert checks["audit_log"]["ok"] is False
        await store.repair_store()
        assert (await hub.client.get("/readyz")).status_code == 200
        # Proving it wrote nothing: the tree is still empty.
        assert hub.app.state.services.audit.batches_written == 0


async def test_sources_report_their_failures(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database)
    connectors = hub.app.state.services.connectors
    nts = connectors["NTS"].resilience.breaker
    nts.failure()  # one failed call: still closed, but not healthy
    for _ in range(nts.failures):  # then enough to open it
        connectors["NPS"].resilience.breaker.failure()
    response = await hub.client.get("/readyz")
    # An unhealthy source leaves the hub ready: only its fields fail.
    assert response.status_code == 200, response.text
    sources = response.json()["checks"]["sources"]
    assert sources["ok"] is False
    assert sources["open"] == ["NPS"]
    assert sources["failing"] == ["NPS", "NTS"]
    assert sources["breakers"]["NTS"] == "closed"
    assert sources["details"]["NTS"]["consecutive_failures"] == 1
    assert sources["details"]["NTS"]["last_failure_s_ago"] is not None
    assert sources["details"]["NPS"]["retry_in_s"] > 0
    nts.success()
    connectors["NPS"].resilience.breaker.success()
    assert (await hub.client.get("/readyz")).json()["checks"]["sources"]["ok"] is True
