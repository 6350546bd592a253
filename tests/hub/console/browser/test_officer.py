"""The privacy officers' journeys in the browser: a consent revoked by keyboard alone; every page.

Each journey ends at the agencies' endpoint: what the officer did in the
console is what the next request of the agency meets.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from hub.auth.roles import Role
from hub.auth.tokens import issue_token
from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.keys import load_keys
from tests.hub.console.browser.conftest import (
    HubServer,
    check_page,
    run_async,
    sign_in_official,
    sign_out,
    tab_to,
)
from tests.hub.console.officer_helpers import (
    AGENCY,
    ASSETS,
    CASE,
    CONSENTED,
    EARNED,
    PURPOSE,
    REMOVAL,
    toml_without_field,
)
from tests.hub.documents.helpers import NAME_QUERY, submission

RECORD = """mutation($i: ConsentInput!) { recordConsent(input: $i) { id } }"""


def _record_consent(server: HubServer, rrn: str) -> str:
    """A consent desk records the person's consent through /admin/graphql; its id."""
    settings = server.settings
    assert settings is not None
    token = issue_token(
        load_keys(settings),
        settings,
        official="lee.02",
        role=Role.CONSENT_MANAGER,
        client_id="consent-desk",
    )
    consent: dict[str, Any] = {
        "rrn": rrn,
        "agency": AGENCY,
        "purpose": PURPOSE,
        "infoTypes": [CONSENTED],
        "validUntil": "2099-12-31T00:00:00+00:00",
        "usage": "PERIODIC",
        "channel": "IN_PERSON",
    }
    response = httpx.post(
        server.url("/admin/graphql"),
        json={"query": RECORD, "variables": {"i": consent}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    consent_id: str = body["data"]["recordConsent"]["id"]
    return consent_id


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def test_a_consent_is_revoked_with_the_keyboard_alone_and_the_agency_refused(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    rrn = hub_server.stranger
    consent = _record_consent(hub_server, rrn)
    assert _codes(hub_server.agency_query(ASSETS, {"r": rrn})) == []

    page.goto(hub_server.url("/console/sign-in"))
    tab_to(page, "#official")  # the privacy officer's role is the one checked first
    page.keyboard.type("officer.c")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/officer/")
    tab_to(page, "nav.sections a[href='/console/officer/consents']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/officer/consents")
    tab_to(page, "#rrn")
    page.keyboard.type(rrn)
    page.keyboard.press("Tab")
    expect(page.locator("#case_ref")).to_be_focused()
    page.keyboard.type(CASE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/officer/consents/person/*")
    assert rrn not in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consents of")
    expect(page.locator(f"[id='consent-{consent}']")).to_contain_text("active")
    check_page(page, "officer-person-consents")

    # Revoking without a reason is refused at the consent, and nothing changes.
    tab_to(page, f"form:has(input[value='{consent}']) button[value='revoke']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Say why you revoke the consent")
    check_page(page, "officer-consent-reason-missing")
    tab_to(page, f"[id='reason-{consent}']")
    page.keyboard.type("the person withdrew it at the desk")
    tab_to(page, f"form:has(input[value='{consent}']) button[value='revoke']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("revoked for good")
    expect(page.locator(f"[id='consent-{consent}']")).to_contain_text("revoked")
    check_page(page, "officer-consent-revoked")

    assert _codes(hub_server.agency_query(ASSETS, {"r": rrn})) == ["CONSENT_REQUIRED"]
    tab_to(page, "form[action='/console/sign-out'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sign-in?ended=signed_out")


async def _submit_document(url: str, body: str, by: str) -> None:
    database = Database.from_url(url)
    try:
        await store.submit(database, AGENCY, [submission(body)], by)
    finally:
        await database.dispose()


def test_the_officers_pages_pass_axe_and_show_four_eyes(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    body = NAME_QUERY.replace("Applicant", "ApplicantName")
    run_async(_submit_document(hub_server.database_url, body, "officer.d"))
    sign_in_official(page, hub_server, "Privacy officer", "officer.d")
    page.goto(hub_server.url("/console/officer/agencies"))
    check_page(page, "officer-agencies")
    page.get_by_role("link", name="Local governments' welfare offices").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(AGENCY)
    check_page(page, "officer-agency")

    page.goto(hub_server.url("/console/officer/policies/1"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Policy version 1")
    check_page(page, "officer-version-baseline")

    page.goto(hub_server.url("/console/officer/documents"))
    page.get_by_role("link", name="Review ApplicantName").click()
    expect(page.locator("#four-eyes")).to_contain_text("You submitted this document")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    check_page(page, "officer-document-own")
    sign_out(page)

    sign_in_official(page, hub_server, "Privacy officer", "officer.e")
    page.goto(hub_server.url(f"/console/officer/documents/{AGENCY}/{document_hash(body)}"))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("The document is approved")
    check_page(page, "officer-document-approved")

    page.goto(hub_server.url("/console/officer/simulate"))
    page.get_by_label("Agency and purpose").select_option(f"{AGENCY}/{PURPOSE}")
    page.get_by_label("Resident registration number").fill(hub_server.citizen)
    page.get_by_label("Case reference").fill(CASE)
    page.get_by_label("Fields the agency would ask for").fill(f"{CONSENTED}.balance")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("would receive")
    expect(page.locator("main")).to_contain_text("needs the person's consent")
    check_page(page, "officer-simulation")

    page.goto(hub_server.url("/console/officer/consents"))
    page.get_by_label("Resident registration number").fill("12345")
    page.get_by_role("button", name="Look up consents").click()
    expect(page.get_by_role("alert")).to_contain_text("not a registration number")
    check_page(page, "officer-consents-error")
    sign_out(page)


def test_officer_a_proposes_a_removal_simulates_it_and_officer_b_approves_it(
    console_page: Page, hub_server: HubServer
) -> None:
    page = console_page
    citizen = {"r": hub_server.citizen}
    # Traffic for the simulation: the agency asks for the field the proposal removes.
    assert _codes(hub_server.agency_query(EARNED, citizen)) == []

    sign_in_official(page, hub_server, "Privacy officer", "officer.a")
    page.get_by_role("navigation").get_by_role("link", name="Policy versions").click()
    check_page(page, "officer-policies")
    page.get_by_role("link", name="Propose a change").click()
    page.get_by_label("Agency").select_option(AGENCY)
    page.get_by_role("button", name="Open its policy").click()
    editor = page.locator("#policy")
    text = editor.input_value()
    assert f'agency = "{AGENCY}"' in text
    check_page(page, "officer-propose")

    # A broken file: every problem listed in place, the text kept, nothing proposed.
    editor.fill(text + "\n[unclosed\n")
    page.get_by_role("button", name="Check and simulate").click()
    expect(page.get_by_role("alert")).to_contain_text("Line ")
    expect(editor).to_have_attribute("aria-invalid", "true")
    check_page(page, "officer-propose-problems")

    editor.fill(toml_without_field(text))
    page.get_by_role("button", name="Check and simulate").click()
    expect(page.locator(".changes")).to_contain_text(REMOVAL)
    summary = page.locator("#replay-summary")
    expect(summary).to_have_text(re.compile(rf"Would have refused 1 of {AGENCY}'s \d+ requests"))
    expect(page.locator("main")).to_contain_text("earnedIncome.annualAmount")
    check_page(page, "officer-propose-simulated")
    page.get_by_label("Reason for the change").fill("data minimisation: not needed for eligibility")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Your proposal is recorded")
    version = int(page.url.split("?")[0].rsplit("/", 1)[1])
    # Four eyes, visible: the proposer is told why there is nothing to press.
    expect(page.locator("#four-eyes")).to_contain_text("You proposed this version")
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    page.get_by_label("Agency").select_option(AGENCY)
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator("#replay-summary")).to_contain_text("Would have refused 1 of")
    check_page(page, "officer-version-own")
    sign_out(page)

    sign_in_official(page, hub_server, "Privacy officer", "officer.b")
    page.get_by_role("navigation").get_by_role("link", name="Policy versions").click()
    expect(page.locator("main")).to_contain_text("for you to decide")
    page.get_by_role("link", name=f"Version {version}", exact=True).click()
    expect(page.locator(".changes")).to_contain_text(REMOVAL)
    check_page(page, "officer-version-to-decide")
    page.get_by_role("button", name=f"Approve and activate version {version}").click()
    expect(page.get_by_role("status")).to_contain_text("approved and active")
    check_page(page, "officer-version-approved")
    page.get_by_role("navigation").get_by_role("link", name="Agencies").click()
    check_page(page, "officer-agencies")
    sign_out(page)

    refused = hub_server.agency_query(EARNED, citizen)
    assert _codes(refused) == ["POLICY_REFUSED"]
    assert refused["errors"][0]["extensions"]["fields"] == ["earnedIncome.annualAmount"]
