"""Browser tests: a real hub process with the simulated sources, driven by Debian's Chromium.

Playwright's sync API runs its own event loop in the main thread for as
long as it is started, during which pytest-asyncio cannot run anything;
so the browser is started per module (`chromium`), every fixture here is
synchronous, and the few database steps run in a worker thread
(`run_async`). pytest-playwright's fixtures are not used for that reason:
its session-wide browser would stop every async test after the first
browser test.

One hub per test module and database backend (SQLite and PostgreSQL, like
every database test), started as `ssis-hub serve` in a subprocess on a
free loopback port, with the simulated sources in a thread of the test
process. The browser is the system Chromium (`/usr/bin/chromium`, installed
by `.ci/run` when missing): Playwright's own browser download cannot be
used. Without it the tests skip, or fail when HUB_REQUIRE_BROWSER=1 (as in
CI), like HUB_REQUIRE_POSTGRES.

Every page is opened through `console_page`, which fails the test if the
page requests anything from another origin (the request is aborted and
recorded), logs a console error (a CSP violation, a script error) or
throws; `check_page` runs axe-core in the page (serious and critical
violations fail) and writes a screenshot to the artifacts folder
(`var/console-screenshots/`, or HUB_CONSOLE_SCREENSHOTS).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    sync_playwright,
)

from hub.auth.tokens import issue_token
from hub.db.session import Database
from hub.keys import load_keys
from hub.settings import Settings
from simulator.harness import SimulatorServer
from simulator.population import Population
from tests.conftest import PG_ADMIN_URL, require_postgres, scratch_url
from tests.hub.admin.audit_helpers import PERSON

CHROMIUM = Path(os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("HUB_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[4]
SCREENSHOTS = Path(os.environ.get("HUB_CONSOLE_SCREENSHOTS", ROOT / "var" / "console-screenshots"))
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
STARTUP_TIMEOUT_S = 90.0
AGENCY = "LOCAL_WELFARE"
PURPOSES = ("basic_livelihood_eligibility", "emergency_welfare_support")
#: A covert inquiry's purpose: suppressed in the baseline policy, so hidden from the person.
SUPPRESSED = "overpayment_recovery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- the browser -----------------------------------------------------------------


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run `coro` to completion on a loop of its own, in a worker thread (see the docstring)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """The system Chromium through Playwright, for one module (fails under CI if it is missing)."""
    if not CHROMIUM.exists():
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"HUB_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(f"{problem}; set HUB_REQUIRE_BROWSER=1 to make this an error")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


#: Contexts in Korean time, a laptop-sized window, and the page's CSP enforced.
CONTEXT_ARGS: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 860},
    "timezone_id": "Asia/Seoul",
    "locale": "en-GB",
    "bypass_csp": False,
}


@dataclass
class PageWatch:
    """What a page did that it must not: requests elsewhere, console errors, exceptions."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything recorded, for the failure message."""
        return [f"request to another origin: {u}" for u in self.foreign] + self.errors


