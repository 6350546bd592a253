"""The audit throughput benchmark's parts: configuration, databases, the two measurements.

Split from `bench.audit_throughput`, which runs them and prints the report.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench._stats import percentile
from bench._workload import BENCH_RATE_LIMITS, Workload
from hub.app import close_services, create_app
from hub.app.prepare import prepare_database
from hub.app.services import HubServices
from hub.audit.access_log import AccessFacts, PersonOutcome, commit_access
from hub.audit.entries import EntryContent
from hub.audit.heads import tree_size
from hub.audit.writer import AuditWriter
from hub.auth.tokens import issue_token
from hub.catalog import load_catalog
from hub.db.session import Database
from hub.keys import KeyRing
from hub.settings import Settings, SourceSettings
from policies.store import FixedPolicy
from policies.testing import grant_everything
from schema.view import CASE_HEADER, PURPOSE_HEADER

DATASET = "bench-audit"
AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
OFFICIAL = "bench.01"
DEFAULT_POSTGRES_DSN = os.environ.get(
    "HUB_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SQLITE, POSTGRESQL = "SQLite", "PostgreSQL"
GROUP, ONE_PER_ENTRY = "group commit", "one transaction per entry"
AUDITED, UNLOGGED = "real writer", "no audit (UnloggedWriter)"

Side = Sequence[tuple[type[Any], list[dict[str, Any]]]]


@dataclass(frozen=True)
class Config:
    """How much to measure."""

    # Concurrent appenders, i.e. requests in flight across the hub. The
    # writer's capacity shows at saturation, where batches reach thousands;
    # `--producers 64` shows a light load's smaller batches.
    producers: int = 1024
    group_entries: int = 20_000  # entries through the group-commit writer, per backend
    baseline_entries: int = 2_000  # entries at one transaction each, per backend
    rounds: int = 2  # alternating rounds the entries are split into
    persons: int = 5_000  # distinct persons the appends name (population size)
    hub_requests: int = 1_200  # timed requests per writer variant, per backend
    hub_round: int = 200  # requests per variant per round
    concurrency: int = 32  # hub requests in flight
    hub_warmup: int = 64  # untimed requests per variant first


DEFAULT = Config()
QUICK = Config(
    producers=8,
    group_entries=120,
    baseline_entries=30,
    persons=200,
    hub_requests=16,
    hub_round=8,
    concurrency=4,
    hub_warmup=4,
)


class UnloggedWriter(AuditWriter):
    """BENCHMARK ONLY: an `AuditWriter` that writes nothing.

    `append` hands back made-up sequence numbers at once, so a hub built with
    it measures the request path without the access log's cost. With
    `recorded` it also keeps what it was given (to replay against the real
    writer). Never use it outside bench/: a hub running it releases data with
    no access log.
    """

    def __init__(
        self, db: Database, recorded: list[tuple[list[EntryContent], Side]] | None = None
    ) -> None:
        super().__init__(db)
        self.recorded = recorded
        self._next = 0

    async def append(
        self,
        entries: Sequence[EntryContent],
        side_rows: Side = (),
        spends: Sequence[str] = (),
    ) -> list[int]:
        """Pretend to log `entries`: nothing is written."""
        if self.recorded is not None:
            self.recorded.append((list(entries), side_rows))
        first, self._next = self._next, self._next + len(entries)
        return list(range(first, self._next))


# --- results ------------------------------------------------------------------


@dataclass
class WriterRun:
    """One writer variant on one backend, summed over its rounds."""

    backend: str
    variant: str
    entries: int = 0
    seconds: float = 0.0
    batches: int = 0
    waits_ns: list[int] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        """Entries committed per second of wall time."""
        return self.entries / self.seconds if self.seconds else 0.0

    @property
    def mean_batch(self) -> float:
        """Entries per transaction."""
        return self.entries / self.batches if self.batches else 0.0

    def wait_ms(self, fraction: float) -> float:
        """A percentile of the append-to-commit wait, in milliseconds."""
        return percentile(sorted(self.waits_ns), fraction) / 1e6 if self.waits_ns else 0.0


@dataclass
class HubRun:
    """The hub with one writer variant on one backend, summed over its rounds."""

    backend: str
    variant: str
    requests: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Requests answered per second of wall time (`concurrency` in flight)."""
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Result:
    """What one run measured."""

    config: Config
    workload: Workload
    writer: list[WriterRun] = field(default_factory=list)
    hub: list[HubRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def writer_run(self, backend: str, variant: str) -> WriterRun | None:
        """The writer measurement for (backend, variant), if it ran."""
        return next((r for r in self.writer if (r.backend, r.variant) == (backend, variant)), None)

    def hub_run(self, backend: str, variant: str) -> HubRun | None:
        """The hub measurement for (backend, variant), if it ran."""
        return next((r for r in self.hub if (r.backend, r.variant) == (backend, variant)), None)

    def writer_ratio(self, backend: str) -> float | None:
        """Group commit's entries/s over one transaction per entry's."""
        group, single = self.writer_run(backend, GROUP), self.writer_run(backend, ONE_PER_ENTRY)
        if group is None or single is None or not single.per_second:
            return None
        return group.per_second / single.per_second

    def hub_ratio(self, backend: str) -> float | None:
        """Requests/s with the real writer over requests/s without any audit."""
        audited, unlogged = self.hub_run(backend, AUDITED), self.hub_run(backend, UNLOGGED)
        if audited is None or unlogged is None or not unlogged.per_second:
            return None
        return audited.per_second / unlogged.per_second


# --- databases ----------------------------------------------------------------


async def postgres_problem(dsn: str) -> str | None:
    """Why PostgreSQL at `dsn` cannot be used, or None if it answers."""
    try:
        connection = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {dsn} is not reachable ({type(exc).__name__})"
    await connection.close()
    return None


@asynccontextmanager
async def fresh_database(backend: str, workdir: Path, label: str, dsn: str) -> AsyncIterator[str]:
    """The URL of a new database prepared for the hub, removed afterwards."""
    if backend == SQLITE:
        url = f"sqlite+aiosqlite:///{workdir / f'{label}.db'}"
        await prepare_database(url)
        yield url
        return
    name = f"hub_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        scratch = make_url(dsn).set(drivername="postgresql+asyncpg", database=name)
        scratch_url = scratch.render_as_string(hide_password=False)
        await prepare_database(scratch_url)
        yield scratch_url
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


# --- (a) the writer -----------------------------------------------------------


def _facts() -> AccessFacts:
    return AccessFacts(
        request_id=str(uuid.uuid4()),
        agency=AGENCY,
        official=OFFICIAL,
        purpose=PURPOSE,
        case_ref="BENCH-0001",
        client_addr="10.1.2.3",
        policy_version=1,
        legal_basis="National Basic Livelihood Security Act, Art. 23",
        query_hash="0" * 64,
    )


async def record_submissions(
    keys: KeyRing, workload: Workload, rrns: Sequence[str], sizes: Sequence[int], count: int
) -> list[tuple[list[EntryContent], Side]]:
    """`count` appends exactly as `commit_access` makes them, persons of sizes cycling."""
    released = {t.name: {f.name: "full" for f in t.exposed_fields} for t in workload.info_types}
    recorded: list[tuple[list[EntryContent], Side]] = []
    # The recorder never touches its database; this one is never even opened.
    nowhere = Database.from_url("sqlite+aiosqlite:///:memory:")
    recorder = UnloggedWriter(nowhere, recorded)
    position = 0
    try:
        for i in range(count):
            size = sizes[i % len(sizes)]
            persons = [rrns[(position + j) % len(rrns)] for j in range(size)]
            position += size
            outcomes = [PersonOutcome(rrn, released) for rrn in persons]
            await commit_access(recorder, keys, _facts(), outcomes)
    finally:
        await nowhere.dispose()
    return recorded


def _round_of(
    pool: Sequence[tuple[list[EntryContent], Side]], start: int, entries: int
) -> tuple[list[tuple[list[EntryContent], Side]], int]:
    """Submissions from `pool` (cycling from `start`) holding at least `entries` entries."""
    chosen: list[tuple[list[EntryContent], Side]] = []
    total, i = 0, start
    while total < entries:
        item = pool[i % len(pool)]
        chosen.append(item)
        total += len(item[0])
        i += 1
    return chosen, i


async def _drive(
    writer: AuditWriter,
    submissions: Sequence[tuple[list[EntryContent], Side]],
    producers: int,
    run: WriterRun | None,
) -> None:
    """Producers append the submissions concurrently; time it into `run` (None: warm-up)."""
    work: Iterator[tuple[list[EntryContent], Side]] = iter(submissions)
    waits: list[int] = []

    async def producer() -> None:
        for entries, side_rows in work:
            start = time.perf_counter_ns()
            await writer.append(entries, side_rows)
            waits.append(time.perf_counter_ns() - start)

    batches_before = writer.batches_written
    start = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(producers)))
    seconds = time.perf_counter() - start
    if run is not None:
        run.seconds += seconds
        run.entries += sum(len(entries) for entries, _ in submissions)
        run.batches += writer.batches_written - batches_before
        run.waits_ns += waits


