"""The officers' pages in process: roles, CSRF, four eyes, base versions, consents, documents."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from hub.audit.writer import AuditUnavailable
from hub.auth.roles import Role
from hub.auth.tokens import issue_token
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.oauth.clients import register_client
from policies import versions
from policies.versions import VersionStatus
from simulator.population import Population
from tests.hub.console.conftest import Console, csrf_of
from tests.hub.console.officer_helpers import (
    AGENCY,
    ASSETS,
    CASE,
    CONSENTED,
    EARNED,
    REMOVAL,
    give_consent,
    propose_removal,
    toml_without_field,
)
from tests.hub.documents.helpers import NAME_QUERY, submission
from tests.hub.oauth.forge import ClientKeys
from tests.schema.conftest import HubFactory

pytestmark = pytest.mark.usefixtures("database")

OFFICER_A, OFFICER_B = "officer.a", "officer.b"
PAGES = (
    "/console/officer/",
    "/console/officer/agencies",
    f"/console/officer/agencies/{AGENCY}",
    "/console/officer/policies",
    "/console/officer/policies/1",
    "/console/officer/documents",
    "/console/officer/consents",
    "/console/officer/simulate",
    "/console/officer/clients",
    "/console/officer/policies/propose",
)


async def _sign_in_anew(console: Console, official: str) -> None:
    """Another browser: a fresh cookie jar, signed in as `official`."""
    console.client.cookies.clear()
    await console.sign_in_official("privacy_officer", official)


def _codes(body: dict[str, object]) -> list[object]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


async def _status(database: Database, version: int) -> VersionStatus:
    return (await versions.get_version(database, version)).status


@pytest.mark.parametrize("role", ["auditor", "consent_manager"])
async def test_officer_pages_refuse_every_other_role(console: Console, role: str) -> None:
    await console.sign_in_official(role)
    for path in PAGES:
        response = await console.client.get(path)
        assert response.status_code == 403, path
        assert "This page is for the privacy officer role" in response.text, path


async def test_officer_pages_send_the_signed_out_to_sign_in(console: Console) -> None:
    for path in PAGES:
        response = await console.client.get(path)
        assert response.status_code == 303 and "/console/sign-in" in response.headers["location"]


async def test_every_officer_page_opens_for_an_officer(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    for path in PAGES:
        response = await console.client.get(path)
        assert response.status_code == 200, (path, response.text)
    home = await console.client.get("/console/officer/")
    assert "Being built" not in home.text  # every officer page is built
    for built in PAGES[1:]:
        if built.count("/") == 3:
            assert f'href="{built}"' in home.text, built


async def test_the_agency_page_shows_each_grant_in_full(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    page = await console.client.get(f"/console/officer/agencies/{AGENCY}")
    text = page.text
    assert "National Basic Livelihood Security Act, Art. 21" in text  # legal basis
    assert "registrationNumberMasked" in text and "(from <code>registrationNumber</code>)" in text
    # The consent-based type is marked so, next to its fields.
    row = re.search(rf"<code>{CONSENTED}</code></th>\s*<td>(.*?)</td>", text, re.S)
    assert row and "consent" in row.group(1)
    assert "Persons per request</dt><dd>50" in text
    overview = await console.client.get("/console/officer/agencies")
    assert f'href="/console/officer/agencies/{AGENCY}"' in overview.text
    missing = await console.client.get("/console/officer/agencies/NOBODY")
    assert missing.status_code == 404 and "no agency with this code" in missing.text
    bad = await console.client.get("/console/officer/agencies?version=x")
    assert bad.status_code == 400


async def test_another_officers_proposal_is_approved_and_enforced(
    console: Console, database: Database, population: Population
) -> None:
    hub = console.hub
    services = hub.app.state.services
    rrn = population.sample_rrns(1)[0]
    assert not (await hub.query(EARNED, {"r": rrn})).get("errors")
    version = await propose_removal(database, services.catalog, OFFICER_B)
    await console.sign_in_official("privacy_officer", OFFICER_A)
    listing = await console.client.get("/console/officer/policies")
    assert f'href="/console/officer/policies/{version}"' in listing.text
    assert "for you to decide" in listing.text
    page = await console.client.get(f"/console/officer/policies/{version}")
    assert REMOVAL in page.text
    assert "Against the active version 1" in page.text
    assert f"/console/officer/policies/{version}/approve" in page.text
    replayed = await console.client.get(
        f"/console/officer/policies/{version}?replay={AGENCY}&days=7"
    )
    assert "Would have refused 1 of LOCAL_WELFARE's 1 request." in replayed.text
    bad = await console.client.get(f"/console/officer/policies/{version}?replay={AGENCY}&days=8")
    assert bad.status_code == 400 and "simulation windows" in bad.text

    done = await console.client.post(
        f"/console/officer/policies/{version}/approve", data={"csrf_token": csrf_of(page)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/officer/policies/{version}?done=approved"
    after = await console.client.get(done.headers["location"])
    assert "approved and active" in after.text and "Decision" not in after.text
    assert await _status(database, version) is VersionStatus.ACTIVE
    body = await hub.query(EARNED, {"r": rrn})
    assert _codes(body) == ["POLICY_REFUSED"]


async def test_four_eyes_an_officer_cannot_decide_their_own_proposal(
    console: Console, database: Database
) -> None:
    version = await propose_removal(database, console.hub.app.state.services.catalog, OFFICER_A)
    # The same official in other letters is the same person.
    await console.sign_in_official("privacy_officer", "Officer.A")
    page = await console.client.get(f"/console/officer/policies/{version}")
    assert "You proposed this version, so you cannot approve or reject it" in page.text
    assert f"/console/officer/policies/{version}/approve" not in page.text
    # A hand-made POST is refused by the service, and the page says why.
    for action in ("approve", "reject"):
        refused = await console.client.post(
            f"/console/officer/policies/{version}/{action}", data={"csrf_token": csrf_of(page)}
        )
        assert refused.status_code == 409
        assert "The proposer cannot approve or reject their own change." in refused.text
    assert await _status(database, version) is VersionStatus.PROPOSED


async def test_a_proposal_on_a_superseded_base_is_refused_in_place(
    console: Console, database: Database
) -> None:
    catalog = console.hub.app.state.services.catalog
    first = await propose_removal(database, catalog, OFFICER_B)
    second = await propose_removal(database, catalog, OFFICER_B)
    await versions.decide(database, first, "officer.c", approve=True)
    await console.sign_in_official("privacy_officer", OFFICER_A)
    page = await console.client.get(f"/console/officer/policies/{second}")
    assert f"was proposed on top of version 1, but version {first} is active now" in page.text
    refused = await console.client.post(
        f"/console/officer/policies/{second}/approve", data={"csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 409
    assert "Nothing was changed" in refused.text
    assert f"must propose it again on top of version {first}" in refused.text
    assert await _status(database, second) is VersionStatus.PROPOSED
    assert await _status(database, first) is VersionStatus.ACTIVE


async def test_decisions_without_the_csrf_token_change_nothing(
    console: Console, database: Database
) -> None:
    version = await propose_removal(database, console.hub.app.state.services.catalog, OFFICER_B)
    await console.sign_in_official("privacy_officer", OFFICER_A)
    for data in ({"reason": "x"}, {"csrf_token": "0" * 64}):
        refused = await console.client.post(
            f"/console/officer/policies/{version}/approve", data=data
        )
        assert refused.status_code == 403 and "This form has expired" in refused.text
    assert await _status(database, version) is VersionStatus.PROPOSED


async def test_an_unknown_version_is_a_404_page(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    page = await console.client.get("/console/officer/policies/999")
    assert page.status_code == 404 and "No policy version 999." in page.text


async def test_trusted_documents_review_and_four_eyes(console: Console, database: Database) -> None:
    await store.submit(database, AGENCY, [submission(NAME_QUERY)], OFFICER_A)
    digest = document_hash(NAME_QUERY)
    address = f"/console/officer/documents/{AGENCY}/{digest}"
    await console.sign_in_official("privacy_officer", OFFICER_A)
    listing = await console.client.get("/console/officer/documents")
    assert f'href="{address}"' in listing.text
    page = await console.client.get(address)
    assert "residentRegistration.name" in page.text
    assert "Every operation can run under at least one" in page.text
    assert "You submitted this document, so you cannot approve it" in page.text
    assert f"{address}/approve" not in page.text
    own = await console.client.post(
        f"{address}/approve", data={"csrf_token": csrf_of(page), "reason": ""}
    )
    assert own.status_code == 409 and "The submitter cannot approve their own document." in own.text
    no_reason = await console.client.post(
        f"{address}/reject", data={"csrf_token": csrf_of(page), "reason": " "}
    )
    assert no_reason.status_code == 409 and "Say why you reject the document." in no_reason.text

    await _sign_in_anew(console, OFFICER_B)
    page = await console.client.get(address)
    approved = await console.client.post(
        f"{address}/approve", data={"csrf_token": csrf_of(page), "reason": "reviewed"}
    )
    assert (
        approved.status_code == 303 and approved.headers["location"] == f"{address}?done=approved"
    )
    assert (await store.get_document(database, AGENCY, digest)).status == "approved"
    after = await console.client.get(approved.headers["location"])
    assert f"{address}/revoke" in after.text
    missing = await console.client.get(f"/console/officer/documents/{AGENCY}/{'0' * 64}")
    assert missing.status_code == 404
    malformed = await console.client.get(f"/console/officer/documents/{AGENCY}/nothex")
    assert malformed.status_code == 404


async def _entries(database: Database, purpose: str) -> int:
    async with database.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.purpose == purpose)
        )
    return int(count or 0)


async def _look_up(console: Console, rrn: str) -> str:
    form = await console.client.get("/console/officer/consents")
    response = await console.client.post(
        "/console/officer/consents",
        data={"csrf_token": csrf_of(form), "rrn": rrn, "case_ref": CASE},
    )
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


async def test_the_consent_look_up_checks_its_input_in_place(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    form = await console.client.get("/console/officer/consents")
    response = await console.client.post(
        "/console/officer/consents",
        data={"csrf_token": csrf_of(form), "rrn": "85023012345", "case_ref": "no spaces"},
    )
    assert response.status_code == 400
    assert 'id="rrn-error"' in response.text and 'id="case-error"' in response.text
    assert 'value="no spaces"' in response.text


async def test_consents_are_looked_up_logged_and_revoked_with_a_reason(
    console: Console, database: Database, population: Population
) -> None:
    hub = console.hub
    services = hub.app.state.services
    rrn = population.sample_rrns(1)[0]
    consent = await give_consent(database, services.keys, services.catalog, rrn)
    assert not (await hub.query(ASSETS, {"r": rrn})).get("errors")
    await console.sign_in_official("privacy_officer")
    before = await _entries(database, "privacy_consent_lookup")
    location = await _look_up(console, rrn)
    assert rrn not in location and rrn[:6] not in location
    page = await console.client.get(location)
    assert page.status_code == 200 and consent in page.text
    assert await _entries(database, "privacy_consent_lookup") == before + 1

    change = f"{location}/change"
    refused = await console.client.post(
        change,
        data={"csrf_token": csrf_of(page), "consent": consent, "action": "revoke", "reason": ""},
    )
    assert refused.status_code == 400
    assert "Nothing was changed: Say why you revoke the consent." in refused.text
    done = await console.client.post(
        change,
        data={
            "csrf_token": csrf_of(page),
            "consent": consent,
            "action": "revoke",
            "reason": "the person withdrew it by phone",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"{location}?done=revoke"
    after = await console.client.get(done.headers["location"])
    assert "revoked for good" in after.text and "the person withdrew it by phone" in after.text
    assert f"{location}/change" not in after.text  # nothing left to change
    assert _codes(await hub.query(ASSETS, {"r": rrn})) == ["CONSENT_REQUIRED"]


async def test_a_look_up_address_is_worthless_in_another_session(
    console: Console, population: Population
) -> None:
    await console.sign_in_official("privacy_officer", OFFICER_A)
    location = await _look_up(console, population.sample_rrns(1)[0])
    await _sign_in_anew(console, OFFICER_B)
    response = await console.client.get(location)
    assert response.status_code == 404 and "belongs to another session" in response.text


async def test_the_look_up_is_withheld_when_it_cannot_be_logged(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    console = Console(await hub_factory(database, policy="database"))
    await console.sign_in_official("privacy_officer")
    location = await _look_up(console, population.sample_rrns(1)[0])

    async def broken(*args: object, **kwargs: object) -> None:
        raise AuditUnavailable("the log is down")

    console.hub.app.state.services.audit.append = broken
    response = await console.client.get(location)
    assert response.status_code == 503 and "nothing is shown" in response.text


async def test_a_simulation_is_logged_and_shows_what_would_come_back(
    console: Console, database: Database, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    await console.sign_in_official("privacy_officer")
    form = await console.client.get("/console/officer/simulate")
    assert f'value="{AGENCY}/basic_livelihood_eligibility"' in form.text
    fields = {"target": f"{AGENCY}/basic_livelihood_eligibility", "version": ""}
    bad = await console.client.post(
        "/console/officer/simulate",
        data={"csrf_token": csrf_of(form), **fields, "rrn": "1", "case_ref": CASE, "fields": ""},
    )
    assert bad.status_code == 400 and 'id="rrn-error"' in bad.text
    before = await _entries(database, "privacy_simulation")
    response = await console.client.post(
        "/console/officer/simulate",
        data={
            "csrf_token": csrf_of(form),
            **fields,
            "rrn": rrn,
            "case_ref": CASE,
            "fields": f"{CONSENTED}.balance, earnedIncome.annualAmount nowhere.x",
        },
    )
    assert response.status_code == 303 and rrn not in response.headers["location"]
    result = await console.client.get(response.headers["location"])
    assert result.status_code == 200
    assert "needs the person's consent, and there is none valid" in result.text
    assert "yes, by statute" in result.text
    assert "<code>nowhere.x</code>" in result.text  # not in the schema
    assert await _entries(database, "privacy_simulation") == before + 1


async def test_a_client_is_disabled_with_a_reason_and_its_tokens_refused(
    console: Console,
) -> None:
    hub = console.hub
    services = hub.app.state.services
    await register_client(services.database, code=AGENCY, jwks=ClientKeys.ed25519().public_jwks)
    token = issue_token(
        services.keys,
        hub.settings,
        official="kim.01",
        role=Role.AGENCY,
        client_id=AGENCY,
        agency=AGENCY,
        ttl_s=600,
    )
    query = {"query": "{ myGrants { purpose } }"}
    headers = {"Authorization": f"Bearer {token}"}
    assert (await hub.client.post("/graphql", json=query, headers=headers)).status_code == 200

    await console.sign_in_official("privacy_officer")
    found = await console.client.get(f"/console/officer/clients?client={AGENCY}")
    assert found.status_code == 303
    address = found.headers["location"]
    assert address == f"/console/officer/clients/{AGENCY}"
    page = await console.client.get(address)
    assert "The client has one key: it cannot be removed" in page.text
    refused = await console.client.post(
        f"{address}/change", data={"csrf_token": csrf_of(page), "action": "disable", "reason": ""}
    )
    assert refused.status_code == 409 and "Nothing was changed" in refused.text
    done = await console.client.post(
        f"{address}/change",
        data={"csrf_token": csrf_of(page), "action": "disable", "reason": "key leaked"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"{address}?done=disable"
    after = await console.client.get(done.headers["location"])
    assert "The client is disabled" in after.text and "key leaked" in after.text
    assert (await hub.client.post("/graphql", json=query, headers=headers)).status_code == 401
    missing = await console.client.get("/console/officer/clients/GHOST")
    assert missing.status_code == 404 and "No client GHOST is registered." in missing.text
    bad = await console.client.get("/console/officer/clients?client=a%20b")
    assert bad.status_code == 400 and 'id="client-error"' in bad.text


async def _editor(console: Console) -> tuple[str, str, str]:
    """The editor opened on the agency: its CSRF token, TOML text and base version."""
    page = await console.client.get(f"/console/officer/policies/propose?agency={AGENCY}")
    assert page.status_code == 200
    text = re.search(r'<textarea id="policy"[^>]*>(.*?)</textarea>', page.text, re.S)
    base = re.search(r'name="base_version" value="(\d+)"', page.text)
    assert text and base
    return csrf_of(page), html.unescape(text.group(1)), base.group(1)


async def test_the_editor_places_every_problem_and_keeps_the_text(console: Console) -> None:
    await console.sign_in_official("privacy_officer")
    picker = await console.client.get("/console/officer/policies/propose")
    assert f'<option value="{AGENCY}"' in picker.text and "<textarea" not in picker.text
    token, text, base = await _editor(console)
    assert f'agency = "{AGENCY}"' in text
    broken = text.replace('= "full"', '= "fully"', 1) + "\n[oops\n"
    form = {"csrf_token": token, "agency": AGENCY, "base_version": base, "days": "7"}
    checked = await console.client.post(
        "/console/officer/policies/propose",
        data={**form, "policy": broken, "reason": "", "step": "check"},
    )
    assert checked.status_code == 400
    assert "nothing was proposed" in checked.text and "Line " in checked.text
    assert 'aria-invalid="true"' in checked.text
    assert html.escape("[oops") in checked.text  # the officer's text is kept
    wrong = text.replace('= "full"', '= "fully"', 1)
    checked = await console.client.post(
        "/console/officer/policies/propose",
        data={**form, "policy": wrong, "reason": "", "step": "propose"},
    )
    assert checked.status_code == 400 and "is not one of" in checked.text


async def test_an_officer_checks_simulates_and_proposes_a_removal(
    console: Console, database: Database, population: Population
) -> None:
    hub = console.hub
    rrn = population.sample_rrns(1)[0]
    for _ in range(2):
        assert not (await hub.query(EARNED, {"r": rrn})).get("errors")
    await console.sign_in_official("privacy_officer", OFFICER_A)
    token, text, base = await _editor(console)
    edited = toml_without_field(text)
    form = {"csrf_token": token, "agency": AGENCY, "base_version": base, "days": "7"}
    checked = await console.client.post(
        "/console/officer/policies/propose",
        data={**form, "policy": edited, "reason": "", "step": "check"},
    )
    assert checked.status_code == 200, checked.text
    assert REMOVAL in checked.text
    summary = re.search(r'id="replay-summary">\s*(.*?)\s*</p>', checked.text, re.S)
    assert summary and summary.group(1) == "Would have refused 2 of LOCAL_WELFARE's 2 requests."
    assert "withheld" in checked.text
    no_reason = await console.client.post(
        "/console/officer/policies/propose",
        data={**form, "policy": edited, "reason": " ", "step": "propose"},
    )
    assert no_reason.status_code == 409 and "A proposal needs a reason." in no_reason.text
    proposed = await console.client.post(
        "/console/officer/policies/propose",
        data={**form, "policy": edited, "reason": "data minimisation", "step": "propose"},
    )
    assert proposed.status_code == 303
    version = int(proposed.headers["location"].split("/")[-1].split("?")[0])
    assert proposed.headers["location"].endswith("?done=proposed")
    info = await versions.get_version(database, version)
    assert info.status is VersionStatus.PROPOSED and info.proposed_by == OFFICER_A
    page = await console.client.get(proposed.headers["location"])
    assert "Another privacy officer must approve it" in page.text and REMOVAL in page.text


async def test_the_editor_refuses_without_its_token_and_for_other_roles(console: Console) -> None:
    await console.sign_in_official("auditor")
    assert (await console.client.get("/console/officer/policies/propose")).status_code == 403
    console.client.cookies.clear()
    await console.sign_in_official("privacy_officer")
    _, text, base = await _editor(console)
    refused = await console.client.post(
        "/console/officer/policies/propose",
        data={
            "agency": AGENCY,
            "base_version": base,
            "days": "7",
            "policy": text,
            "reason": "x",
            "step": "propose",
        },
    )
    assert refused.status_code == 403 and "This form has expired" in refused.text
