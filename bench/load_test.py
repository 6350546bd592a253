"""The load test of issue 5: two hub workers, PostgreSQL, audit on, sources at 20-80 ms.

Everything runs as real processes on loopback, started and stopped by the
benchmark: one `python -m simulator` per source the workload calls, each
answering after a fixed latency (spread over 20-80 ms in catalog order, see
bench._loadwork), `ssis-hub serve --workers 2` on a PostgreSQL database
created for the run and dropped after it, and a load generator in a process
of its own (bench._loadgen: raw HTTP/1.1 keep-alive, closed loop).

The workload: single-person `person(rrn:)` requests selecting 10
information types from 8 sources, granted by the baseline policy to
LOCAL_WELFARE for basic_livelihood_eligibility, over thousands of different
persons; rate limits on but high enough never to refuse; GraphiQL and
introspection off, errors masked. Every answer must be a 200 with the
person and no errors, and every successful request must have written exactly
one access-log entry (counted in the database per level).

The in-run baseline is the slowest source asked directly, by the same
persons at the same concurrency: the hub cannot be faster than it, and the
goals of issue 5 are a p50 within 1.15 times its p50 and at least 500
audited requests per second.

Run: `python -m bench.load_test [--levels 1,8,32,64,128] [--duration S] [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
import sys
from collections.abc import Sequence

from bench._audit_parts import DEFAULT_POSTGRES_DSN
from bench._loadrun import CPU_GROUPS, Options, RunResult, run
from bench._loadwork import build_load_workload
from bench._stats import format_table
from hub.catalog import load_catalog

#: Database 14: away from the tests' 15 and from a developer's default 0.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
GOAL_RATIO = 1.15
GOAL_RATE = 500.0
QUICK = Options(levels=(2, 16), warmup_s=0.5, duration_s=2.0, baseline_warmup_s=0.3, baseline_s=1.0)


def _fmt(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def latency_table(result: RunResult) -> str:
    """Per level: throughput, the hub's and the slowest source's latencies, the checks."""
    slowest = result.workload.slowest
    headers = [
        "concurrency",
        "requests/s",
        "p50 ms",
        "p99 ms",
        f"{slowest} p50 ms",
        f"{slowest} p99 ms",
        "p50 ratio",
        "p99 ratio",
        "failures",
        "requests ok",
        "HTTP 200",
        "audit entries",
    ]
    rows = [
        [
            str(level.concurrency),
            _fmt(level.hub.per_second),
            _fmt(level.hub_p50_ms),
            _fmt(level.hub_p99_ms),
            _fmt(level.source_p50_ms),
            _fmt(level.source_p99_ms),
            _fmt(level.p50_ratio, 2),
            _fmt(level.p99_ratio, 2),
            str(level.failures),
            str(level.hub.ok),
            str(level.hub.answered),
            str(level.audit_entries) + ("" if level.audit_matches else " (MISMATCH)"),
        ]
        for level in result.levels
    ]
    return format_table(headers, rows)


def cpu_table(result: RunResult) -> str:
    """Per level: CPU milliseconds each group of processes spent per hub request."""
    headers = [
        "concurrency",
        *(f"{group} ms" for group in CPU_GROUPS),
        "cores busy",
        "hub workers' CPU split %",
    ]
    rows = []
    for level in result.levels:
        rows.append(
            [
                str(level.concurrency),
                *(_fmt(level.cpu_ms_per_request(group), 2) for group in CPU_GROUPS),
                f"{level.cores_busy:.2f} of {result.cores}",
                level.worker_split,
            ]
        )
    return format_table(headers, rows)


def goals(result: RunResult) -> list[str]:
    """Whether the goals were met, one line each."""
    levels = result.levels
    if not levels:
        return []
    best = max(levels, key=lambda level: level.hub.per_second)
    within = [level.concurrency for level in levels if level.p50_ratio <= GOAL_RATIO]
    both = [
        level.concurrency
        for level in levels
        if level.p50_ratio <= GOAL_RATIO and level.hub.per_second >= GOAL_RATE
    ]
    return [
        f"goal p50 <= {GOAL_RATIO} x the slowest source's p50: "
        + (f"met at concurrency {', '.join(map(str, within))}" if within else "NOT met"),
        f"goal >= {GOAL_RATE:.0f} audited requests/s: "
        + ("met" if best.hub.per_second >= GOAL_RATE else "NOT met")
        + f" (best {best.hub.per_second:.1f} requests/s at concurrency {best.concurrency}, "
        f"p50 ratio {best.p50_ratio:.2f})",
        "both goals at once: "
        + (f"met at concurrency {', '.join(map(str, both))}" if both else "NOT met"),
    ]


def report(result: RunResult) -> str:
    """The printed report."""
    options, workload = result.options, result.workload
    if result.skipped is not None:
        return f"load test: skipped, {result.skipped}"
    latencies = ", ".join(f"{code} {ms}" for code, ms in workload.latencies_ms.items())
    lines = [
        "load test: the hub under closed-loop load, against its slowest source asked directly",
        f"  machine: {result.cores} cores shared by the hub ({options.workers} workers), "
        f"the sources ({len(workload.sources)} processes), the load generator and PostgreSQL",
        f"  workload: person(rrn:) selecting {len(workload.info_types)} types "
        f"({', '.join(t.name for t in workload.info_types)}) from {len(workload.sources)} "
        f"sources; {options.persons} different persons",
        f"  source latencies (ms): {latencies}; slowest {workload.slowest}",
        f"  rate limits (on, never reached) counted in {result.rate_limit_store}",
        "  hub settings: "
        + (", ".join(f"{k}={v}" for k, v in options.hub_settings) or "the defaults"),
        f"  per level: warm-up {options.warmup_s:g} s, measured {options.duration_s:g} s; "
        f"baseline warm-up {options.baseline_warmup_s:g} s, measured {options.baseline_s:g} s",
        "",
        latency_table(result),
        "",
        "CPU per successful hub request (ms; hub = serve parent + workers, postgres = every "
        "postgres process, other = the rest of the machine, machine = all cores; warm-up "
        "included):",
        cpu_table(result),
        "",
    ]
    failures = [
        f"  {level.concurrency}: {sample}"
        for level in result.levels
        for sample in level.hub.failure_samples + level.source.failure_samples
    ]
    if failures:
        lines += ["failures (first few per level):", *failures, ""]
    if any(not level.audit_matches for level in result.levels):
        lines.append("AUDIT MISMATCH: entries written differ from the hub's 200 answers")
    lines += goals(result)
    return "\n".join(lines)


def ok(result: RunResult) -> bool:
    """No failed request and exactly one access-log entry per successful request."""
    return all(level.failures == 0 and level.audit_matches for level in result.levels)


def parse_args(argv: Sequence[str] | None) -> Options:
    """Options from the command line (unknown ones, meant for other benchmarks, ignored)."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__)
    defaults = Options()
    parser.add_argument(
        "--levels",
        default=",".join(map(str, defaults.levels)),
        help="comma-separated concurrency levels (connections in flight)",
    )
    parser.add_argument("--warmup", type=float, default=defaults.warmup_s, help="seconds")
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help="seconds")
    parser.add_argument(
        "--baseline-duration", type=float, default=defaults.baseline_s, help="seconds"
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=defaults.ramp_s,
        help="seconds over which the connections are opened, one by one (0: all at once)",
    )
    parser.add_argument("--persons", type=int, default=defaults.persons)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--quick", action="store_true", help="two short levels, a smoke run")
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="Redis that counts the rate limits, as production at high rates would "
        '("": count them in PostgreSQL); PostgreSQL too when it does not answer',
    )
    parser.add_argument(
        "--postgres-dsn",
        default=DEFAULT_POSTGRES_DSN,
        help="server on which a database is created for the run (and dropped)",
    )
    parser.add_argument(
        "--set",
        dest="hub_settings",
        action="append",
        default=[],
        metavar="HUB_NAME=VALUE",
        help="a further setting for the hub's processes (repeatable), e.g. "
        "--set HUB_SOURCE_COALESCING=false",
    )
    args, _ = parser.parse_known_args(argv)
    hub_settings: list[tuple[str, str]] = []
    for item in args.hub_settings:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("HUB_"):
            parser.error(f"--set needs HUB_NAME=VALUE, got {item!r}")
        hub_settings.append((name, value))
    if args.quick:
        return Options(
            **{
                **QUICK.__dict__,
                "postgres_dsn": args.postgres_dsn,
                "redis_url": args.redis_url,
                "hub_settings": tuple(hub_settings),
            }
        )
    levels = tuple(int(level) for level in args.levels.split(",") if level.strip())
    if not levels or min(levels) < 1:
        parser.error("--levels needs positive integers")
    return Options(
        levels=levels,
        warmup_s=args.warmup,
        duration_s=args.duration,
        baseline_s=args.baseline_duration,
        ramp_s=args.ramp,
        persons=args.persons,
        workers=args.workers,
        postgres_dsn=args.postgres_dsn,
        redis_url=args.redis_url,
        hub_settings=tuple(hub_settings),
    )


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test and print the report; 1 on a failed request or audit mismatch."""
    options = parse_args(argv)
    # A SIGTERM unwinds like Ctrl+C, so that every process started is stopped.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        workload = build_load_workload(load_catalog(), options.info_types)
        result = asyncio.run(run(options, workload))
    except KeyboardInterrupt:
        print("load test: interrupted; every process it started has been stopped", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(report(result), flush=True)
    return 0 if ok(result) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