async def measure_writer(
    config: Config,
    backend: str,
    url: str,
    group_pool: Sequence[tuple[list[EntryContent], Side]],
    single_pool: Sequence[tuple[list[EntryContent], Side]],
) -> list[WriterRun]:
    """Group commit against one transaction per entry, alternating rounds, on `url`."""
    database = Database.from_url(url)
    group = WriterRun(backend, GROUP)
    single = WriterRun(backend, ONE_PER_ENTRY)
    appended = 0
    try:
        group_writer, single_writer = AuditWriter(database), AuditWriter(database, max_batch=1)
        warmup, group_at = _round_of(group_pool, 0, max(config.producers * 4, 100))
        await _drive(group_writer, warmup, config.producers, None)
        appended += sum(len(e) for e, _ in warmup)
        single_at = 0
        gc.collect()
        for round_index in range(config.rounds):
            group_round, group_at = _round_of(
                group_pool, group_at, config.group_entries // config.rounds
            )
            single_round, single_at = _round_of(
                single_pool, single_at, config.baseline_entries // config.rounds
            )
            order = [
                (group_writer, group_round, group),
                (single_writer, single_round, single),
            ]
            # Swapping who goes first each round cancels any first-mover effect.
            for writer, submissions, run in order if round_index % 2 == 0 else order[::-1]:
                await _drive(writer, submissions, config.producers, run)
                appended += sum(len(e) for e, _ in submissions)
        async with database.session() as session:
            size = await tree_size(session)
        if size != appended:
            raise RuntimeError(f"{backend}: {appended} entries appended but the log holds {size}")
    finally:
        await database.dispose()
    return [group, single]


