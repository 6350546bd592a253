"""The load test's machinery runs end to end on PostgreSQL (no timing assertions)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from bench._loadgen import build_request, check_answer
from bench._loadrun import Options, run
from bench._loadwork import SLOWEST_MS, build_load_workload, spread_latencies
from bench._stack import descendants
from bench.load_test import goals, ok, report
from hub.catalog import load_catalog
from tests.conftest import PG_ADMIN_URL, REQUIRE_POSTGRES, _postgres_reachable

TINY = Options(
    levels=(2,),
    warmup_s=0.3,
    duration_s=1.5,
    baseline_warmup_s=0.1,
    baseline_s=0.5,
    persons=200,
    postgres_dsn=PG_ADMIN_URL,
)


def test_the_workload_spans_sources_and_includes_the_slowest() -> None:
    workload = build_load_workload(load_catalog())
    assert len(workload.info_types) == 10
    assert len(workload.sources) >= 5
    assert workload.latencies_ms[workload.slowest] == SLOWEST_MS
    assert min(workload.latencies_ms.values()) == 20
    assert any(t.source == workload.slowest for t in workload.info_types)
    assert b'"militaryPension"' in workload.lookup_body("x") or workload.slowest != "MND"


def test_latencies_are_spread_evenly() -> None:
    assert spread_latencies(["A", "B", "C"]) == {"A": 20, "B": 50, "C": 80}


def test_answers_are_judged() -> None:
    assert check_answer("graphql", 200, b'{"data": {"person": {"id": "P1"}}}') is None
    assert check_answer("graphql", 200, b'{"data": {"person": null}, "errors": [{}]}')
    # A record too old for the grant, refused as the policy says, is an answer.
    stale = b'{"extensions": {"code": "SOURCE_STALE"}}'
    other = b'{"extensions": {"code": "SOURCE_UNAVAILABLE"}}'
    person = b'{"data": {"person": {"id": "P1", "earnedIncome": null}}, "errors": '
    assert check_answer("graphql", 200, person + b"[" + stale + b"]}") is None
    assert check_answer("graphql", 200, person + b"[" + stale + b", " + other + b"]}")
    assert check_answer("graphql", 200, person + b'["SOURCE_STALE"]}')
    assert check_answer("graphql", 429, b"{}")
    assert check_answer("lookup", 200, b'{"source": "MND", "records": {"x": {}}}') is None
    assert check_answer("lookup", 200, b'{"source": "MND", "records": {}}')
    request = build_request("127.0.0.1", 80, "/graphql", {"A": "b"}, b"{}")
    assert request.endswith(b"Content-Length: 2\r\nA: b\r\n\r\n{}")


def _new_children(before: set[int]) -> set[int]:
    return {
        pid
        for pid in set(descendants(os.getpid())) - before
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    }


@pytest.mark.postgres
async def test_a_tiny_run_on_postgresql() -> None:
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_POSTGRES=1 to make this an error")
    children_before = set(descendants(os.getpid()))
    result = await run(TINY, build_load_workload(load_catalog()), log=False)
    assert result.skipped is None
    assert [level.concurrency for level in result.levels] == [2]
    level = result.levels[0]
    assert level.failures == 0, level.hub.failure_samples + level.source.failure_samples
    assert level.hub.ok > 0 and level.hub.latencies_ns
    assert level.source.latencies_ns
    assert level.audit_entries == level.hub.ok
    assert level.cpu_s["hub"] > 0 and level.cpu_s["sources"] > 0
    assert ok(result)
    text = report(result)
    assert "MND p50 ms" in text and "audit entries" in text and "hub ms" in text
    assert len(goals(result)) == 3
    # Nothing the run started outlives it (multiprocessing's resource tracker
    # serves this whole test process and ends with it).
    leftovers = _new_children(children_before)
    for pid in leftovers:  # pragma: no cover - only on failure, and only our own children
        os.kill(pid, signal.SIGKILL)
    assert not leftovers
