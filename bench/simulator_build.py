"""How long the simulated world takes to build: the population and the SQL source.

`make serve` builds a population and seeds the simulated SQL source on
first run, and the load test builds one per process, so these times are
what a developer waits for. They depend on the machine; the suite checks
what the build produces (tests/simulator), this benchmark how fast.

Run: `python -m bench.simulator_build [--persons N] [--seed-persons N] [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench._stats import format_table
from hub.catalog import load_catalog
from simulator.population import Population
from simulator.sqlsource import seed_sql_source

#: Sizes of a `--quick` smoke run (the suite runs one).
QUICK_PERSONS = 2_000
QUICK_SEED_PERSONS = 500


def _row(what: str, persons: int, seconds: float) -> list[str]:
    return [what, f"{persons:,}", f"{seconds:.2f}", f"{persons / seconds:,.0f}"]


def measure(persons: int, seed_persons: int) -> list[list[str]]:
    """The table's rows: building `persons`, then seeding SQLite with `seed_persons`."""
    started = time.perf_counter()
    Population(persons)
    build_s = time.perf_counter() - started

    population = Population(seed_persons)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'ssis.db'}"
        started = time.perf_counter()
        written = asyncio.run(seed_sql_source(url, population, load_catalog()))
        seed_s = time.perf_counter() - started
    return [
        _row("build the population", persons, build_s),
        _row(f"seed the SQL source ({written:,} rows)", seed_persons, seed_s),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Print how long building and seeding took, and persons per second."""
    parser = argparse.ArgumentParser(prog="python -m bench.simulator_build")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed-persons", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    # `python -m bench` passes every benchmark the same options.
    args, _ = parser.parse_known_args(argv)
    persons, seed_persons = args.persons, args.seed_persons
    if args.quick:
        persons, seed_persons = QUICK_PERSONS, QUICK_SEED_PERSONS
    rows = measure(persons, seed_persons)
    print("simulated world build time (one run; wall clock)")
    print(format_table(["step", "persons", "seconds", "persons/s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