# --- (b) the hub with and without the audit -----------------------------------


async def measure_hub(
    config: Config, backend: str, url: str, workdir: Path, workload: Workload
) -> list[HubRun]:
    """Requests/s of the hub with the real writer and with UnloggedWriter, alternating."""
    catalog = load_catalog()
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        sources={s.code: SourceSettings(url=f"memory://{DATASET}") for s in catalog.sources},
        rate_limits=BENCH_RATE_LIMITS,
    )
    app = create_app(settings, policies=FixedPolicy(grant_everything(catalog, AGENCY, PURPOSE)))
    services: HubServices = app.state.services
    writers: dict[str, AuditWriter] = {
        AUDITED: services.audit,
        UNLOGGED: UnloggedWriter(services.database),
    }
    runs = {variant: HubRun(backend, variant) for variant in writers}
    try:
        token = issue_token(
            services.keys, settings, agency=AGENCY, official=OFFICIAL, ttl_s=24 * 3600
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            PURPOSE_HEADER: PURPOSE,
            CASE_HEADER: "BENCH-0001",
        }
        body = json.dumps({"query": workload.query, "variables": workload.variables}).encode()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:

            async def burst(count: int) -> None:
                work = iter(range(count))

                async def one_client() -> None:
                    for _ in work:
                        response = await client.post("/graphql", content=body, headers=headers)
                        if response.status_code != 200 or b'"errors"' in response.content:
                            raise RuntimeError(f"the hub answered {response.status_code}")

                await asyncio.gather(*(one_client() for _ in range(config.concurrency)))

            async def timed(variant: str, count: int, run: HubRun | None) -> None:
                services.audit = writers[variant]
                start = time.perf_counter()
                await burst(count)
                if run is not None:
                    run.seconds += time.perf_counter() - start
                    run.requests += count

            for variant in writers:
                await timed(variant, config.hub_warmup, None)
            gc.collect()
            remaining, round_index = config.hub_requests, 0
            while remaining > 0:
                count = min(config.hub_round, remaining)
                order = list(writers)
                for variant in order if round_index % 2 == 0 else order[::-1]:
                    await timed(variant, count, runs[variant])
                remaining -= count
                round_index += 1
    finally:
        services.audit = writers[AUDITED]
        await close_services(services)
    return list(runs.values())
