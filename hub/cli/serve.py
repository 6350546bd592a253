"""`ssis-hub serve`: migrate, optionally start the simulated sources, run the hub.

With `--workers N` (N > 1) uvicorn runs N worker processes, each building its
own app from the environment (`hub.app:create_app_from_env`). Everything that
must happen once happens here, in the parent, before they start: migrations
and the baseline policy, development keys, the simulated sources. The workers
share the database: one audit tree (writers serialise on its size row) and
one set of rate counters. Prometheus metrics are per process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from starlette.applications import Starlette

from connectors.base import AS_OF
from hub.app import create_app
from hub.app.prepare import prepare_database
from hub.auth.tokens import issue_token
from hub.catalog import Catalog, load_catalog
from hub.keys import load_keys
from hub.observability.logging import configure_logging
from hub.settings import Settings
from policies.compiled import compile_policy
from policies.document import read_baseline
from policies.freshness import is_stale

if TYPE_CHECKING:
    from simulator.population import Population

DEMO_OFFICIAL = "demo.official"

EXAMPLE_QUERY = """query Applicant($rrn: String!) {
  person(rrn: $rrn) {
    id
    residentRegistration { name birthDate district }
    earnedIncome { annualAmount }
    household { members { relationship person { id residentRegistration { name } } } }
  }
}"""


def _start_sources(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--sql-url",
        settings.effective_sql_source_url,
    ]
    process = subprocess.Popen(command)  # noqa: S603 - our own interpreter and module
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the simulated sources exited with status {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    process.terminate()
    raise SystemExit("the simulated sources did not become ready within 120 s")


@dataclass(frozen=True)
class Example:
    """A ready-to-send request against a running hub."""

    url: str
    headers: dict[str, str]
    body: dict[str, object]
    agency: str
    purpose: str

    def curl(self) -> str:
        """The request as a curl command line."""
        lines = [f"curl -s {self.url}"]
        lines += [f"-H {shlex.quote(f'{k}: {v}')}" for k, v in self.headers.items()]
        lines.append(f"-d {shlex.quote(json.dumps(self.body))}")
        return " \\\n  ".join(lines)


def build_example(settings: Settings, host: str, port: int) -> Example:
    """A request for a simulated person, as the first agency for its first purpose."""
    from simulator.population import Population

    agency = load_catalog().agencies[0]
    purpose = agency.purposes[0].code
    # The same short life as any access token (HUB_ACCESS_TOKEN_TTL_S, at most
    # 600 s): a long-lived sample would teach the habit production refuses.
    # `ssis-hub dev-token` (printed with it) signs a fresh one.
    token = issue_token(load_keys(settings), settings, agency=agency.code, official=DEMO_OFFICIAL)
    population = Population()
    catalog = load_catalog()
    grant = compile_policy(read_baseline(), catalog, 1).grant(agency.code, purpose)
    max_age_days = grant.max_age_days if grant is not None else 0

    def current(rrn: str) -> bool:
        # Records the grant would refuse as too old would hide what the example shows.
        return _current(population, catalog, rrn, max_age_days) and all(
            _current(population, catalog, member, max_age_days, "residentRegistration")
            for member, _ in population.household_members(rrn)
        )

    # A head of a household of several shows the walk to the members best.
    rrn = next(
        (
            r
            for r in population.sample_rrns(300)
            if (p := population.person(r))
            and p.relationship == "HEAD"
            and p.household_size > 2
            and current(r)
        ),
        population.sample_rrns(1)[0],
    )
    return Example(
        url=f"http://{host}:{port}/graphql",
        headers={
            "Authorization": f"Bearer {token}",
            "Hub-Purpose": purpose,
            "Hub-Case-Ref": "CASE-2026-000123",
            "Content-Type": "application/json",
        },
        body={"query": EXAMPLE_QUERY, "variables": {"rrn": rrn}},
        agency=agency.code,
        purpose=purpose,
    )


def _current(
    population: Population,
    catalog: Catalog,
    rrn: str,
    max_age_days: int,
    *type_names: str,
) -> bool:
    """Whether the person's records of these types (the example's by default) are fresh enough.

    Judged by the as-of dates the sources state, two days inside the limit
    so that the example still holds when it is tried around midnight.
    """
    today = date.today()
    for name in type_names or ("residentRegistration", "earnedIncome", "householdComposition"):
        found = population.record(rrn, catalog.info_type(name), [])
        for item in found if isinstance(found, list) else [found] if found else []:
            if is_stale(date.fromisoformat(item[AS_OF]), max(max_age_days - 2, 0), today):
                return False
    return True


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


#: What h11 may buffer beyond the header bound: the request line (method,
#: path and query). A head within it reaches HeaderLimits and gets a 431;
#: beyond it the server itself refuses (400) without buffering more.
REQUEST_LINE_ALLOWANCE = 8 * 1024


def server_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """uvicorn's options for the public listener: bounded heads, only configured proxies.

    uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, which would let
    anything on the host write the access log's client address; here
    forwarding headers count only from HUB_TRUSTED_PROXIES (none by default).
    The parser is h11, the one that bounds what it buffers of a request head
    (httptools bounds neither size nor count; HeaderLimits checks both again
    in the app, whatever the server).
    """
    proxies = settings.trusted_proxy_list
    return {
        "host": host,
        "port": port,
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes + REQUEST_LINE_ALLOWANCE,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies) if proxies else None,
        "log_level": "info",
        # Logs are ours (JSON lines); the middleware writes the access log,
        # naming routes rather than raw paths.
        "log_config": None,
        "access_log": False,
    }


def development_public_url(settings: Settings, host: str, port: int) -> Settings:
    """Outside production, without HUB_PUBLIC_URL: the URL --host and --port serve.

    The token endpoint, the issuer and the OAuth metadata derive from it, so
    a hub on another port must advertise that port.
    """
    if settings.is_production or settings.public_url is not None:
        return settings
    # A wildcard address is not one a client can reach; loopback is.
    wildcard = host in ("0.0.0.0", "")  # noqa: S104 - recognising it, not binding to it
    reachable = "127.0.0.1" if wildcard else "[::1]" if host == "::" else host
    if ":" in reachable and not reachable.startswith("["):
        reachable = f"[{reachable}]"
    return settings.model_copy(update={"public_url": f"http://{reachable}:{port}"})


def _run(app: Starlette, settings: Settings, host: str, port: int) -> None:
    """The public listener and, with HUB_METRICS_PORT, /metrics on a listener of its own."""
    servers = [uvicorn.Server(uvicorn.Config(app, **server_options(settings, host, port)))]
    metrics_app = app.state.metrics_app
    if metrics_app is not None and settings.metrics_port is not None:
        options = server_options(settings, host, settings.metrics_port)
        servers.append(uvicorn.Server(uvicorn.Config(metrics_app, **options, lifespan="off")))

    async def run_all() -> None:
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        # One signal reaches one server's handler: whichever stops, both stop.
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks)

    asyncio.run(run_all())


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the hub in the foreground until interrupted."""
    configure_logging()
    if args.workers > 1 and settings.metrics_port is not None:
        raise SystemExit(
            "error: HUB_METRICS_PORT serves one process's metrics; with --workers use "
            "HUB_METRICS_TOKEN on the public port and scrape every worker"
        )
    # Before anything uses it: the SQLite files, the simulated SQL source and
    # the development keys all live there, and a fresh one may not exist yet.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = development_public_url(settings, args.host, args.port)
    asyncio.run(prepare_database(settings.effective_database_url))
    # uvicorn re-raises SIGTERM once it has shut down; turning it into
    # SystemExit lets the `finally` below stop the simulated sources too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    sources: subprocess.Popen[bytes] | None = None
    try:
        if args.with_sources:
            sources = _start_sources(settings, args.sources_port)
            settings = settings.model_copy(
                update={"simulator_url": f"http://127.0.0.1:{args.sources_port}"}
            )
        # Generated once here (in development), never by racing workers.
        load_keys(settings)
        if not settings.is_production:
            sample = build_example(settings, args.host, args.port)
            rrn = sample.body["variables"]["rrn"]  # type: ignore[index]
            print(
                f"\nSSIS Hub on {sample.url}, acting as agency {sample.agency} for purpose "
                f"{sample.purpose}. Try:\n\n{sample.curl()}\n\n"
                f"The token lives {settings.access_token_ttl_s} s; sign a fresh one with\n"
                f"  ssis-hub dev-token --agency {sample.agency} --official {DEMO_OFFICIAL}\n\n"
                f"The console is at http://{args.host}:{args.port}/console/ : sign in as a "
                "privacy officer, an auditor or a consent manager with any official id, or as "
                f"the citizen {rrn} to see who used their data (after the request above).\n",
                flush=True,
            )
        if args.workers > 1:
            # The workers read their settings from the environment they inherit.
            os.environ["HUB_SIMULATOR_URL"] = settings.simulator_url
            if settings.public_url is not None:
                os.environ["HUB_PUBLIC_URL"] = settings.public_url
            uvicorn.run(
                "hub.app:create_app_from_env",
                factory=True,
                workers=args.workers,
                **server_options(settings, args.host, args.port),
            )
        else:
            _run(create_app(settings), settings, args.host, args.port)
    finally:
        if sources is not None:
            sources.terminate()
            sources.wait(timeout=10)
    return 0
