"""The audit-throughput benchmark runs end to end (no timing assertions: it reports ratios)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._audit_parts import (
    AUDITED,
    GROUP,
    ONE_PER_ENTRY,
    POSTGRESQL,
    QUICK,
    SQLITE,
    UNLOGGED,
    Result,
)
from bench.audit_throughput import parse_args, report, run
from tests.conftest import PG_ADMIN_URL, REQUIRE_POSTGRES, _postgres_reachable


def _check(result: Result, backend: str) -> None:
    group, single = result.writer_run(backend, GROUP), result.writer_run(backend, ONE_PER_ENTRY)
    assert group is not None and single is not None
    assert group.entries >= QUICK.group_entries // QUICK.rounds * QUICK.rounds
    assert single.entries >= QUICK.baseline_entries // QUICK.rounds * QUICK.rounds
    # The baseline really is one transaction per entry; group commit shares them.
    assert single.batches == single.entries
    assert group.batches < group.entries
    assert len(group.waits_ns) > 0 and len(single.waits_ns) == single.entries
    for variant in (AUDITED, UNLOGGED):
        hub = result.hub_run(backend, variant)
        assert hub is not None and hub.requests == QUICK.hub_requests
    assert (result.writer_ratio(backend) or 0) > 0
    assert (result.hub_ratio(backend) or 0) > 0


async def test_quick_run_on_sqlite(tmp_path: Path) -> None:
    result = await run(QUICK, tmp_path, postgres_dsn=None)
    _check(result, SQLITE)
    assert result.writer_run(POSTGRESQL, GROUP) is None
    assert any("PostgreSQL" in reason for reason in result.skipped)
    text = report(result)
    assert "UnloggedWriter" in text
    assert text.splitlines()[-1].startswith("ratio hub with audit / without (SQLite): ")


@pytest.mark.postgres
async def test_quick_run_on_postgresql(tmp_path: Path) -> None:
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_POSTGRES=1 to make this an error")
    result = await run(QUICK, tmp_path, postgres_dsn=PG_ADMIN_URL)
    _check(result, POSTGRESQL)
    _check(result, SQLITE)
    assert not result.skipped
    assert "goal 20,000 entries/s on PostgreSQL" in report(result)


def test_options() -> None:
    assert parse_args(["--quick", "--no-postgres"]) == (QUICK, None)
    config, dsn = parse_args(["--postgres-dsn", "postgresql://x@h/db"])
    assert config.producers == 1024 and dsn == "postgresql://x@h/db"
