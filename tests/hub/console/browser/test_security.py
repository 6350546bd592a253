"""Security in the browser: CSRF refusal, role separation, idle timeout, no other origin."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.hub.console.browser.conftest import (
    HubServer,
    check_page,
    sign_in_citizen,
    sign_in_official,
    sign_out,
)


def test_a_form_posted_without_its_csrf_token_is_refused(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    page.goto(hub_server.url("/console/sign-in"))
    # What a forged form would lack: the field is removed (over the DevTools
    # protocol; the page's CSP forbids any script of its own).
    page.evaluate(
        "() => document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())"
    )
    page.get_by_label("Resident registration number").fill(hub_server.citizen)
    with page.expect_response("**/console/sign-in/dev") as posted:
        page.get_by_role("button", name="See who used my data").click()
    assert posted.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    check_page(page, "csrf-refused")
    page.goto(hub_server.url("/console/citizen/"))
    page.wait_for_url("**/console/sign-in?next=%2Fconsole%2Fcitizen%2F")


def test_an_officer_cannot_open_auditor_pages_nor_the_reverse(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    sign_in_official(page, hub_server, "Privacy officer", "officer.a")
    for path in ("/console/auditor/", "/console/auditor/entries", "/console/auditor/exports"):
        response = page.goto(hub_server.url(path))
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("This page is not for your role")
    check_page(page, "forbidden-role")
    sign_out(page)
    sign_in_official(page, hub_server, "Auditor", "audit.7")
    for path in ("/console/officer/", "/console/officer/policies", "/console/citizen/"):
        response = page.goto(hub_server.url(path))
        assert response is not None and response.status == 403, path
    sign_out(page)


def test_a_session_past_its_idle_timeout_must_sign_in_again(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    sign_in_citizen(page, hub_server)
    expect(page.locator(".report__entry")).to_have_count(hub_server.visible_uses)
    # The hub's own clock judges idleness against the session's last use.
    hub_server.age_sessions(15 * 60 + 1)
    page.reload()
    page.wait_for_url("**/console/sign-in?next=%2Fconsole%2Fcitizen%2F&ended=idle")
    expect(page.get_by_role("status")).to_contain_text(
        "Your session ended after 15 minutes without activity"
    )
    check_page(page, "sign-in-after-idle")
    # Signing in again returns to the page the person was on.
    page.get_by_label("Resident registration number").fill(hub_server.citizen)
    page.get_by_role("button", name="See who used my data").click()
    page.wait_for_url("**/console/citizen/")


def test_pages_load_nothing_from_another_origin(console_page: Page, hub_server: HubServer) -> None:
    page = console_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in_citizen(page, hub_server)
    assert requested, "the watch saw no request"
    assert all(url.startswith(hub_server.origin) for url in requested), requested
    # The stylesheet and the script were loaded (CSP allowed them: 'self').
    assert any(url.endswith("/console/static/console.css") for url in requested)
    assert any(url.endswith(".min.js") for url in requested)
    assert page.evaluate("() => typeof htmx") == "object"
