"""The console over HTTP, in process: sign-in, CSRF, role separation, headers, error pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from hub.admin.offices import CITIZEN_PORTAL
from hub.console.headers import CONTENT_SECURITY_POLICY
from hub.console.navigation import AUDITOR, CONSENT_DESK, OFFICER
from hub.db.models import AuditEntry, ConsoleSession
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.audit_helpers import access
from tests.hub.console.conftest import Console, csrf_of
from tests.schema.conftest import AGENCY, HubFactory

pytestmark = pytest.mark.usefixtures("database")


async def test_every_response_carries_the_security_headers(console: Console) -> None:
    for path in ("/console/sign-in", "/console/static/console.css", "/console/nowhere"):
        response = await console.client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


async def test_cookies_are_httponly_strict_and_limited_to_the_console(console: Console) -> None:
    response = await console.sign_in_official("auditor")
    assert response.status_code == 303 and response.headers["location"] == AUDITOR.home
    [session_cookie] = [c for c in response.headers.get_list("set-cookie") if "hub_console=" in c]
    attributes = {part.strip().lower() for part in session_cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/console"} <= attributes
    # Development runs over plain http: Secure (and the __Secure- name) is production's.
    assert "secure" not in attributes


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(console: Console) -> None:
    response = await console.client.get("/console/auditor/entries")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fauditor%2Fentries"


async def test_sign_in_returns_to_the_page_asked_for_within_the_role(console: Console) -> None:
    page = await console.client.get("/console/sign-in?next=/console/auditor/entries")
    form = {"csrf_token": csrf_of(page), "kind": "official", "role": "auditor", "official": "a.1"}
    response = await console.client.post(
        "/console/sign-in/dev", data={**form, "next": "/console/auditor/entries"}
    )
    assert response.headers["location"] == "/console/auditor/entries"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/graphql"])
async def test_sign_in_never_redirects_off_the_console(console: Console, target: str) -> None:
    page = await console.client.get("/console/sign-in")
    form = {"csrf_token": csrf_of(page), "kind": "official", "role": "auditor", "official": "a.1"}
    response = await console.client.post("/console/sign-in/dev", data={**form, "next": target})
    assert response.headers["location"] == AUDITOR.home


async def test_a_form_without_its_csrf_token_is_refused(console: Console) -> None:
    await console.client.get("/console/sign-in")
    response = await console.client.post(
        "/console/sign-in/dev", data={"kind": "official", "role": "auditor", "official": "a.1"}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "hub_console=" not in response.headers.get("set-cookie", "")


async def test_sign_out_without_the_sessions_token_is_refused(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    home = await console.client.get(OFFICER.home)
    assert home.status_code == 200
    response = await console.client.post("/console/sign-out", data={"csrf_token": "0" * 64})
    assert response.status_code == 403
    assert "does not belong to your session" in response.text
    # Still signed in: nothing was done.
    assert (await console.client.get(OFFICER.home)).status_code == 200


async def test_a_visitors_token_does_not_serve_a_session(console: Console) -> None:
    page = await console.client.get("/console/sign-in")
    visitor_token = csrf_of(page)
    await console.sign_in_official("privacy_officer")
    response = await console.client.post("/console/sign-out", data={"csrf_token": visitor_token})
    assert response.status_code == 403


async def test_sign_out_ends_the_session_in_the_database(
    console: Console, database: Database
) -> None:
    await console.sign_in_official("auditor")
    stolen = dict(console.client.cookies)
    home = await console.client.get(AUDITOR.home)
    response = await console.client.post("/console/sign-out", data={"csrf_token": csrf_of(home)})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?ended=signed_out"
    async with database.session() as session:
        assert list(await session.scalars(select(ConsoleSession))) == []
    # A copy of the cookie taken before signing out opens nothing.
    console.client.cookies.clear()
    for name, value in stolen.items():
        console.client.cookies.set(name, value, domain="hub.test", path="/console")
    assert (await console.client.get(AUDITOR.home)).status_code == 303


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [
        ("privacy_officer", OFFICER, [AUDITOR, CONSENT_DESK]),
        ("auditor", AUDITOR, [OFFICER, CONSENT_DESK]),
        ("consent_manager", CONSENT_DESK, [OFFICER, AUDITOR]),
    ],
)
async def test_each_role_opens_its_own_section_only(
    console: Console, role: str, own: object, others: list[object]
) -> None:
    await console.sign_in_official(role)
    from hub.console.navigation import Section

    assert isinstance(own, Section)
    for page in own.pages:
        assert (await console.client.get(own.path(page))).status_code == 200, own.path(page)
    assert (await console.client.get(own.home)).status_code == 200
    for section in others:
        assert isinstance(section, Section)
        for path in [section.home, *(section.path(p) for p in section.pages)]:
            response = await console.client.get(path)
            assert response.status_code == 403, path
            assert "This page is not for your role" in response.text
    assert (await console.client.get("/console/citizen/")).status_code == 403


async def test_an_official_cannot_read_a_citizens_report(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    response = await console.client.get("/console/citizen/")
    assert response.status_code == 403


async def test_the_citizens_report_is_the_access_report_and_is_logged(
    console: Console, population: Population, database: Database
) -> None:
    rrn, other = population.sample_rrns(2)
    await access(console.hub, rrn, official="kim.01")
    await access(console.hub, other)
    response = await console.sign_in_citizen(rrn[:6] + "-" + rrn[6:])
    assert response.headers["location"] == "/console/citizen/"
    page = await console.client.get("/console/citizen/")
    assert page.status_code == 200
    agency = console.hub.app.state.services.catalog.agency(AGENCY)
    assert agency.name.replace("'", "&#39;") in page.text
    assert "1 use of your data" in page.text
    assert "kim.01" not in page.text, "the official is the auditor's business"
    async with database.session() as session:
        logged = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.agency == CITIZEN_PORTAL))
        )
    # The read is logged exactly as the API's accessReport logs it.
    assert [(e.kind, e.purpose, e.outcome) for e in logged] == [
        ("admin", "citizen_access_report", "released")
    ]
    assert logged[0].official == "citizen.self-service"
    # The person's own fetches are not listed back to them.
    again = await console.client.get("/console/citizen/")
    assert "1 use of your data" in again.text


async def test_a_bad_registration_number_is_a_clear_400(console: Console) -> None:
    response = await console.sign_in_citizen("850230-1234567")
    assert response.status_code == 400
    assert "Not a registration number the hub accepts" in response.text
    assert 'aria-invalid="true"' in response.text


async def test_a_bad_official_id_is_a_clear_400(console: Console) -> None:
    response = await console.sign_in_official("auditor", official="no spaces please")
    assert response.status_code == 400
    assert "An official id is 1 to 64 letters" in response.text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("kind=official&kind=citizen", "application/x-www-form-urlencoded", 400),
        ('{"kind": "official"}', "application/json", 415),
        ("x=" + "a" * 20000, "application/x-www-form-urlencoded", 413),
        ("%ff%fe=1", "application/x-www-form-urlencoded", 400),
    ],
)
async def test_malformed_forms_get_error_pages_not_500(
    console: Console, body: str, content_type: str, status: int
) -> None:
    response = await console.client.post(
        "/console/sign-in/dev", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert "<h1>" in response.text


async def test_unknown_pages_and_methods_get_console_pages(console: Console) -> None:
    missing = await console.client.get("/console/no/such/page")
    assert missing.status_code == 404 and "Page not found" in missing.text
    wrong = await console.client.get("/console/sign-out")
    assert wrong.status_code == 405 and "Not allowed here" in wrong.text


async def test_the_development_sign_in_is_refused_when_switched_off(
    database: Database, hub_factory: HubFactory
) -> None:
    console = Console(await hub_factory(database, policy="database", console_dev_sign_in=False))
    page = await console.client.get("/console/sign-in")
    assert 'action="/console/sign-in/dev"' not in page.text
    assert "Sign-in is not configured" in page.text
    response = await console.client.post(
        "/console/sign-in/dev",
        data={"csrf_token": csrf_of(page) if "csrf_token" in page.text else "", "kind": "citizen"},
    )
    assert response.status_code == 403
    assert "Development sign-in refused" in response.text


async def test_an_idle_session_must_sign_in_again(console: Console, database: Database) -> None:
    await console.sign_in_official("auditor")
    assert (await console.client.get(AUDITOR.home)).status_code == 200
    idle = console.hub.settings.console_idle_timeout_s
    async with database.session() as session:
        await session.execute(
            update(ConsoleSession).values(
                last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=idle + 1)
            )
        )
        await session.commit()
    response = await console.client.get(AUDITOR.home)
    assert response.status_code == 303
    assert "ended=idle" in response.headers["location"]
    notice = await console.client.get(response.headers["location"])
    assert "Your session ended after 15 minutes without activity" in notice.text
    async with database.session() as session:
        assert list(await session.scalars(select(ConsoleSession))) == []
