"""One load-test run: the stack up, every concurrency level measured, the stack down.

Per level, in this order: the hub (closed loop over `C` connections, warm-up
then the measured window) with CPU times and the access log's entry count
read before and after, then the slowest source alone, asked directly what
the hub asks it, by the same persons at the same concurrency.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from bench._audit_parts import fresh_database, postgres_problem
from bench._loadgen import Job, JobResult, LoadGenerator, requests_for
from bench._loadwork import AGENCY, CASE_REF, OFFICIAL, PURPOSE, LoadWorkload
from bench._stack import (
    CpuGroups,
    Stack,
    cpu_delta,
    free_port,
    process_deltas,
    start_hub,
    start_simulator,
    wait_ready,
)
from bench._stats import percentile
from bench._workload import BENCH_RATE_LIMITS
from hub.auth.tokens import issue_token
from hub.keys import load_keys
from hub.settings import Settings
from schema.view import CASE_HEADER, PURPOSE_HEADER
from simulator.population import Population

HOST = "127.0.0.1"
#: CPU groups of the table, in order; `machine` is every core's busy time.
CPU_GROUPS = ("hub", "sources", "loadgen", "postgres", "other", "machine")


@dataclass(frozen=True)
class Options:
    """What to measure and for how long."""

    levels: tuple[int, ...] = (1, 8, 32, 64, 128, 192)
    warmup_s: float = 2.0
    duration_s: float = 8.0
    baseline_warmup_s: float = 1.0
    baseline_s: float = 4.0
    ramp_s: float = 1.0  # connections opened one by one over this long (within the warm-up)
    persons: int = 5000
    population: int = 10_000
    workers: int = 2
    info_types: int = 10
    postgres_dsn: str = ""
    #: Redis counting the rate limits (HUB_REDIS_URL); "" counts them in PostgreSQL.
    redis_url: str = ""
    #: Further HUB_ settings for the hub's processes (`--set HUB_X=value`), applied last.
    hub_settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Level:
    """One concurrency level's measurements."""

    concurrency: int
    hub: JobResult
    source: JobResult
    audit_entries: int
    cpu_s: dict[str, float]  # per CPU group, `machine`, and `wall` (elapsed seconds)
    worker_cpu_s: tuple[float, ...]  # each hub worker's CPU seconds, busiest first

    @property
    def worker_split(self) -> str:
        """Each hub worker's share of the workers' CPU, busiest first, e.g. "55/45"."""
        total = sum(self.worker_cpu_s)
        if total <= 0:
            return "-"
        return "/".join(f"{100 * s / total:.0f}" for s in self.worker_cpu_s)

    @staticmethod
    def _ms(result: JobResult, fraction: float) -> float:
        ordered = sorted(result.latencies_ns)
        return percentile(ordered, fraction) / 1e6 if ordered else float("nan")

    @property
    def hub_p50_ms(self) -> float:
        """The hub's median latency."""
        return self._ms(self.hub, 0.50)

    @property
    def hub_p99_ms(self) -> float:
        """The hub's 99th percentile latency."""
        return self._ms(self.hub, 0.99)

    @property
    def source_p50_ms(self) -> float:
        """The slowest source's median latency, asked directly."""
        return self._ms(self.source, 0.50)

    @property
    def source_p99_ms(self) -> float:
        """The slowest source's 99th percentile latency, asked directly."""
        return self._ms(self.source, 0.99)

    @property
    def p50_ratio(self) -> float:
        """Hub p50 / slowest source p50."""
        return self.hub_p50_ms / self.source_p50_ms

    @property
    def p99_ratio(self) -> float:
        """Hub p99 / slowest source p99."""
        return self.hub_p99_ms / self.source_p99_ms

    @property
    def failures(self) -> int:
        """Failed requests, to the hub and to the source."""
        return self.hub.failures + self.source.failures

    @property
    def audit_matches(self) -> bool:
        """Exactly one access-log entry per hub answer about the person (a 200)."""
        return self.audit_entries == self.hub.answered

    def cpu_ms_per_request(self, group: str) -> float:
        """CPU milliseconds `group` spent per successful hub request."""
        if group == "other":  # the machine minus the groups: the benchmark itself, neighbours
            spent = self.cpu_s.get("machine", 0.0) - sum(
                self.cpu_s.get(g, 0.0) for g in CPU_GROUPS if g not in ("other", "machine")
            )
        else:
            spent = self.cpu_s.get(group, 0.0)
        return 1000 * spent / self.hub.ok if self.hub.ok else float("nan")

    @property
    def cores_busy(self) -> float:
        """How many cores were busy on average while the hub was measured."""
        wall = self.cpu_s.get("wall", 0.0)
        return self.cpu_s.get("machine", 0.0) / wall if wall > 0 else float("nan")


