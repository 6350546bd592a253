"""What the hub's request path costs over a bare strawberry service, for one ~50-field person.

Both variants answer the same query about the same person from the same
in-memory population, called over httpx's ASGI transport:

* hub: `hub.app.create_app` with a real token, purpose and case headers, and
  the access log committed to a freshly migrated SQLite file; the sources
  are served by the `memory://` connector, so no network time hides the
  hub's own cost (authentication, plan, loaders, decoding, audit).
* bare: a plain strawberry schema of the same shape whose resolvers read the
  population directly (see bench._baseline).

Rounds alternate between the variants (A B, B A, A B …) so that drift on a
shared machine (other load, CPU frequency) falls on both alike. The result
is a ratio hub/bare, comparable across machines where absolute times are not.

Run: `python -m bench.request_overhead [--requests N] [--warmup N] [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from strawberry.asgi import GraphQL

from bench._baseline import build_bare_schema, shape_differences
from bench._breakdown import POLICY, PhaseTimes, instrument_hub
from bench._stats import Stats, stats_table, summarise
from bench._workload import BENCH_RATE_LIMITS, Workload, build_workload
from connectors.memory import publish_dataset
from hub.app import close_services, create_app
from hub.app.services import HubServices
from hub.auth.tokens import issue_token
from hub.catalog import load_catalog
from hub.db.migrate import migrate
from hub.settings import Settings, SourceSettings
from policies.store import FixedPolicy
from policies.testing import grant_everything
from schema.build import build_schema
from schema.view import CASE_HEADER, PURPOSE_HEADER
from simulator.population import Population

DATASET = "bench"
AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
CASE_REF = "BENCH-0001"
OFFICIAL = "bench.01"


@dataclass(frozen=True)
class Config:
    """How much to measure."""

    requests: int = 400  # timed requests per variant
    warmup: int = 50  # untimed requests per variant first
    round_size: int = 20  # requests per variant per round
    population_size: int = 1000
    breakdown_requests: int = 100  # instrumented hub requests; 0 skips the breakdown


DEFAULT = Config()
QUICK = Config(requests=5, warmup=2, round_size=5, breakdown_requests=5)


class UnfairComparison(Exception):
    """The variants do not answer the same thing, so their times are not comparable."""


@dataclass(frozen=True)
class Result:
    """What one run measured."""

    config: Config
    workload: Workload
    hub: Stats
    bare: Stats
    hub_answer: Any  # the `data` of the hub's answer
    bare_answer: Any  # the `data` of the baseline's answer
    breakdown: PhaseTimes | None

    @property
    def ratio_median(self) -> float:
        """Median hub request time over median bare request time."""
        return self.hub.median_ms / self.bare.median_ms

    @property
    def ratio_mean(self) -> float:
        """Mean hub request time over mean bare request time."""
        return self.hub.mean_ms / self.bare.mean_ms


@dataclass(frozen=True)
class Variant:
    """One side of the comparison: a client and the request it sends."""

    name: str
    client: httpx.AsyncClient
    headers: dict[str, str]
    body: bytes

    async def send(self) -> httpx.Response:
        """POST the query once."""
        return await self.client.post("/graphql", content=self.body, headers=self.headers)

    async def timed(self, count: int, samples: list[int]) -> None:
        """Send `count` requests, appending each one's wall time in ns to `samples`."""
        for _ in range(count):
            start = time.perf_counter_ns()
            response = await self.send()
            samples.append(time.perf_counter_ns() - start)
            # Checked outside the timed window: a benchmark of error answers
            # would be meaningless, but the check is not the server's cost.
            if response.status_code != 200 or b'"errors"' in response.content:
                raise UnfairComparison(f"{self.name} answered {response.status_code}")


def _answer(name: str, response: httpx.Response) -> Any:
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise UnfairComparison(f"{name} failed: {response.status_code} {body.get('errors')}")
    return body["data"]


async def _compare(hub: Variant, bare: Variant) -> tuple[Any, Any]:
    """Both answers, after checking they are equal and not empty."""
    hub_data = _answer(hub.name, await hub.send())
    bare_data = _answer(bare.name, await bare.send())
    if hub_data != bare_data:
        raise UnfairComparison(f"the answers differ:\nhub:  {hub_data}\nbare: {bare_data}")
    if hub_data.get("person") is None:
        raise UnfairComparison("the benchmarked person is unknown")
    return hub_data, bare_data


async def _measure(config: Config, hub: Variant, bare: Variant) -> tuple[list[int], list[int]]:
    for variant in (hub, bare):
        await variant.timed(config.warmup, [])
    hub_ns: list[int] = []
    bare_ns: list[int] = []
    # The collector stays on (a real server runs with it, and the hub
    # allocating more is part of its cost); collecting now just means the
    # warm-up's garbage is not billed to the first round.
    gc.collect()
    remaining, round_index = config.requests, 0
    while remaining > 0:
        count = min(config.round_size, remaining)
        order = ((hub, hub_ns), (bare, bare_ns))
        # Swapping who goes first each round cancels any first-mover effect.
        for variant, samples in order if round_index % 2 == 0 else order[::-1]:
            await variant.timed(count, samples)
        remaining -= count
        round_index += 1
    return hub_ns, bare_ns


