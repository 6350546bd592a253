"""What the access log can absorb, and what it costs a request.

Two measurements, each against a baseline measured in the same run:

* writer: entries per second through `hub.audit.writer.AuditWriter` (group
  commit) from many concurrent producers, each appending what one request's
  `commit_access` hands it (1-3 persons: their entries, with a released map
  of the request-overhead query's 9 types and 52 fields, and their subjects
  and pseudonyms rows), recorded once beforehand so that only the writer is
  timed. The baseline is the same writer with `max_batch=1` fed one entry
  per append: one transaction per entry. Reported: entries/s, batches, mean
  batch size and the p50/p99 wait of an append (hand-over to commit), on
  PostgreSQL (the production store; the goal is 20,000 entries/s) and on
  SQLite for reference.
* hub: requests per second through the hub app (httpx's ASGI transport,
  `memory://` sources as in bench.request_overhead, many requests in
  flight) for one well-documented person and the request-overhead query,
  with the real writer and with `UnloggedWriter`, whose `append` returns at
  once without writing anything. `UnloggedWriter` exists only here, to
  measure what the audit costs; nothing outside bench/ may use it, since a
  hub running it would release data with no access log. Rounds alternate
  between the two writers so that drift on a shared machine falls on both.

Each run uses fresh databases: an SQLite file in a temporary directory and,
when PostgreSQL answers at `--postgres-dsn` (default: HUB_TEST_POSTGRES_DSN
or postgresql://postgres@127.0.0.1:5432/postgres), a database created for
the run and dropped after it.

Run: `python -m bench.audit_throughput [--quick] [--no-postgres] [--postgres-dsn DSN]`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench._audit_parts import (
    DATASET,
    DEFAULT,
    DEFAULT_POSTGRES_DSN,
    GROUP,
    POSTGRESQL,
    QUICK,
    SQLITE,
    Config,
    Result,
    fresh_database,
    measure_hub,
    measure_writer,
    postgres_problem,
    record_submissions,
)
from bench._stats import format_table
from bench._workload import build_workload
from connectors.memory import publish_dataset
from hub.catalog import load_catalog
from hub.keys import load_keys
from hub.settings import Settings
from simulator.population import Population

# --- the run ------------------------------------------------------------------


async def run(config: Config, workdir: Path, postgres_dsn: str | None) -> Result:
    """Measure on SQLite and, if `postgres_dsn` answers, on PostgreSQL."""
    if config.producers < 1 or config.concurrency < 1 or config.rounds < 1:
        raise ValueError("producers, concurrency and rounds must be positive")
    catalog = load_catalog()
    population = Population(size=config.persons)
    publish_dataset(DATASET, population)
    workload = build_workload(catalog, population)
    result = Result(config, workload)
    keys = load_keys(Settings(data_dir=workdir))
    rrns = population.sample_rrns(config.persons)
    # Enough distinct appends that a round rarely repeats one (repeats are
    # harmless: the sequence number differs, so does the leaf).
    pool_size = max(64, min(4_000, config.group_entries // 2))
    group_pool = await record_submissions(keys, workload, rrns, (1, 2, 3), pool_size)
    single_pool = await record_submissions(
        keys, workload, rrns[::-1], (1,), max(64, config.baseline_entries)
    )

    backends = [SQLITE]
    if postgres_dsn is None:
        result.skipped.append("PostgreSQL: not asked for (--no-postgres)")
    elif (problem := await postgres_problem(postgres_dsn)) is not None:
        result.skipped.append(f"PostgreSQL: skipped, {problem}")
    else:
        backends.insert(0, POSTGRESQL)
    dsn = postgres_dsn or ""
    for backend in backends:
        async with fresh_database(backend, workdir, "writer", dsn) as url:
            result.writer += await measure_writer(config, backend, url, group_pool, single_pool)
    for backend in backends:
        async with fresh_database(backend, workdir, "hub", dsn) as url:
            result.hub += await measure_hub(config, backend, url, workdir, workload)
    return result


def report(result: Result) -> str:
    """The printed report; its last line is the hub's ratio on the first backend measured."""
    config, workload = result.config, result.workload
    lines = [
        "audit throughput: the group-commit writer, and the hub with and without the audit",
        f"  appends as commit_access makes them: 1-3 persons, each entry releasing "
        f"{workload.field_count} fields of {len(workload.info_types)} types, with subjects "
        "and pseudonyms rows",
        f"  writer: {config.producers} concurrent producers; group commit "
        f"{config.group_entries} entries, baseline (max_batch=1, one entry per append) "
        f"{config.baseline_entries}, in {config.rounds} alternating rounds",
        "",
    ]
    rows = [
        [
            f"{r.backend}, {r.variant}",
            str(r.entries),
            f"{r.per_second:,.0f}",
            str(r.batches),
            f"{r.mean_batch:.1f}",
            f"{r.wait_ms(0.50):.1f}",
            f"{r.wait_ms(0.99):.1f}",
        ]
        for r in result.writer
    ]
    headers = ["writer", "entries", "entries/s", "batches", "mean batch", "p50 ms", "p99 ms"]
    lines.append(format_table(headers, rows))
    lines.append("")
    for backend in dict.fromkeys(r.backend for r in result.writer):
        ratio = result.writer_ratio(backend)
        if ratio is not None:
            lines.append(
                f"ratio group commit / one transaction per entry ({backend}): {ratio:.1f}x"
            )
    if (pg := result.writer_run(POSTGRESQL, GROUP)) is not None:
        verdict = "met" if pg.per_second >= 20_000 else "NOT met"
        lines.append(f"goal 20,000 entries/s on PostgreSQL: {verdict} ({pg.per_second:,.0f})")
    lines += [
        "",
        f"hub: 1 person, {workload.field_count} fields in {len(workload.info_types)} types, "
        f"memory:// sources, {config.concurrency} requests in flight, {config.hub_requests} "
        f"timed requests per variant in alternating rounds of {config.hub_round}",
        "  (UnloggedWriter writes nothing: it exists only to measure the audit's cost)",
        "",
    ]
    rows = [
        [f"{r.backend}, {r.variant}", str(r.requests), f"{r.seconds:.2f}", f"{r.per_second:,.1f}"]
        for r in result.hub
    ]
    lines.append(format_table(["hub", "requests", "seconds", "requests/s"], rows))
    lines += [f"  {reason}" for reason in result.skipped]
    lines.append("")
    for backend in dict.fromkeys(r.backend for r in result.hub):
        ratio = result.hub_ratio(backend)
        if ratio is not None:
            lines.append(f"ratio hub with audit / without ({backend}): {ratio:.2f}x")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> tuple[Config, str | None]:
    """The run's configuration and PostgreSQL DSN (None: SQLite only)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit_throughput",
        description="Entries/s of the audit writer and the audit's cost to hub requests.",
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--postgres-dsn",
        default=DEFAULT_POSTGRES_DSN,
        help="an admin DSN of a PostgreSQL server to create a scratch database on "
        "(default: HUB_TEST_POSTGRES_DSN or the local server)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument(
        "--producers",
        type=int,
        default=None,
        help="concurrent appenders (requests in flight) feeding the writer (default 1024)",
    )
    # `python -m bench` passes the same options to every benchmark.
    args, _ = parser.parse_known_args(argv)
    config = QUICK if args.quick else DEFAULT
    if args.producers is not None:
        if args.producers < 1:
            parser.error("--producers must be at least 1")
        config = dataclasses.replace(config, producers=args.producers)
    return config, None if args.no_postgres else args.postgres_dsn


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its report; 0 on success."""
    config, dsn = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-audit-throughput-") as tmp:
        result = asyncio.run(run(config, Path(tmp), dsn))
    print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
