"""Many writers, one log: concurrent commits form one consistent tree.

Issue 4: "many concurrent requests (and two hub processes on one PostgreSQL)
produce one consistent tree with no gaps or duplicate sequence numbers".

Each test writes to a database of its own (migrated for it; a PostgreSQL
one is dropped after), because what is checked is what got committed.
`check_tree`, shared with test_fault.py, checks the result independently
(every leaf recomputed from the stored content, every stored node and the
root from the leaves) and then with the hub's verifier, `verify_database`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from connectors.base import AS_OF
from hub.audit.access_log import AccessFacts, AuditUnavailable, PersonOutcome, commit_access
from hub.audit.entries import content_of, entry_leaf_hash
from hub.audit.heads import load_public_key, public_key_pem, sign_current, tree_size
from hub.audit.merkle import LeafHashes
from hub.audit.proofs import stored_root
from hub.audit.verify import verify_database
from hub.audit.writer import AuditWriter
from hub.auth.tokens import issue_token
from hub.catalog import load_catalog
from hub.db.models import AuditEntry, AuditNode
from hub.db.session import Database
from hub.identity.rrn import make_rrn
from hub.keys import KeyRing, load_keys
from hub.settings import DEV_PUBLIC_URL, Settings
from policies.compiled import compile_policy
from policies.document import read_baseline
from schema.view import CASE_HEADER, PURPOSE_HEADER, REQUEST_ID_HEADER
from simulator.harness import SimulatorServer
from simulator.population import Population
from tests.conftest import scratch_postgres, scratch_url

AGENCY = "LOCAL_WELFARE"
# A purpose the baseline policy grants LOCAL_WELFARE, with fields it releases
# in full and without consent (policies/baseline/LOCAL_WELFARE.toml).
PURPOSE = "basic_livelihood_eligibility"


# --- the independent check of the stored tree --------------------------------


@dataclass(frozen=True)
class CheckedTree:
    """What `check_tree` read: the size and the entries, in order."""

    size: int
    entries: list[AuditEntry]

    def request_ids(self) -> list[str]:
        """Each entry's request id, in sequence order."""
        return [e.request_id or "" for e in self.entries]


async def check_tree(database: Database, keys: KeyRing) -> CheckedTree:
    """Assert that the stored log is one consistent tree; return its entries.

    Sequence numbers are exactly 0..size-1 (no gap, no duplicate), every leaf
    hash is recomputed from its row's content, the stored perfect subtrees are
    exactly those a tree of this size has, each equal to its recomputation
    from the leaves, and the root read from storage equals the recomputed one.
    Then a head is signed for the log as it is and the hub's own verifier
    (`verify_database`, with the public key) must pass it, heads included.
    """
    async with database.session() as session:
        size = await tree_size(session)
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        nodes = (
            await session.execute(select(AuditNode.level, AuditNode.index, AuditNode.hash))
        ).all()
        count = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert count == size
    assert [e.seq for e in entries] == list(range(size)), "gaps or duplicate sequence numbers"
    for entry in entries:
        assert entry.leaf_hash == entry_leaf_hash(entry.seq, content_of(entry)), entry.seq
    leaves = LeafHashes([e.leaf_hash for e in entries])
    expected = {
        (level, index) for level in range(1, size.bit_length()) for index in range(size >> level)
    }
    stored = {(level, index): digest for level, index, digest in nodes}
    assert set(stored) == expected, "missing or extra stored subtrees"
    for (level, index), digest in stored.items():
        assert digest == leaves.subtree(index << level, (index + 1) << level), (level, index)
    async with database.session() as session:
        root = await stored_root(session, size)
    assert root == leaves.subtree(0, size)

    head = await sign_current(database, keys)
    assert (head.size, head.root_hash) == (size, root)
    report = await verify_database(database, load_public_key(public_key_pem(keys)))
    assert report.ok, report.summary()
    assert report.entries_checked == size
    assert report.heads_checked >= 1
    return CheckedTree(size, entries)


# --- in one process: two writers, as two processes would have ----------------

FACTS = AccessFacts(
    request_id="",
    agency=AGENCY,
    official="kim.01",
    purpose=PURPOSE,
    case_ref="CASE-2026-0042",
    client_addr="10.1.2.3",
    policy_version=1,
)


def _rrn(i: int) -> str:
    return str(make_rrn(dt.date(1950, 1, 1) + dt.timedelta(days=i), "M", 2000 + i, i))


@pytest.fixture
def keys(data_dir: Path) -> KeyRing:
    """Development keys in the test's data directory."""
    return load_keys(Settings(data_dir=data_dir))


