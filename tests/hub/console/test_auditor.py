"""The auditors' pages in process: the API's services, each read logged as the API logs it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from hub.admin.auditing import arguments_hash
from hub.audit.heads import sign_current
from hub.audit.inclusion import verify_document
from hub.audit.keyset import heads_jwks, load_jwks
from hub.audit.verify import verify_export
from hub.db.models import AuditEntry
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.audit_helpers import SEARCH, access, audit
from tests.hub.admin.conftest import Admin
from tests.hub.console.conftest import Console, csrf_of

pytestmark = pytest.mark.usefixtures("database")

INQUIRY = "INQ-2026-0099"
CASE = "CASE-2026-0777"


async def _audit_reads(database: Database) -> list[AuditEntry]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.kind == "audit").order_by(AuditEntry.seq)
            )
        )


async def _seeded(console: Console, population: Population) -> str:
    rrn, other = population.sample_rrns(2)
    await access(console.hub, rrn, official="kim.01", case=CASE)
    await access(console.hub, other, official="lee.02")
    return rrn


async def test_a_search_by_case_finds_the_request_and_is_logged_as_the_apis(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor", "auditor.park")
    blank = await console.client.get("/console/auditor/entries")
    assert blank.status_code == 200 and 'name="inquiry"' in blank.text
    assert await _audit_reads(database) == [], "opening the form reads nothing"
    page = await console.client.get(
        "/console/auditor/entries", params={"inquiry": INQUIRY, "case": CASE}
    )
    assert page.status_code == 200, page.text
    assert "1 entry on this page" in page.text
    assert "kim.01" in page.text and "lee.02" not in page.text
    [read] = await _audit_reads(database)
    assert (read.official, read.purpose, read.case_ref, read.outcome, read.person) == (
        "auditor.park",
        "audit_search",
        INQUIRY,
        "searched",
        None,
    )
    # The same search through /admin/graphql hashes to the same arguments.
    api = await audit(Admin(console.hub), SEARCH, {"f": {"caseRef": CASE}}, case=INQUIRY)
    assert len(api["data"]["auditEntries"]["items"]) == 1
    first, second = await _audit_reads(database)
    assert first.query_hash == second.query_hash


async def test_paging_through_older_entries(
    console: Console, population: Population, database: Database
) -> None:
    rrn = await _seeded(console, population)
    for _ in range(25):
        await access(console.hub, rrn, case=CASE)
    await console.sign_in_official("auditor")
    page = await console.client.get(
        "/console/auditor/entries", params={"inquiry": INQUIRY, "case": CASE, "first": "25"}
    )
    assert "older ones follow" in page.text
    older = page.text.split('href="/console/auditor/entries?', 1)[1].split('"', 1)[0]
    second = await console.client.get("/console/auditor/entries?" + older.replace("&amp;", "&"))
    assert second.status_code == 200 and "1 entry on this page" in second.text
    assert len(await _audit_reads(database)) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"case": CASE}, "Name the inquiry this read is recorded under."),
        ({"inquiry": "bad inquiry!"}, "Name the inquiry: 1 to 128 letters"),
        ({"inquiry": INQUIRY, "rrn": "850230-1234567"}, "Not a registration number"),
        ({"inquiry": INQUIRY, "from": "yesterday"}, "Give a date and time in KST"),
        ({"inquiry": INQUIRY, "after": "abc"}, "After must be a cursor this API returned"),
        ({"inquiry": INQUIRY, "outcome": "stolen"}, "Pick one of the values offered"),
        ({"inquiry": INQUIRY, "first": "1000"}, "Pick one of the sizes offered"),
        ({"inquiry": INQUIRY, "official": "x" * 200}, "At most 128 characters"),
    ],
)
async def test_bad_search_input_is_a_message_in_place_and_reads_nothing(
    console: Console, database: Database, params: dict[str, str], message: str
) -> None:
    await console.sign_in_official("auditor")
    page = await console.client.get("/console/auditor/entries", params=params)
    assert page.status_code == 400
    assert message in page.text
    assert 'role="alert"' in page.text
    # The field at fault is marked (a cursor has no field: it came from a link).
    assert ('aria-invalid="true"' in page.text) == ("after" not in params)
    assert '<form class="form card search-form"' in page.text, "the form is kept"
    assert await _audit_reads(database) == []


async def test_a_field_sent_twice_is_a_message_not_a_500(console: Console) -> None:
    await console.sign_in_official("auditor")
    page = await console.client.get(f"/console/auditor/entries?inquiry={INQUIRY}&case=a&case=b")
    assert page.status_code == 400 and "Sent more than once" in page.text


async def test_an_entry_in_full(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")
    asks = await console.client.get("/console/auditor/entries/0")
    assert asks.status_code == 200 and "name the inquiry it serves" in asks.text
    page = await console.client.get("/console/auditor/entries/0", params={"inquiry": INQUIRY})
    assert page.status_code == 200, page.text
    for shown in ("kim.01", CASE, "basic_livelihood_eligibility", "Policy version", "Leaf hash"):
        assert shown in page.text, shown
    assert "/console/auditor/integrity?inquiry=" in page.text
    [read] = await _audit_reads(database)
    assert read.purpose == "audit_search"
    assert read.query_hash == arguments_hash(
        "search",
        {
            "filter": dict.fromkeys(
                ("subject", "agency", "official", "purpose", "case_ref", "outcome", "kind")
            )
            | {"from": None, "to": None},
            "first": 1,
            "after": "1",
        },
    )
    missing = await console.client.get("/console/auditor/entries/999", params={"inquiry": INQUIRY})
    assert missing.status_code == 404 and "The log has no entry 999" in missing.text
    huge = await console.client.get(
        "/console/auditor/entries/" + "9" * 30, params={"inquiry": INQUIRY}
    )
    assert huge.status_code == 404


async def test_an_officials_activity_with_charts_and_their_numbers(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")
    page = await console.client.get(
        "/console/auditor/activity", params={"inquiry": INQUIRY, "official": "kim.01"}
    )
    assert page.status_code == 200, page.text
    assert "kim.01: 1 entry" in page.text
    assert page.text.count('<svg class="chart__svg"') == 3, "per day, per purpose, per outcome"
    assert "Entries per agency and purpose: the numbers" in page.text
    assert "style=" not in page.text, "no inline styles under the CSP"
    assert [r.purpose for r in await _audit_reads(database)] == [
        "audit_activity",
        "audit_official_series",
    ]
    missing = await console.client.get("/console/auditor/activity", params={"inquiry": INQUIRY})
    assert missing.status_code == 400 and "Name the official" in missing.text


async def test_the_signed_head_and_an_inclusion_proof_verified(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    services = console.hub.app.state.services
    head = await sign_current(services.database, services.keys)
    await console.sign_in_official("auditor")
    page = await console.client.get("/console/auditor/integrity")
    assert "Signature verified with the published key" in page.text
    assert head.root_hash.hex() in page.text
    assert await _audit_reads(database) == [], "the latest head names no entry"
    proof = await console.client.get(
        "/console/auditor/integrity", params={"inquiry": INQUIRY, "seq": "1"}
    )
    assert proof.status_code == 200, proof.text
    assert "Verified: entry 1 is in the tree the signed head commits to." in proof.text
    assert f"OK: entry 1 is in the tree of size {head.size}" in proof.text
    [read] = await _audit_reads(database)
    assert read.purpose == "audit_entry_inclusion"
    beyond = await console.client.get(
        "/console/auditor/integrity", params={"inquiry": INQUIRY, "seq": "1", "tree_size": "99"}
    )
    assert beyond.status_code == 400 and "No signed tree head is stored for size 99" in beyond.text


async def test_every_signed_head_checked(console: Console, database: Database) -> None:
    services = console.hub.app.state.services
    for _ in range(2):
        await sign_current(services.database, services.keys)
    await console.sign_in_official("auditor")
    page = await console.client.get("/console/auditor/integrity", params={"inquiry": INQUIRY})
    assert page.status_code == 200, page.text
    assert page.text.count(">Verified</span>") == 2
    assert "The first head" in page.text
    [read] = await _audit_reads(database)
    assert read.purpose == "audit_tree_heads"


async def test_the_proof_document_downloads_and_verifies_offline(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    services = console.hub.app.state.services
    await sign_current(services.database, services.keys)
    await console.sign_in_official("auditor")
    response = await console.client.get(
        "/console/auditor/entries/1/proof", params={"inquiry": INQUIRY}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="ssis-hub-proof-1-2.json"'
    )
    document = json.loads(response.text)
    keys = load_jwks(heads_jwks(services.keys))
    assert verify_document(document, keys).ok
    document["entry"]["official"] = "someone.else"
    assert not verify_document(document, keys).ok
    assert [r.purpose for r in await _audit_reads(database)] == ["audit_entry_inclusion"]
    missing = await console.client.get("/console/auditor/entries/1/proof")
    assert missing.status_code == 400 and "Name the inquiry" in missing.text


async def test_an_export_downloads_and_verifies_offline(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")
    form = await console.client.get("/console/auditor/exports")
    data: dict[str, Any] = {"csrf_token": csrf_of(form), "inquiry": INQUIRY, "first": "0"}
    response = await console.client.post("/console/auditor/exports", data={**data, "last": "2"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jsonl")
    assert (
        response.headers["content-disposition"] == 'attachment; filename="ssis-hub-audit-0-2.jsonl"'
    )
    keys = load_jwks(heads_jwks(console.hub.app.state.services.keys))
    report = verify_export(response.text.splitlines(), keys)
    assert report.ok, report
    [read] = await _audit_reads(database)
    assert read.purpose == "audit_export"
    bad = await console.client.post("/console/auditor/exports", data={**data, "last": "x"})
    assert bad.status_code == 400 and "A whole number" in bad.text
    beyond = await console.client.post("/console/auditor/exports", data={**data, "last": "999"})
    assert beyond.status_code == 400 and "exceeds the log" in beyond.text
    forged = await console.client.post(
        "/console/auditor/exports", data={**data, "last": "2", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert len(await _audit_reads(database)) == 1


async def test_an_officer_cannot_open_an_auditors_page_and_nothing_is_read(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("privacy_officer")
    for path in ("/console/auditor/entries", "/console/auditor/entries/0"):
        page = await console.client.get(path, params={"inquiry": INQUIRY, "case": CASE})
        assert page.status_code == 403 and "This page is not for your role" in page.text
    assert await _audit_reads(database) == []


async def test_an_auditor_cannot_open_an_officers_page(console: Console) -> None:
    await console.sign_in_official("auditor")
    page = await console.client.get("/console/officer/policies")
    assert page.status_code == 403 and "This page is not for your role" in page.text


async def test_no_page_without_its_log_entry(
    console: Console, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")

    async def broken(*_: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(console.hub.app.state.services.audit, "_write", broken)
    page = await console.client.get(
        "/console/auditor/entries", params={"inquiry": INQUIRY, "case": CASE}
    )
    assert page.status_code == 503 and "Nothing was shown" in page.text
    assert "kim.01" not in page.text


async def test_signing_a_head_for_an_entry_newer_than_the_latest(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")
    none_yet = await console.client.get(
        "/console/auditor/integrity", params={"inquiry": INQUIRY, "seq": "1"}
    )
    assert none_yet.status_code == 400
    assert "No signed tree head contains entry 1 yet: sign one first" in none_yet.text
    signed = await console.client.post(
        "/console/auditor/integrity/sign",
        data={"csrf_token": csrf_of(none_yet), "inquiry": INQUIRY, "seq": "1"},
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/console/auditor/integrity?inquiry={INQUIRY}&seq=1"
    proof = await console.client.get(signed.headers["location"])
    assert "Verified: entry 1 is in the tree" in proof.text, proof.text
    forged = await console.client.post(
        "/console/auditor/integrity/sign", data={"csrf_token": "0" * 64, "inquiry": INQUIRY}
    )
    assert forged.status_code == 403


async def test_the_charts_of_accesses_and_refusals_per_day(
    console: Console, population: Population, database: Database
) -> None:
    await _seeded(console, population)
    await console.sign_in_official("auditor")
    blank = await console.client.get("/console/auditor/charts")
    assert blank.status_code == 200 and await _audit_reads(database) == []
    page = await console.client.get("/console/auditor/charts", params={"inquiry": INQUIRY})
    assert page.status_code == 200, page.text
    assert page.text.count('<svg class="chart__svg"') == 1, "accesses; no refusals to chart"
    assert "Agencies&#39; accesses per day" in page.text
    assert "style=" not in page.text
    assert [r.purpose for r in await _audit_reads(database)] == [
        "audit_access_series",
        "audit_refusal_series",
    ]
    for params, message in [
        ({"inquiry": INQUIRY, "first_day": "26/11/2026"}, "Give a day like 2026-11-26"),
        (
            {"inquiry": INQUIRY, "first_day": "2024-01-01", "last_day": "2026-01-01"},
            "A series covers at most 366 days",
        ),
    ]:
        bad = await console.client.get("/console/auditor/charts", params=params)
        assert bad.status_code == 400 and message in bad.text, bad.text
        assert 'id="f-first_day"' in bad.text
    assert len(await _audit_reads(database)) == 2
