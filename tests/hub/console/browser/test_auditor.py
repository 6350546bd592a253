"""The cross-role journey in the browser: an agency asks, the auditor proves it, the person sees it.

The module's hub signs no head by itself (a day's interval), so the journey
is the same every run: the auditor's proof first finds no head containing
the entry, signs one, and then verifies; the downloaded proof document is
checked offline by `ssis-hub audit verify-proof` with the published keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from simulator.harness import SimulatorServer
from simulator.population import Population
from tests.hub.console.browser.conftest import (
    HubServer,
    check_page,
    sign_in_citizen,
    sign_in_official,
    sign_out,
    start_hub,
    stop_hub,
)
from tests.hub.console.browser.test_citizen import _tab_to

CASE = "CASE-2026-0999"
INQUIRY = "INQ-2026-0100"
AUDITOR = "auditor.park"


@pytest.fixture(scope="module")
def hub_server(
    hub_database: str,
    sources: SimulatorServer,
    population: Population,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[HubServer]:
    """The module's hub, signing heads only when asked (the journey's steps are fixed)."""
    server = start_hub(
        tmp_path_factory.mktemp("console-hub"),
        hub_database,
        sources,
        population,
        HUB_AUDIT_SIGN_INTERVAL_S="86400",
    )
    try:
        yield server
    finally:
        stop_hub(server)


def test_the_cross_role_journey(console_page: Page, hub_server: HubServer, tmp_path: Path) -> None:
    page = console_page
    request_id = hub_server.agency_request(hub_server.citizen, CASE)

    # The auditor finds that very request by its case, with the keyboard.
    sign_in_official(page, hub_server, "Auditor", AUDITOR)
    page.goto(hub_server.url("/console/auditor/entries"))
    check_page(page, "auditor-search")
    _tab_to(page, "#f-inquiry")
    page.keyboard.type(INQUIRY)
    _tab_to(page, "#f-case")
    page.keyboard.type(CASE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/auditor/entries?*")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("kim.01")
    check_page(page, "auditor-search-results")

    # Its detail.
    _tab_to(page, "table.data tbody a", limit=80)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/auditor/entries/*")
    expect(page.locator("main")).to_contain_text(request_id)
    expect(page.locator("main")).to_contain_text(CASE)
    seq = int(page.url.split("/entries/", 1)[1].split("?", 1)[0])
    check_page(page, "auditor-entry")

    # Its inclusion proof: no head contains it yet, so the auditor signs one first.
    _tab_to(page, "a.button[href*='/integrity']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/auditor/integrity?*")
    expect(page.get_by_role("alert")).to_contain_text(f"contains entry {seq} yet: sign one")
    _tab_to(page, "form[action='/console/auditor/integrity/sign'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/auditor/integrity?*")
    expect(page.locator("#proof-result .verdict")).to_have_text(
        f"Verified: entry {seq} is in the tree the signed head commits to."
    )
    expect(page.locator(".verdict").first).to_contain_text("Signature verified")
    check_page(page, "auditor-proof-verified")

    # The downloaded proof verifies offline, with the project's verifier.
    _tab_to(page, "#proof-result a[download]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith(f"ssis-hub-proof-{seq}-")
    _verify_offline(hub_server, saved, seq, request_id)
    sign_out(page)

    # The person sees that access in their report, by the same reference.
    sign_in_citizen(page, hub_server)
    expect(page.locator(".report")).to_contain_text(request_id)
    check_page(page, "citizen-report-after-journey")


def _verify_offline(hub_server: HubServer, saved: Path, seq: int, request_id: str) -> None:
    """`ssis-hub audit verify-proof` with the published key set: OK; a tampered copy: refused."""
    jwks = saved.parent / "keys.json"
    jwks.write_text(httpx.get(hub_server.url("/audit/keys.json"), timeout=10).text)
    command = [sys.executable, "-m", "hub.cli.main", "audit", "verify-proof"]
    ok = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*command, str(saved), "--jwks", str(jwks)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"entry {seq} is in the tree" in ok.stdout
    document = json.loads(saved.read_text())
    assert document["entry"]["request_id"] == request_id
    document["entry"]["case_ref"] = "CASE-2026-0001"
    tampered = saved.with_name("tampered.json")
    tampered.write_text(json.dumps(document))
    refused = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*command, str(tampered), "--jwks", str(jwks)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr


def test_an_officials_activity_and_an_export(console_page: Page, hub_server: HubServer) -> None:
    page = console_page
    sign_in_official(page, hub_server, "Auditor", AUDITOR)
    page.goto(hub_server.url("/console/auditor/activity"))
    page.get_by_label("Your inquiry").fill(INQUIRY)
    page.get_by_label("Official", exact=True).fill("kim.01")
    page.get_by_role("button", name="Show activity").click()
    expect(page.locator("svg.chart__svg")).to_have_count(3)
    expect(page.get_by_role("table", name="Entries per outcome: the numbers")).to_be_visible()
    check_page(page, "auditor-activity-charts")

    page.goto(hub_server.url("/console/auditor/exports"))
    check_page(page, "auditor-export-form")
    page.get_by_label("Your inquiry").fill(INQUIRY)
    page.get_by_label("First entry").fill("0")
    page.get_by_label("End", exact=True).fill("2")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    assert download.value.suggested_filename == "ssis-hub-audit-0-2.jsonl"
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["type"] == "header" and len(lines) == 3


def test_the_charts_and_the_signed_heads(console_page: Page, hub_server: HubServer) -> None:
    page = console_page
    sign_in_official(page, hub_server, "Auditor", AUDITOR)
    page.goto(hub_server.url("/console/auditor/charts"))
    page.get_by_label("Your inquiry").fill(INQUIRY)
    page.get_by_role("button", name="Show the charts").click()
    expect(page.locator("svg.chart__svg").first).to_be_visible()
    expect(page.locator("figure.chart table").first).to_contain_text("Total")
    check_page(page, "auditor-charts-drawn")
    page.goto(hub_server.url(f"/console/auditor/integrity?inquiry={INQUIRY}"))
    expect(page.get_by_role("heading", name="Signed heads, newest first")).to_be_visible()
    check_page(page, "auditor-heads")


def test_bad_input_is_shown_in_place(console_page: Page, hub_server: HubServer) -> None:
    page = console_page
    sign_in_official(page, hub_server, "Auditor", AUDITOR)
    page.goto(hub_server.url("/console/auditor/entries?inquiry=INQ-1&rrn=850230-1234567"))
    expect(page.get_by_role("alert")).to_contain_text("Not a registration number")
    expect(page.locator("#f-rrn")).to_have_attribute("aria-invalid", "true")
    check_page(page, "auditor-search-error")