async def _commit_concurrently(
    writers: Sequence[AuditWriter],
    keys: KeyRing,
    requests: Sequence[Sequence[int]],
    first: int = 0,
) -> list[list[int] | AuditUnavailable]:
    """commit_access for each request (person numbers), all at once, round-robin over writers.

    Request i (counting from `first`) has the request id `req-{i:04d}`.
    """

    async def one(i: int, persons: Sequence[int]) -> list[int] | AuditUnavailable:
        facts = replace(FACTS, request_id=f"req-{i:04d}")
        outcomes = [
            PersonOutcome(_rrn(p), {"earnedIncome": {"annualAmount": "full"}}) for p in persons
        ]
        try:
            return await commit_access(writers[i % len(writers)], keys, facts, outcomes)
        except AuditUnavailable as exc:
            return exc

    return await asyncio.gather(
        *(one(i, persons) for i, persons in enumerate(requests, start=first))
    )


async def test_two_writers_build_one_tree(fresh_url: str, keys: KeyRing) -> None:
    # Two Database services (two engines, two pools) stand for two processes.
    first, second = Database.from_url(fresh_url), Database.from_url(fresh_url)
    try:
        writers = [AuditWriter(first), AuditWriter(second)]
        rng = random.Random(4)
        # 200 requests of 1-3 persons each; no person in two requests, so
        # that this test is about sequence numbers and the tree alone (shared
        # persons: the next test).
        people = iter(range(1000))
        requests = [[next(people) for _ in range(rng.randint(1, 3))] for _ in range(200)]
        # Several waves, so that each writer writes several batches and has
        # to resume from what the other one wrote in between.
        results: list[list[int] | AuditUnavailable] = []
        for wave in range(4):
            results += await _commit_concurrently(
                writers, keys, requests[wave * 50 : (wave + 1) * 50], first=wave * 50
            )
        failures = [r for r in results if isinstance(r, AuditUnavailable)]
        assert not failures, failures[:3]
        tree = await check_tree(first, keys)
        assert tree.size == sum(len(r) for r in requests)
        seqs = sorted(s for r in results if not isinstance(r, AuditUnavailable) for s in r)
        assert seqs == list(range(tree.size))
        for i, result in enumerate(results):
            assert not isinstance(result, AuditUnavailable)
            # Each request's sequence numbers point at its own entries.
            assert {tree.entries[s].request_id for s in result} == {f"req-{i:04d}"}
        assert all(w.batches_written > 1 for w in writers)
        assert sum(w.batches_written for w in writers) < len(requests), "no commit was shared"
    finally:
        await first.dispose()
        await second.dispose()


async def test_two_writers_sharing_persons_all_commit(fresh_url: str, keys: KeyRing) -> None:
    # Both "processes" log the same few persons, in varying orders, all at
    # once. Their batches' subjects and pseudonyms rows then overlap; on
    # PostgreSQL, rows inserted in different orders by two transactions
    # deadlock unless every writer takes its locks in one order, and the
    # losing batch's requests would all get 503.
    first, second = Database.from_url(fresh_url), Database.from_url(fresh_url)
    try:
        writers = [AuditWriter(first), AuditWriter(second)]
        rng = random.Random(7)
        requests = [rng.sample(range(12), rng.randint(1, 4)) for _ in range(200)]
        results = await _commit_concurrently(writers, keys, requests)
        tree = await check_tree(first, keys)
        committed = [r for r in results if not isinstance(r, AuditUnavailable)]
        # Whatever happened, the tree holds exactly the committed entries...
        assert tree.size == sum(len(r) for r in committed)
        # ...and nothing failed.
        failures = [r for r in results if isinstance(r, AuditUnavailable)]
        assert not failures, f"{len(failures)} of {len(requests)} requests failed: {failures[0]}"
    finally:
        await first.dispose()
        await second.dispose()


# --- two real hub processes on one PostgreSQL --------------------------------

QUERY = """query Check($rrns: [String!]!) {
  persons(rrns: $rrns) {
    id
    residentRegistration { name birthDate district }
    earnedIncome { annualAmount }
  }
}"""
REQUESTS = 200
IN_FLIGHT = 16
QUERY_TYPES = ("residentRegistration", "earnedIncome")


def current_pool(population: Population, size: int) -> list[str]:
    """`size` persons whose records of QUERY's types the baseline grant may release.

    Records older than the grant's `max_age_days` would come back as
    SOURCE_STALE errors; two days inside the limit, so that midnight
    cannot change that during a run.
    """
    catalog = load_catalog()
    grant = compile_policy(read_baseline(), catalog, 1).grant(AGENCY, PURPOSE)
    assert grant is not None
    today = dt.date.today()

    def fresh(rrn: str) -> bool:
        for name in QUERY_TYPES:
            found = population.record(rrn, catalog.info_type(name), [])
            if isinstance(found, dict):
                age = (today - dt.date.fromisoformat(found[AS_OF])).days
                if age > grant.max_age_days - 2:
                    return False
        return True

    pool = [r for r in population.sample_rrns(4 * size) if fresh(r)][:size]
    assert len(pool) == size
    return pool


STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class HubProcess:
    """`ssis-hub serve` in a subprocess, its output going to a file."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """The agencies' endpoint."""
        return f"http://127.0.0.1:{self.port}/graphql"

    def output(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(errors="replace")

    async def wait_ready(self, client: httpx.AsyncClient) -> None:
        """Return once /healthz answers; fail if the process exits or takes too long."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert self.process.poll() is None, f"hub exited early:\n{self.output()}"
            try:
                response = await client.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"hub not ready:\n{self.output()}"
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        """SIGTERM, then wait for a clean exit (kill only as a last resort)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 10)


def _start_hub(env: dict[str, str], workdir: Path, name: str, *serve_args: str) -> HubProcess:
    """`ssis-hub serve` (with `serve_args`) as a subprocess on a free port, logging to a file."""
    port = _free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "hub.cli.main", "serve", *serve_args, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    return HubProcess(port, process, log_path)


@pytest.mark.postgres
async def test_two_hub_processes_share_one_consistent_tree(tmp_path: Path) -> None:
    async with scratch_postgres() as name:
        url = scratch_url(name)
        data_dir = tmp_path / "var"
        # The keys are generated here, once, before either process looks for
        # them: both hubs and the test's token then share them.
        keys = load_keys(Settings(data_dir=data_dir))
        population = Population(size=2_000)
        # 1-3 persons per request out of 40, so both processes keep logging
        # the same persons (their subjects and pseudonyms rows meet).
        rng = random.Random(26)
        pool = current_pool(population, 40)
        batches = [rng.sample(pool, rng.randint(1, 3)) for _ in range(REQUESTS)]
        with SimulatorServer(population) as sources:
            env = {
                **os.environ,
                "HUB_DATABASE_URL": url,
                "HUB_DATA_DIR": str(data_dir),
                # One public URL for every process, as behind a balancer: the
                # tokens' issuer (else each hub's would follow its own port).
                "HUB_PUBLIC_URL": DEV_PUBLIC_URL,
                "HUB_SIMULATOR_URL": sources.base_url,
                "HUB_ENVIRONMENT": "development",
            }
            hubs = [_start_hub(env, tmp_path, f"hub{i}") for i in range(2)]
            try:
                async with httpx.AsyncClient(timeout=30) as client:
                    await asyncio.gather(*(h.wait_ready(client) for h in hubs))
                    token = issue_token(
                        keys, Settings(data_dir=data_dir), agency=AGENCY, official="kim.01"
                    )
                    headers = {
                        "Authorization": f"Bearer {token}",
                        PURPOSE_HEADER: PURPOSE,
                        CASE_HEADER: "CASE-2026-0777",
                    }
                    gate = asyncio.Semaphore(IN_FLIGHT)

                    async def ask(i: int) -> tuple[int, httpx.Response]:
                        async with gate:
                            hub = hubs[i % 2]
                            body = {"query": QUERY, "variables": {"rrns": batches[i]}}
                            return i, await client.post(hub.url, json=body, headers=headers)

                    answers = await asyncio.gather(*(ask(i) for i in range(REQUESTS)))
            finally:
                await asyncio.gather(*(h.stop() for h in hubs))
            for hub in hubs:
                # serve turns SIGTERM into SystemExit(128 + SIGTERM) after a clean shutdown.
                assert hub.process.returncode in (0, 128 + signal.SIGTERM), hub.output()

        persons_by_request: dict[str, int] = {}
        port_by_request: dict[str, int] = {}
        for i, response in answers:
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body["errors"]
            persons = body["data"]["persons"]
            assert len(persons) == len(batches[i]) and all(p is not None for p in persons)
            request_id = response.headers[REQUEST_ID_HEADER]
            persons_by_request[request_id] = len(persons)
            port_by_request[request_id] = hubs[i % 2].port

        database = Database.from_url(url)
        try:
            tree = await check_tree(database, keys)
        finally:
            await database.dispose()
        assert tree.size == sum(persons_by_request.values())
        logged: dict[str, int] = {}
        for request_id in tree.request_ids():
            logged[request_id] = logged.get(request_id, 0) + 1
        assert logged == persons_by_request
        # Both processes wrote into the one tree.
        writers = {port_by_request[r] for r in tree.request_ids()}
        assert writers == {h.port for h in hubs}
