"""Every console page in the browser: no serious or critical axe-core violation; screenshots."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from hub.console.navigation import AUDITOR, CONSENT_DESK, OFFICER, Section
from tests.hub.console.browser.conftest import HubServer, check_page, sign_in_official, sign_out


def test_the_sign_in_page_and_its_error_summary(console_page: Page, hub_server: HubServer) -> None:
    page = console_page
    page.goto(hub_server.url("/console/sign-in"))
    check_page(page, "sign-in")
    page.get_by_label("Resident registration number").fill("850230-1234567")
    page.get_by_role("button", name="See who used my data").click()
    expect(page.get_by_role("alert")).to_contain_text("Not a registration number the hub accepts")
    check_page(page, "sign-in-error")
    page.goto(hub_server.url("/console/no/such/page"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_page(page, "not-found")


def _section(page: Page, hub_server: HubServer, section: Section, label: str) -> None:
    sign_in_official(page, hub_server, label, "someone.1")
    expect(page).to_have_url(hub_server.url(section.home))
    check_page(page, f"{section.slug}-home")
    for planned in section.pages:
        page.get_by_role("navigation").get_by_role("link", name=planned.label).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(planned.label)
        check_page(page, f"{section.slug}-{planned.slug}")
    sign_out(page)


def test_the_privacy_officers_pages(console_page: Page, hub_server: HubServer) -> None:
    _section(console_page, hub_server, OFFICER, "Privacy officer")


def test_the_auditors_pages(console_page: Page, hub_server: HubServer) -> None:
    _section(console_page, hub_server, AUDITOR, "Auditor")


def test_the_consent_desks_pages(console_page: Page, hub_server: HubServer) -> None:
    _section(console_page, hub_server, CONSENT_DESK, "Consent manager")
