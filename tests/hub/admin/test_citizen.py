"""The person's own access report, through the citizen portal's role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update

from hub.db.models import AuditEntry, utcnow
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.audit_helpers import access, audit, portal_token, search
from tests.hub.admin.conftest import Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE

SUPPRESSED = "overpayment_recovery"  # a covert fraud inquiry: suppressed in the baseline
REPORT = """query($r: String!) { accessReport(rrn: $r) {
    when reference agency { code name } purpose { code name }
    infoTypes { infoType title fields forms } refusedInfoTypes legalBasis consentIds outcome } }"""


async def _report(admin: Admin, rrn: str) -> list[dict[str, Any]]:
    response = await admin.post(REPORT, {"r": rrn}, token=portal_token(admin))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert "kim.01" not in response.text, "the official is the auditor's business"
    report: list[dict[str, Any]] = body["data"]["accessReport"]
    return report


async def _suppressed_and_open(admin: Admin, rrn: str) -> None:
    await access(admin.hub, rrn, purpose=SUPPRESSED, case="FRAUD-2026-11")
    await access(admin.hub, rrn, case="APP-2026-5")


async def test_suppressed_uses_appear_only_once_suppression_ends(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn, other = population.sample_rrns(2)
    await _suppressed_and_open(admin, rrn)
    await access(admin.hub, other)
    await search(admin, rrn=rrn)  # an auditor's read: never in the person's report

    [entry] = await _report(admin, rrn)
    agency = admin.hub.app.state.services.catalog.agency(AGENCY)
    assert entry["agency"] == {"code": AGENCY, "name": agency.name}
    assert entry["purpose"] == {"code": PURPOSE, "name": agency.purpose(PURPOSE).name}
    assert entry["infoTypes"] == [
        {
            "infoType": "residentRegistration",
            "title": "Resident registration",
            "fields": ["district", "name"],
            "forms": ["full", "full"],
        }
    ]
    assert entry["legalBasis"].startswith("National Basic Livelihood Security Act")
    assert entry["outcome"] == "released" and entry["refusedInfoTypes"] == []
    assert entry["consentIds"] == [] and len(entry["reference"]) == 36

    # Auditors see both, the suppressed one with the end of its suppression.
    entries = await search(admin, rrn=rrn, kind="access")
    assert [e["purpose"] for e in entries] == [PURPOSE, SUPPRESSED]
    suppressed = entries[1]
    assert suppressed["suppressedUntil"] is not None

    # The suppression ends. (Rewriting a stored entry breaks its leaf hash,
    # which a verifier would report: acceptable in a test, never in the hub.)
    async with database.session() as session:
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == suppressed["seq"])
            .values(suppressed_until=utcnow() - dt.timedelta(minutes=1))
        )
        await session.commit()
    report = await _report(admin, rrn)
    assert [(e["purpose"]["code"], e["agency"]["code"]) for e in report] == [
        (PURPOSE, AGENCY),
        (SUPPRESSED, AGENCY),
    ]
    assert report[0]["when"] >= report[1]["when"]  # newest first
    assert len(await search(admin, rrn=rrn, kind="access")) == 2


async def test_suppression_ends_with_time(
    admin: Admin, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _suppressed_and_open(admin, rrn)
    assert len(await _report(admin, rrn)) == 1
    # The baseline hides suppressed uses for 180 days.
    later = utcnow() + dt.timedelta(days=181)
    monkeypatch.setattr("hub.admin.citizen.utcnow", lambda: later)
    assert [e["purpose"]["code"] for e in await _report(admin, rrn)] == [PURPOSE, SUPPRESSED]


async def test_a_person_with_no_uses_gets_an_empty_report(
    admin: Admin, population: Population
) -> None:
    assert await _report(admin, population.sample_rrns(1)[0]) == []


async def test_an_invalid_number_is_refused(admin: Admin) -> None:
    body = await admin.run(REPORT, {"r": "8502302123450"}, token=portal_token(admin))
    assert codes(body) == ["INVALID_RRN"] and body["data"] is None


async def test_only_the_portal_gets_the_report(admin: Admin) -> None:
    for token in (admin.token(), admin.desk_token()):
        body = await admin.run(REPORT, {"r": "8503142123456"}, token=token)
        assert codes(body) == ["FORBIDDEN_ROLE"] and body["data"] is None
    body = await audit(admin, REPORT, {"r": "8503142123456"})
    assert codes(body) == ["FORBIDDEN_ROLE"] and body["data"] is None
