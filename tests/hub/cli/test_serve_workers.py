"""`ssis-hub serve --workers 2` on one PostgreSQL database: one audit tree, shared limits.

Issue 5: "`ssis-hub serve --workers N` runs several processes correctly
(shared quotas, one audit tree)". PostgreSQL only (SQLite is a single-process
development database); skips without a server unless HUB_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import time
from pathlib import Path

import httpx
import pytest

from hub.auth.tokens import issue_token
from hub.db.session import Database
from hub.keys import load_keys
from hub.settings import DEV_PUBLIC_URL, Settings
from schema.view import CASE_HEADER, PURPOSE_HEADER, REQUEST_ID_HEADER
from simulator.harness import SimulatorServer
from simulator.population import Population
from tests.conftest import scratch_postgres, scratch_url
from tests.hub.audit.test_concurrency import (
    AGENCY,
    PURPOSE,
    QUERY,
    _start_hub,
    check_tree,
    current_pool,
)

OFFICIAL_LIMIT = 10
OFFICIALS = 8
PER_OFFICIAL = 5


@pytest.mark.postgres
async def test_two_workers_share_the_tree_and_the_limits(tmp_path: Path) -> None:
    async with scratch_postgres() as name:
        url = scratch_url(name)
        data_dir = tmp_path / "var"
        settings = Settings(data_dir=data_dir)
        keys = load_keys(settings)
        population = Population(size=2_000)
        rng = random.Random(5)
        pool = current_pool(population, 30)
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
                "HUB_RATE_LIMITS__OFFICIAL_PER_MINUTE": str(OFFICIAL_LIMIT),
            }
            hub = _start_hub(env, tmp_path, "hub", "--workers", "2")
            try:
                async with httpx.AsyncClient(timeout=30) as client:
                    await hub.wait_ready(client)

                    def headers(official: str) -> dict[str, str]:
                        token = issue_token(keys, settings, agency=AGENCY, official=official)
                        return {
                            "Authorization": f"Bearer {token}",
                            PURPOSE_HEADER: PURPOSE,
                            CASE_HEADER: "CASE-2026-0505",
                        }

                    async def ask(official: str) -> tuple[list[str], httpx.Response]:
                        rrns = rng.sample(pool, rng.randint(1, 2))
                        body = {"query": QUERY, "variables": {"rrns": rrns}}
                        return rrns, await client.post(
                            hub.url, json=body, headers=headers(official)
                        )

                    # 40 requests, 5 per official: all within the limit.
                    answers = await asyncio.gather(
                        *(ask(f"off.{i % OFFICIALS:02d}") for i in range(OFFICIALS * PER_OFFICIAL))
                    )
                    # Then one official asks twice its limit at once, well inside
                    # one minute window.
                    if time.time() % 60 > 55:
                        await asyncio.sleep(61 - time.time() % 60)
                    burst = await asyncio.gather(
                        *(ask("tight.01") for _ in range(2 * OFFICIAL_LIMIT))
                    )
            finally:
                await hub.stop()
            assert hub.process.returncode in (0, 128 + signal.SIGTERM), hub.output()

        output = hub.output()
        # Two worker processes served.
        assert len(set(re.findall(r"Started server process \[(\d+)\]", output))) == 2, output

        persons = 0
        for rrns, response in answers:
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body["errors"]
            assert len(body["data"]["persons"]) == len(rrns)
            persons += len(rrns)
        succeeded = [(rrns, r) for rrns, r in burst if r.status_code == 200]
        limited = [r for _, r in burst if r.status_code == 429]
        assert len(succeeded) + len(limited) == len(burst)
        # The limit held across both workers: exactly the limit got through.
        assert len(succeeded) == OFFICIAL_LIMIT
        for response in limited:
            assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert 1 <= int(response.headers["Retry-After"]) <= 60
        persons += sum(len(rrns) for rrns, _ in succeeded)

        database = Database.from_url(url)
        try:
            tree = await check_tree(database, keys)
        finally:
            await database.dispose()
        # One tree, seq 0..N-1, N the persons returned; refusals logged nothing.
        assert tree.size == persons
        answered = {r.headers[REQUEST_ID_HEADER] for _, r in answers} | {
            r.headers[REQUEST_ID_HEADER] for _, r in succeeded
        }
        assert set(tree.request_ids()) == answered
