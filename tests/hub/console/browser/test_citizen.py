"""The citizen's journey in the browser, by keyboard alone; what the report shows and hides."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.hub.console.browser.conftest import HubServer, check_page, sign_in_citizen, sign_out

EMERGENCY = "Emergency welfare support"


def _tab_to(page: Page, selector: str, limit: int = 30) -> None:
    """Press Tab until the element `selector` has focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus by Tab")


def test_the_citizen_journey_works_with_the_keyboard_alone(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    page.goto(hub_server.url("/console/"))
    page.wait_for_url("**/console/sign-in")
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    _tab_to(page, "#rrn")
    page.keyboard.type(hub_server.citizen[:6] + "-" + hub_server.citizen[6:])
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/citizen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who used my data")
    # The explainer opens from the keyboard too.
    _tab_to(page, "summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.explainer")).to_have_attribute("open", "")
    check_page(page, "citizen-report")
    _tab_to(page, "form[action='/console/sign-out'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sign-in?ended=signed_out")
    expect(page.get_by_role("status")).to_contain_text("You have signed out")


def test_the_report_shows_the_uses_newest_first_and_hides_suppressed_ones(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    sign_in_citizen(page, hub_server)
    entries = page.locator(".report__entry")
    expect(entries).to_have_count(hub_server.visible_uses)
    expect(page.locator(".count")).to_have_text(f"{hub_server.visible_uses} uses of your data.")
    purposes = page.locator(".facts div:first-child dd").all_inner_texts()
    # Seeded in the order of PURPOSES; newest first means the reverse.
    assert purposes == [EMERGENCY, "Basic livelihood security eligibility"], purposes
    body = page.locator("main").inner_text()
    assert "kim.01" not in body, "the official's id is the auditor's business"
    assert "overpayment" not in body.lower().replace("recovering an\n      overpayment", "")
    sign_out(page)


def test_a_person_nobody_looked_up_sees_an_empty_report(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    sign_in_citizen(page, hub_server, hub_server.stranger)
    expect(page.get_by_role("status")).to_contain_text("No one has used your data")
    check_page(page, "citizen-report-empty")
