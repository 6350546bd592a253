"""Command line of the simulated sources: `python -m simulator`.

`add_arguments` and `run` are separate so the hub's own CLI can offer the
same thing as a subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import socket
import time

import uvicorn

from hub.catalog import load_catalog
from hub.catalog.model import Transport
from simulator.app import Faults, create_simulator_app
from simulator.harness import SimulatorUvicorn
from simulator.population import Population
from simulator.sqlsource import seed_sql_source

logger = logging.getLogger("simulator")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulator's options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8100, help="port to listen on (0: any)")
    parser.add_argument("--size", type=int, default=10_000, help="persons in the population")
    parser.add_argument("--seed", type=int, default=20100104, help="seed of the population")
    parser.add_argument(
        "--sql-url",
        default=None,
        help="async SQLAlchemy URL of the SQL source's database, seeded before serving",
    )
    parser.add_argument(
        "--credential", default=None, help="bearer credential lookups must carry (default: any)"
    )
    parser.add_argument(
        "--delay-ms",
        type=int,
        default=0,
        help="latency every HTTP source adds to each lookup (change it later at /_sim/faults)",
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level")


def run(args: argparse.Namespace) -> int:
    """Build the population, seed the SQL source if asked, serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    catalog = load_catalog()
    started = time.perf_counter()
    population = Population(args.size, args.seed)
    logger.info(
        "population of %d persons (seed %d) built in %.1f s",
        args.size,
        args.seed,
        time.perf_counter() - started,
    )
    sql_sources = [s.code for s in catalog.sources if s.transport is Transport.SQL]
    if args.sql_url:
        for code in sql_sources:
            started = time.perf_counter()
            rows = asyncio.run(seed_sql_source(args.sql_url, population, catalog, code))
            logger.info("seeded %s: %d rows in %.1f s", code, rows, time.perf_counter() - started)
    app = create_simulator_app(population, catalog, credential=args.credential)
    if args.delay_ms:
        delayed = Faults(delay_ms=args.delay_ms)
        app.state.simulator.faults.update(dict.fromkeys(app.state.simulator.sources, delayed))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # Binding here, not in uvicorn, tells us the port before serving, even for --port 0.
    sock = socket.create_server((args.host, args.port), family=family)
    try:
        port = sock.getsockname()[1]
        host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
        base_url = f"http://{host}:{port}"
        logger.info("simulated sources at %s (Ctrl+C to stop)", base_url)
        for code in sorted(app.state.simulator.sources):
            logger.info("  HUB_SOURCES__%s__URL=%s/sources/%s", code, base_url, code)
        for code in sql_sources:
            logger.info("  HUB_SOURCES__%s__URL=%s", code, args.sql_url or "(not seeded)")
        config = uvicorn.Config(
            app, host=args.host, port=port, log_level=args.log_level, lifespan="off"
        )
        # uvicorn shuts down gracefully on Ctrl+C, then re-raises the signal.
        with contextlib.suppress(KeyboardInterrupt):
            SimulatorUvicorn(config, app.state.simulator).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m simulator`."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve simulated source institutions over HTTP (docs/sources.md).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