@pytest.fixture
def console_page(chromium: Browser, hub_server: HubServer) -> Iterator[Page]:
    """A page in a fresh context, with axe injected and every other origin refused."""
    context: BrowserContext = chromium.new_context(**CONTEXT_ARGS)
    context.add_init_script(path=str(AXE))
    watch = PageWatch(hub_server.origin)
    allowed = {hub_server.origin, *hub_server.allowed_origins}

    def guard(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("data", "blob") or origin in allowed:
            route.continue_()
        else:
            watch.foreign.append(url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        # Chromium reports every response of status >= 400 as a console error,
        # the error pages the tests open on purpose included; failed assets
        # are caught by `on_response` instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            watch.errors.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            watch.errors.append(f"asset failed: {response.status} {response.url}")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
    assert not watch.problems(), watch.problems()


def check_page(page: Page, name: str) -> None:
    """axe-core on the page as it is (serious or critical violations fail), then a screenshot."""
    page.wait_for_load_state("load")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert not bad, json.dumps(bad, indent=2)


# --- the hub ---------------------------------------------------------------------


@dataclass
class HubServer:
    """A running hub process and what the tests seeded into it."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str
    #: A person agencies looked at (two visible uses, one suppressed), and one nobody did.
    citizen: str
    stranger: str
    allowed_origins: tuple[str, ...] = ()
    visible_uses: int = 0
    #: The hub's settings (its keys sign the agencies' tokens of `agency_request`).
    settings: Settings | None = None

    @property
    def origin(self) -> str:
        """The hub's origin, as the browser sees it."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """An absolute URL on the hub."""
        return f"{self.origin}{path}"

    def output(self) -> str:
        """What the hub printed."""
        return self.log_path.read_text(errors="replace")

    def agency_request(
        self, rrn: str, case: str, purpose: str = PURPOSES[0], official: str = "kim.01"
    ) -> str:
        """An agency's request for `rrn` on /graphql under `case`; the hub's request id."""
        assert self.settings is not None
        token = issue_token(
            load_keys(self.settings), self.settings, agency=AGENCY, official=official
        )
        response = httpx.post(
            self.url("/graphql"),
            json={"query": PERSON, "variables": {"r": rrn}},
            headers={
                "Authorization": f"Bearer {token}",
                "Hub-Purpose": purpose,
                "Hub-Case-Ref": case,
            },
            timeout=30,
        )
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return response.headers["Hub-Request-Id"]

    def agency_query(
        self, query: str, variables: dict[str, Any], purpose: str = PURPOSES[0]
    ) -> dict[str, Any]:
        """An agency's request on /graphql (LOCAL_WELFARE, kim.01), errors and all; its body."""
        assert self.settings is not None
        token = issue_token(
            load_keys(self.settings), self.settings, agency=AGENCY, official="kim.01"
        )
        response = httpx.post(
            self.url("/graphql"),
            json={"query": query, "variables": variables},
            headers={
                "Authorization": f"Bearer {token}",
                "Hub-Purpose": purpose,
                "Hub-Case-Ref": "CASE-2026-0452",
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def age_sessions(self, seconds: float) -> None:
        """Make every console session look idle for `seconds` (the hub's clock decides)."""
        run_async(_age_sessions(self.database_url, seconds))


async def _age_sessions(url: str, seconds: float) -> None:
    from sqlalchemy import update

    from hub.db.models import ConsoleSession

    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await session.execute(
                update(ConsoleSession).values(
                    last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
                )
            )
            await session.commit()
    finally:
        await database.dispose()


def _wait_ready(server: HubServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert server.process.poll() is None, f"hub exited early:\n{server.output()}"
        try:
            if httpx.get(server.url("/healthz"), timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"hub not ready:\n{server.output()}"
        time.sleep(0.2)


def _seed(server: HubServer, settings: Settings) -> None:
    """Agencies look the citizen up (two uses they may learn of, one suppressed)."""
    keys = load_keys(settings)
    token = issue_token(keys, settings, agency=AGENCY, official="kim.01")
    for purpose in (*PURPOSES, SUPPRESSED):
        response = httpx.post(
            server.url("/graphql"),
            json={"query": PERSON, "variables": {"r": server.citizen}},
            headers={
                "Authorization": f"Bearer {token}",
                "Hub-Purpose": purpose,
                "Hub-Case-Ref": "CASE-2026-0451",
            },
            timeout=30,
        )
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    server.visible_uses = len(PURPOSES)


def start_hub(
    tmp: Path, database_url: str, sources: SimulatorServer, population: Population, **env: str
) -> HubServer:
    """`ssis-hub serve` on `database_url`, ready and seeded."""
    port = _free_port()
    data_dir = tmp / "var"
    settings = Settings(
        data_dir=data_dir, database_url=database_url, public_url=f"http://127.0.0.1:{port}"
    )
    # Keys first, so that the hub and the test's tokens share them.
    load_keys(settings)
    citizen, stranger = population.sample_rrns(2)
    log_path = tmp / "hub.log"
    environment = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_DATA_DIR": str(data_dir),
        "HUB_SIMULATOR_URL": sources.base_url,
        "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HUB_ENVIRONMENT": "development",
        **env,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "hub.cli.main", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp,
        )
    server = HubServer(port, process, log_path, database_url, citizen, stranger, settings=settings)
    try:
        _wait_ready(server)
        _seed(server, settings)
    except BaseException:
        stop_hub(server)
        raise
    return server


def stop_hub(server: HubServer) -> None:
    """SIGTERM, then wait (kill only as a last resort)."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(10)


@pytest.fixture(scope="module")
def population() -> Population:
    """A small population for the simulated sources."""
    return Population(size=500)


@pytest.fixture(scope="module")
def sources(population: Population) -> Iterator[SimulatorServer]:
    """The simulated sources on a loopback port."""
    with SimulatorServer(population) as server:
        yield server


async def _create_postgres(name: str) -> None:
    await require_postgres()
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def hub_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the module's hub, which migrates it (PostgreSQL: dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('console-db') / 'hub.db'}"
        return
    name = f"hub_console_{os.getpid()}_{secrets.token_hex(3)}"
    run_async(_create_postgres(name))
    try:
        yield scratch_url(name)
    finally:
        run_async(_drop_postgres(name))


@pytest.fixture(scope="module")
def hub_server(
    hub_database: str,
    sources: SimulatorServer,
    population: Population,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[HubServer]:
    """The module's running hub (migrated by `serve`, seeded by the test)."""
    server = start_hub(tmp_path_factory.mktemp("console-hub"), hub_database, sources, population)
    try:
        yield server
    finally:
        stop_hub(server)


def sign_in_citizen(page: Page, server: HubServer, rrn: str | None = None) -> None:
    """Development sign-in as a citizen, with the mouse (the keyboard journey is its own test)."""
    page.goto(server.url("/console/sign-in"))
    page.get_by_label("Resident registration number").fill(rrn or server.citizen)
    page.get_by_role("button", name="See who used my data").click()
    page.wait_for_url("**/console/citizen/")


def sign_in_official(page: Page, server: HubServer, role_label: str, official: str) -> None:
    """Development sign-in as an official of the role labelled `role_label`."""
    page.goto(server.url("/console/sign-in"))
    page.get_by_label(role_label, exact=True).check()
    page.get_by_label("Official id").fill(official)
    page.get_by_role("button", name="Sign in as an official").click()
    page.wait_for_load_state("load")


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element `selector` has focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus by Tab")


def sign_out(page: Page) -> None:
    """The header's sign-out button."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/sign-in?ended=signed_out")
