"""Issue 9: the administrative endpoint's reads about a named person are access-log entries.

A privacy officer's or consent desk's look-up of a person's consents, an
officer's simulation and the citizen portal's fetch of the person's report
each write one entry for the person before the answer leaves; a role refused
such a field for a well-formed number is logged as refused; without the log
nothing is answered; the person sees the offices' reads in their report.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.audit.entries import EntryContent, content_of
from hub.audit.heads import load_public_key
from hub.audit.verify import verify_export
from hub.auth.roles import Role
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from simulator.population import Population
from tests.hub.admin.audit_helpers import audit, auditor_token, portal_token, search
from tests.hub.admin.conftest import (
    CASE_HEADER,
    DESK_CLIENT,
    DESK_OFFICIAL,
    OFFICE_CASE,
    OFFICER_A,
    Admin,
    codes,
)
from tests.schema.conftest import AGENCY, PURPOSE

LOOKUP = "query($r: String!) { consents(rrn: $r) { id agency purpose status } }"
SIMULATE = """query($r: String!) {
  simulate(agency: "LOCAL_WELFARE", purpose: "basic_livelihood_eligibility", rrn: $r,
           fields: ["financialAssets.balance"]) {
    wouldBeRefused infoTypes { infoType consentId } } }"""
REPORT = """query($r: String!) { accessReport(rrn: $r) {
    when reference agency { code name } purpose { code name }
    infoTypes { infoType title fields forms } refusedInfoTypes legalBasis consentIds outcome } }"""
RECORD = "mutation($i: ConsentInput!) { recordConsent(input: $i) { id } }"
BAD_NUMBER = "8502302123450"  # 30 February: names nobody


async def _consent(admin: Admin, rrn: str) -> str:
    """A consent recorded for the person at the desk (not a read: no entry)."""
    consent = {
        "rrn": rrn,
        "agency": AGENCY,
        "purpose": PURPOSE,
        "infoTypes": ["financialAssets"],
        "validUntil": "2099-12-31T00:00:00+00:00",
        "usage": "PERIODIC",
        "channel": "IN_PERSON",
    }
    body = await admin.run(RECORD, {"i": consent}, token=admin.desk_token())
    assert "errors" not in body, body
    consent_id: str = body["data"]["recordConsent"]["id"]
    return consent_id


async def _entries(database: Database) -> list[EntryContent]:
    """Every entry of kind admin, oldest first."""
    async with database.session() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.kind == "admin").order_by(AuditEntry.seq)
        )
        return [content_of(row) for row in rows]


def _pseudonym(admin: Admin, office: str, rrn: str) -> str:
    return agency_person_id(admin.hub.app.state.services.keys, office, rrn)


def _no_number(entry: EntryContent, rrn: str) -> None:
    """The entry holds the registration number nowhere, in neither of its spellings."""
    text = json.dumps(entry.__dict__, default=str)
    assert rrn not in text and f"{rrn[:6]}-{rrn[6:]}" not in text


async def test_a_consent_lookup_is_one_entry_for_the_person(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn, other = population.sample_rrns(2)
    consent_id = await _consent(admin, rrn)
    assert await _entries(database) == []

    response = await admin.post(LOOKUP, {"r": rrn}, token=admin.token(), headers=CASE_HEADER)
    assert [c["id"] for c in response.json()["data"]["consents"]] == [consent_id]
    [entry] = await _entries(database)
    assert entry.request_id == response.headers["hub-request-id"]
    assert (entry.agency, entry.official, entry.purpose, entry.case_ref) == (
        "PRIVACY_OFFICE",
        OFFICER_A,
        "privacy_consent_lookup",
        OFFICE_CASE,
    )
    assert entry.person == _pseudonym(admin, "PRIVACY_OFFICE", rrn)
    assert entry.outcome == "released" and entry.refused == {}
    assert entry.released == {"consentRegistry": {"consents": "full"}}
    assert entry.consent_ids == [consent_id]
    assert entry.query_hash is not None and len(entry.query_hash) == 64
    assert entry.client_addr is not None
    _no_number(entry, rrn)

    # A desk's look-up, of a person without consents: the channel is named.
    body = await admin.run(LOOKUP, {"r": other}, token=admin.desk_token(), headers=CASE_HEADER)
    assert body == {"data": {"consents": []}}
    [_, desk] = await _entries(database)
    assert (desk.agency, desk.official) == ("CONSENT_CHANNEL", f"{DESK_CLIENT}:{DESK_OFFICIAL}")
    assert desk.person == _pseudonym(admin, "CONSENT_CHANNEL", other)
    assert desk.consent_ids == [] and desk.outcome == "released"

    # Auditors find the look-up under the person, like an agency's access.
    [found] = await search(admin, rrn=rrn, kind="admin")
    assert found["person"] == entry.person and found["official"] == OFFICER_A


async def test_a_simulation_is_one_entry_and_releases_nothing(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn = population.sample_rrns(1)[0]
    consent_id = await _consent(admin, rrn)

    body = await admin.run(SIMULATE, {"r": rrn}, headers=CASE_HEADER)
    assert body["data"]["simulate"]["infoTypes"] == [
        {"infoType": "financialAssets", "consentId": consent_id}
    ]
    [entry] = await _entries(database)
    assert (entry.agency, entry.official, entry.purpose, entry.case_ref) == (
        "PRIVACY_OFFICE",
        OFFICER_A,
        "privacy_simulation",
        OFFICE_CASE,
    )
    assert entry.person == _pseudonym(admin, "PRIVACY_OFFICE", rrn)
    # A simulation: the consent it relied on, nothing released.
    assert entry.outcome == "simulated" and entry.released == {} and entry.refused == {}
    assert entry.consent_ids == [consent_id] and entry.policy_version == 1
    _no_number(entry, rrn)
    assert await search(admin, kind="access") == []


async def test_an_access_report_is_one_entry_and_not_shown_back(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn = population.sample_rrns(1)[0]
    for _ in range(2):
        body = await admin.run(REPORT, {"r": rrn}, token=portal_token(admin))
        assert body == {"data": {"accessReport": []}}, "the person's own fetches are not uses"
    first, second = await _entries(database)
    assert first.request_id != second.request_id
    assert (first.agency, first.official, first.purpose, first.case_ref) == (
        "CITIZEN_PORTAL",
        "portal.service",
        "citizen_access_report",
        "",
    )
    assert first.person == _pseudonym(admin, "CITIZEN_PORTAL", rrn)
    assert first.outcome == "released"
    assert first.released == {"accessLog": {"entries": "full"}}
    _no_number(first, rrn)


async def test_the_citizen_sees_the_officers_consent_lookup(
    admin: Admin, population: Population
) -> None:
    rrn, other = population.sample_rrns(2)
    consent_id = await _consent(admin, rrn)
    looked = await admin.post(LOOKUP, {"r": rrn}, token=admin.token(), headers=CASE_HEADER)
    assert looked.status_code == 200 and "errors" not in looked.json()
    await admin.run(LOOKUP, {"r": other}, headers=CASE_HEADER)  # someone else's

    response = await admin.post(REPORT, {"r": rrn}, token=portal_token(admin))
    assert OFFICER_A not in response.text, "the officer is the auditor's business"
    [entry] = response.json()["data"]["accessReport"]
    assert entry["reference"] == looked.headers["hub-request-id"]
    assert entry["agency"] == {"code": "PRIVACY_OFFICE", "name": "The hub's privacy office"}
    assert entry["purpose"] == {"code": "privacy_consent_lookup", "name": "Looked up your consents"}
    assert entry["infoTypes"] == [
        {
            "infoType": "consentRegistry",
            "title": "Your consents",
            "fields": ["consents"],
            "forms": ["full"],
        }
    ]
    assert entry["consentIds"] == [consent_id] and entry["outcome"] == "released"
    assert entry["refusedInfoTypes"] == [] and entry["legalBasis"] is None


async def test_officers_and_desks_name_a_case(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _consent(admin, rrn)
    for query, token in ((LOOKUP, admin.token()), (LOOKUP, admin.desk_token()), (SIMULATE, None)):
        for headers in ({}, {"Hub-Case-Ref": "not a case"}):
            body = await admin.run(query, {"r": rrn}, token=token, headers=headers)
            assert codes(body) == ["CASE_REF_REQUIRED"] and body["data"] is None
    assert await _entries(database) == []


@pytest.mark.parametrize(
    ("query", "token_of", "office", "purpose", "reads"),
    [
        (LOOKUP, "auditor", "AUDITOR", "privacy_consent_lookup", "consentRegistry"),
        (LOOKUP, "portal", "CITIZEN_PORTAL", "privacy_consent_lookup", "consentRegistry"),
        (SIMULATE, "desk", "CONSENT_CHANNEL", "privacy_simulation", "consentRegistry"),
        (REPORT, "officer", "PRIVACY_OFFICE", "citizen_access_report", "accessLog"),
    ],
)
async def test_a_refusal_for_a_well_formed_number_is_logged(
    admin: Admin,
    population: Population,
    database: Database,
    query: str,
    token_of: str,
    office: str,
    purpose: str,
    reads: str,
) -> None:
    tokens = {
        "auditor": auditor_token(admin),
        "portal": portal_token(admin),
        "desk": admin.desk_token(),
        "officer": admin.token(),
    }
    token = tokens[token_of]
    rrn = population.sample_rrns(1)[0]
    consent_id = await _consent(admin, rrn)

    # A malformed number names nobody: refused, and no one to log it for.
    body = await admin.run(query, {"r": BAD_NUMBER}, token=token, headers=CASE_HEADER)
    assert codes(body) == ["FORBIDDEN_ROLE"]
    assert await _entries(database) == []

    response = await admin.post(query, {"r": rrn}, token=token, headers=CASE_HEADER)
    assert codes(response.json()) == ["FORBIDDEN_ROLE"] and response.json()["data"] is None
    assert consent_id not in response.text
    [entry] = await _entries(database)
    assert (entry.agency, entry.purpose, entry.case_ref) == (office, purpose, OFFICE_CASE)
    assert entry.person == _pseudonym(admin, office, rrn)
    assert entry.outcome == "refused" and entry.released == {} and entry.consent_ids == []
    assert entry.refused == {reads: "FORBIDDEN_ROLE"}
    assert entry.request_id == response.headers["hub-request-id"]
    _no_number(entry, rrn)


def _break_the_log(admin: Admin, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every batch the app's writer writes fails, as in test_auditor's fault."""

    async def broken(*_: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(admin.hub.app.state.services.audit, "_write", broken)


@pytest.mark.parametrize("read", ["officer lookup", "desk lookup", "simulate", "report"])
async def test_no_answer_without_the_log(
    admin: Admin, population: Population, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    rrn = population.sample_rrns(1)[0]
    consent_id = await _consent(admin, rrn)
    query, token = {
        "officer lookup": (LOOKUP, admin.token()),
        "desk lookup": (LOOKUP, admin.desk_token()),
        "simulate": (SIMULATE, admin.token()),
        "report": (REPORT, portal_token(admin)),
    }[read]
    looked = await admin.run(LOOKUP, {"r": rrn}, headers=CASE_HEADER)  # for the report
    assert "errors" not in looked
    _break_the_log(admin, monkeypatch)

    response = await admin.post(query, {"r": rrn}, token=token, headers=CASE_HEADER)
    assert response.status_code == 200
    body = response.json()
    assert codes(body) == ["AUDIT_UNAVAILABLE"] and body["data"] is None
    # Nothing of the answer leaks: no consent, no agency, no office's read.
    for withheld in (consent_id, AGENCY, PURPOSE, "PRIVACY_OFFICE", "financialAssets"):
        assert withheld not in response.text


async def test_a_refusal_is_not_answered_without_the_log(
    admin: Admin, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    rrn = population.sample_rrns(1)[0]
    _break_the_log(admin, monkeypatch)
    body = await admin.run(LOOKUP, {"r": rrn}, token=portal_token(admin), headers=CASE_HEADER)
    assert codes(body) == ["AUDIT_UNAVAILABLE"] and body["data"] is None
    # A number that names nobody needs no entry, so its refusal is answered.
    body = await admin.run(LOOKUP, {"r": BAD_NUMBER}, token=portal_token(admin))
    assert codes(body) == ["FORBIDDEN_ROLE"]


async def test_the_entries_export_and_verify(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _consent(admin, rrn)
    await admin.run(LOOKUP, {"r": rrn}, headers=CASE_HEADER)
    await admin.run(SIMULATE, {"r": rrn}, headers=CASE_HEADER)
    await admin.run(REPORT, {"r": rrn}, token=portal_token(admin))
    await admin.run(LOOKUP, {"r": rrn}, token=admin.token("auditor.x", Role.AUDITOR))

    async with database.session() as session:
        size = int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    text = (await audit(admin, f"{{ exportRange(first: 0, last: {size}) }}"))["data"]["exportRange"]
    lines = text.splitlines()
    kinds = [(e["kind"], e["outcome"]) for e in map(json.loads, lines[1:])]
    assert kinds[:4] == [
        ("admin", "released"),
        ("admin", "simulated"),
        ("admin", "released"),
        ("admin", "refused"),
    ]
    key = (await audit(admin, "{ auditPublicKey }", case=None))["data"]["auditPublicKey"]
    report = verify_export(lines, load_public_key(key))
    assert report.ok, report.summary()