@dataclass
class RunResult:
    """Everything a run measured, and the facts needed to read it."""

    options: Options
    workload: LoadWorkload
    cores: int
    levels: list[Level] = field(default_factory=list)
    skipped: str | None = None
    #: Where the rate limits were counted, and why there.
    rate_limit_store: str = "PostgreSQL"


def hub_environment(
    workdir: Path,
    database_url: str,
    hub_port: int,
    source_ports: Mapping[str, int],
    max_concurrency: int,
    redis_url: str = "",
    extra: tuple[tuple[str, str], ...] = (),
) -> dict[str, str]:
    """The hub's environment: inherited minus any HUB_ setting, plus the run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    first = next(iter(source_ports.values()))
    env |= {
        "HUB_ENVIRONMENT": "development",  # production wants https and real keys
        "HUB_DATA_DIR": str(workdir / "var"),
        "HUB_DATABASE_URL": database_url,
        "HUB_PUBLIC_URL": f"http://{HOST}:{hub_port}",
        "HUB_SIMULATOR_URL": f"http://{HOST}:{first}",
        "HUB_GRAPHIQL": "false",
        "HUB_INTROSPECTION": "false",
        "HUB_MASK_ERRORS": "true",
        # Enough pooled connections per source that the pool is not what waits.
        "HUB_SOURCE_MAX_CONNECTIONS": str(max(50, max_concurrency)),
        "HUB_RATE_LIMITS__AGENCY_PER_MINUTE": str(BENCH_RATE_LIMITS.agency_per_minute),
        "HUB_RATE_LIMITS__OFFICIAL_PER_MINUTE": str(BENCH_RATE_LIMITS.official_per_minute),
        "HUB_RATE_LIMITS__AGENCY_PER_DAY": str(BENCH_RATE_LIMITS.agency_per_day),
    }
    if redis_url:
        env["HUB_REDIS_URL"] = redis_url
    for code, port in source_ports.items():
        env[f"HUB_SOURCES__{code}__URL"] = f"http://{HOST}:{port}/sources/{code}"
    env.update(extra)
    return env


async def redis_problem(url: str) -> str | None:
    """Why Redis at `url` cannot count the rate limits, or None when it answers."""
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except RedisError as exc:
        return f"Redis at {url} does not answer ({type(exc).__name__})"
    finally:
        await client.aclose()
    return None


async def _audit_count(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        count = await connection.fetchval(
            "SELECT count(*) FROM audit_entries WHERE agency = $1", AGENCY
        )
    finally:
        await connection.close()
    return int(count)


async def measure_level(
    concurrency: int,
    options: Options,
    loadgen: LoadGenerator,
    hub_requests: tuple[bytes, ...],
    hub_port: int,
    hub_pid: int,
    source_requests: tuple[bytes, ...],
    source_port: int,
    cpu: CpuGroups,
    dsn: str,
) -> Level:
    """The hub, then the slowest source alone, at `concurrency`."""
    entries_before = await _audit_count(dsn)
    cpu_before = cpu.snapshot()
    started = time.perf_counter()
    hub_job = Job(
        HOST,
        hub_port,
        hub_requests,
        concurrency,
        options.warmup_s,
        options.duration_s,
        "graphql",
        ramp_s=options.ramp_s,
    )
    hub = await asyncio.to_thread(loadgen.run, hub_job)
    cpu_after = cpu.snapshot()
    cpu_used = cpu_delta(cpu_before, cpu_after)
    hub_processes = process_deltas(cpu_before, cpu_after, "hub")
    hub_processes.pop(hub_pid, None)  # the parent (uvicorn's supervisor) serves nothing
    workers = tuple(sorted((s for s in hub_processes.values() if s > 0.05), reverse=True))
    cpu_used["wall"] = time.perf_counter() - started
    entries = await _audit_count(dsn) - entries_before
    source = await asyncio.to_thread(
        loadgen.run,
        Job(
            HOST,
            source_port,
            source_requests,
            concurrency,
            options.baseline_warmup_s,
            options.baseline_s,
            "lookup",
            ramp_s=options.ramp_s,
        ),
    )
    return Level(concurrency, hub, source, entries, cpu_used, workers)


async def run(options: Options, workload: LoadWorkload, log: bool = True) -> RunResult:
    """Start the stack, measure every level, stop the stack (whatever happens)."""
    result = RunResult(options, workload, cores=os.cpu_count() or 1)
    problem = await postgres_problem(options.postgres_dsn)
    if problem is not None:
        result.skipped = problem
        return result
    redis_url = options.redis_url
    if redis_url:
        trouble = await redis_problem(redis_url)
        result.rate_limit_store = (
            f"Redis ({redis_url})" if trouble is None else (f"PostgreSQL, because {trouble}")
        )
        redis_url = redis_url if trouble is None else ""
    rrns = Population(options.population).sample_rrns(options.persons)
    with tempfile.TemporaryDirectory(prefix="ssis-load-") as tmp:
        workdir = Path(tmp)
        async with fresh_database("PostgreSQL", workdir, "load", options.postgres_dsn) as url:
            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            with Stack(workdir) as stack, LoadGenerator() as loadgen:
                source_ports = {code: free_port() for code in workload.sources}
                simulators = [
                    start_simulator(stack, f"source-{code}", port, ms, options.population)
                    for (code, ms), port in zip(
                        workload.latencies_ms.items(), source_ports.values(), strict=True
                    )
                ]
                hub_port = free_port()
                env = hub_environment(
                    workdir,
                    url,
                    hub_port,
                    source_ports,
                    max(options.levels),
                    redis_url,
                    options.hub_settings,
                )
                settings = Settings(
                    data_dir=workdir / "var", database_url=url, public_url=env["HUB_PUBLIC_URL"]
                )
                # Development keys, generated here once; the hub's processes read the same file.
                keys = load_keys(settings)
                hub = start_hub(stack, hub_port, options.workers, env)
                for sim, port in zip(simulators, source_ports.values(), strict=True):
                    await wait_ready(sim, f"http://{HOST}:{port}/healthz")
                await wait_ready(hub, f"http://{HOST}:{hub_port}/readyz", timeout_s=120)
                token = issue_token(keys, settings, agency=AGENCY, official=OFFICIAL, ttl_s=3600)
                headers = {
                    "Authorization": f"Bearer {token}",
                    PURPOSE_HEADER: PURPOSE,
                    CASE_HEADER: CASE_REF,
                }
                hub_requests = requests_for(
                    HOST, hub_port, "/graphql", headers, [workload.graphql_body(r) for r in rrns]
                )
                slowest_port = source_ports[workload.slowest]
                source_requests = requests_for(
                    HOST,
                    slowest_port,
                    f"/sources/{workload.slowest}/v1/lookup",
                    {},
                    [workload.lookup_body(r) for r in rrns],
                )
                cpu = CpuGroups(
                    groups={
                        "hub": [hub.pid],
                        "sources": [s.pid for s in simulators],
                        "loadgen": [loadgen.pid],
                    },
                    postgres_database=make_url(url).database or "",
                )
                for concurrency in options.levels:
                    level = await measure_level(
                        concurrency,
                        options,
                        loadgen,
                        hub_requests,
                        hub_port,
                        hub.pid,
                        source_requests,
                        slowest_port,
                        cpu,
                        dsn,
                    )
                    result.levels.append(level)
                    if log:
                        print(
                            f"  concurrency {concurrency}: {level.hub.per_second:.1f} requests/s, "
                            f"p50 {level.hub_p50_ms:.1f} ms",
                            flush=True,
                        )
    return result