async def _breakdown(config: Config, hub: Variant, services: HubServices) -> PhaseTimes | None:
    if config.breakdown_requests <= 0:
        return None
    with instrument_hub(services.connectors) as times:
        samples: list[int] = []
        await hub.timed(config.breakdown_requests, samples)
        times.total_ns, times.requests = sum(samples), len(samples)
    return times


async def run(config: Config, workdir: Path) -> Result:
    """Set up both variants in `workdir`, check they agree, time them, tear down."""
    if config.requests < 1 or config.round_size < 1 or config.warmup < 0:
        raise ValueError("requests and round size must be positive, warm-up non-negative")
    catalog = load_catalog()
    population = Population(size=config.population_size)
    publish_dataset(DATASET, population)
    workload = build_workload(catalog, population)

    bare_schema = build_bare_schema(workload.info_types, population)
    problems = shape_differences(
        build_schema(catalog).schema._schema, bare_schema._schema, workload.info_types
    )
    if problems:
        raise UnfairComparison("the schemas differ: " + "; ".join(problems))

    url = f"sqlite+aiosqlite:///{workdir / 'hub.db'}"
    await migrate(url)
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        sources={s.code: SourceSettings(url=f"memory://{DATASET}") for s in catalog.sources},
        rate_limits=BENCH_RATE_LIMITS,
    )
    # Every field is granted, so the policy decision runs for each of the
    # query's fields; the baseline's grants would refuse some of them.
    app = create_app(settings, policies=FixedPolicy(grant_everything(catalog, AGENCY, PURPOSE)))
    services: HubServices = app.state.services
    try:
        token = issue_token(
            services.keys, settings, agency=AGENCY, official=OFFICIAL, ttl_s=24 * 3600
        )
        body = json.dumps({"query": workload.query, "variables": workload.variables}).encode()
        json_headers = {"Content-Type": "application/json"}
        hub_headers = {
            **json_headers,
            "Authorization": f"Bearer {token}",
            PURPOSE_HEADER: PURPOSE,
            CASE_HEADER: CASE_REF,
        }
        bare_app = GraphQL[Any, Any](bare_schema, graphql_ide=None)
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as hc,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=bare_app), base_url="http://bare"
            ) as bc,
        ):
            hub = Variant("hub", hc, hub_headers, body)
            bare = Variant("bare strawberry", bc, json_headers, body)
            hub_answer, bare_answer = await _compare(hub, bare)
            hub_ns, bare_ns = await _measure(config, hub, bare)
            breakdown = await _breakdown(config, hub, services)
    finally:
        await close_services(services)
    return Result(
        config=config,
        workload=workload,
        hub=summarise(hub.name, hub_ns),
        bare=summarise(bare.name, bare_ns),
        hub_answer=hub_answer,
        bare_answer=bare_answer,
        breakdown=breakdown,
    )


def report(result: Result) -> str:
    """The printed report; its last line is the median ratio."""
    workload, config = result.workload, result.config
    present = sum(v is not None for v in result.hub_answer["person"].values())
    lines = [
        "request overhead: hub request path vs bare strawberry, same query and data",
        f"  query: 1 person, {workload.field_count} fields in {len(workload.info_types)} "
        f"info types ({present} records present): "
        + ", ".join(t.name for t in workload.info_types),
        f"  population {config.population_size}, warm-up {config.warmup} per variant, "
        f"alternating rounds of {config.round_size}, one request in flight",
        "  answers checked equal before timing",
        "",
        stats_table([result.hub, result.bare]),
    ]
    if result.breakdown is not None:
        lines += [
            "",
            f"hub breakdown ({result.breakdown.requests} instrumented requests, not the "
            "timed ones; the bare variant generates the same records):",
            result.breakdown.table(),
        ]
        per_request = result.breakdown.per_request_ms()
        policy_ms = per_request.get(POLICY, 0.0)
        rest_ms = sum(per_request.values()) - policy_ms
        if rest_ms > 0:
            lines.append(
                f"policy enforcement adds {100 * policy_ms / rest_ms:.2f}% to the rest of "
                f"the request ({policy_ms * 1000:.1f} us for {workload.field_count} fields; "
                "goal: at most 15%)"
            )
    lines += [
        "",
        f"ratio hub/bare (mean): {result.ratio_mean:.2f}x",
        f"ratio hub/bare (median): {result.ratio_median:.2f}x",
    ]
    return "\n".join(lines)


def parse_config(argv: Sequence[str] | None) -> Config:
    """The run's configuration from command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.request_overhead",
        description="Time the hub's request path against a bare strawberry schema.",
    )
    parser.add_argument(
        "--requests", type=int, help=f"timed requests per variant ({DEFAULT.requests})"
    )
    parser.add_argument(
        "--warmup", type=int, help=f"warm-up requests per variant ({DEFAULT.warmup})"
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else DEFAULT
    if args.requests is not None:
        config = replace(config, requests=args.requests)
    if args.warmup is not None:
        config = replace(config, warmup=args.warmup)
    if config.requests < 1 or config.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its report; 0 on success."""
    config = parse_config(argv)
    with tempfile.TemporaryDirectory(prefix="bench-request-overhead-") as tmp:
        result = asyncio.run(run(config, Path(tmp)))
    print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
