"""The auditors' services as the console calls them, and their fields on /admin/graphql.

The end to end: an agency's request through /graphql, then an auditor finds
it by case, reads its entries, sees it counted in the per-day and refusal
series, and proves its inclusion on the server and offline.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.admin.audit_proofs import entry_inclusion, export_text, open_export, tree_heads
from hub.admin.audit_reports import (
    access_series,
    official_series,
    refusal_series,
    search_entries,
)
from hub.admin.audit_types import AuditFilter
from hub.admin.auditing import AuditLogUnavailable
from hub.admin.context import AdminContext
from hub.admin.errors import CaseRefRequired, ForbiddenRole, InvalidArgument
from hub.audit.heads import sign_current
from hub.audit.inclusion import verify_document
from hub.audit.keyset import load_jwks
from hub.audit.series import DAY_ZONE, MAX_DAYS
from hub.audit.verify import verify_export
from hub.auth.roles import Role
from hub.auth.tokens import Principal
from hub.cli.main import main
from hub.db.models import AuditEntry
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.audit_helpers import AUDIT_CASE, AUDITOR, audit, search
from tests.hub.admin.conftest import Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE

CASE = "CASE-2026-0415"
INCOME = """query($r: String!) {
    person(rrn: $r) { residentRegistration { name } earnedIncome { annualAmount } } }"""


def _ctx(
    admin: Admin, role: Role = Role.AUDITOR, case_ref: str | None = AUDIT_CASE
) -> AdminContext:
    """The context the console builds for a signed-in auditor (or another role)."""
    now = int(time.time())
    principal = Principal(
        agency="", official=AUDITOR, token_id="console-session", expires_at=now + 600,
        role=role, client_id="console", issued_at=now,
    )  # fmt: skip
    return AdminContext(
        services=admin.hub.app.state.services,
        principal=principal,
        request_id="00000000-0000-0000-0000-0000000000c0",
        case_ref=case_ref,
        client_addr="10.9.9.9",
    )


def _today() -> tuple[dt.date, dt.date]:
    # A day either side: the request and the assertion may straddle midnight in Seoul.
    today = dt.datetime.now(DAY_ZONE).date()
    return today - dt.timedelta(days=1), today + dt.timedelta(days=1)


async def _audit_entries(database: Database) -> list[AuditEntry]:
    async with database.session() as session:
        stmt = select(AuditEntry).where(AuditEntry.kind == "audit").order_by(AuditEntry.seq)
        return list(await session.scalars(stmt))


async def test_end_to_end_an_agencys_request_found_counted_and_proved(
    admin: Admin, population: Population, database: Database, tmp_path: Path
) -> None:
    hub = admin.hub
    rrn = population.sample_rrns(1)[0]
    hub.sources.set_fault("NTS", error_rate=1.0)
    body = await hub.query(INCOME, {"r": rrn}, case=CASE)
    assert body["data"]["person"]["earnedIncome"] is None
    ctx = _ctx(admin)

    # Found by its case, with its full detail.
    page = await search_entries(ctx, AuditFilter(case_ref=CASE))
    [entry] = page.items
    assert (entry.agency, entry.purpose, entry.official, entry.case_ref) == (
        AGENCY, PURPOSE, "kim.01", CASE,
    )  # fmt: skip
    # JSON fields hold the decoded values as they were stored.
    released: object = entry.released
    refused: object = entry.refused
    assert entry.outcome == "partial"
    assert released == {"residentRegistration": {"name": "full"}}
    assert refused == {"earnedIncome": "SOURCE_UNAVAILABLE"}
    assert entry.policy_version == 1 and entry.legal_basis and entry.query_hash
    assert entry.client_addr == "10.1.2.3" and page.next_cursor is None
    # The same by person, outcome and purpose together, and through the field.
    by_person = await search_entries(ctx, AuditFilter(rrn=rrn, outcome="partial", purpose=PURPOSE))
    assert [e.seq for e in by_person.items] == [entry.seq]
    assert [e["seq"] for e in await search(admin, caseRef=CASE)] == [entry.seq]

    first_day, last_day = _today()
    accesses = await access_series(ctx, first_day, last_day)
    assert sum(p.count for p in accesses if p.agency == AGENCY) == 1
    refusals = await refusal_series(ctx, first_day, last_day, agency=AGENCY)
    assert [(p.code, p.count) for p in refusals] == [("SOURCE_UNAVAILABLE", 1)]
    activity = await official_series(ctx, "kim.01", first_day, last_day)
    assert [(p.agency, p.count) for p in activity] == [(AGENCY, 1)]

    await sign_current(hub.app.state.services.database, hub.app.state.services.keys)
    proved = await entry_inclusion(ctx, entry.seq)
    assert proved.verified, proved.verification
    assert proved.proof.leaf_hash == entry.leaf_hash
    assert proved.proof.root_hash == proved.tree_head.root_hash
    # Offline: the downloaded document and the published keys, through the CLI verifier.
    document = tmp_path / "proof.json"
    document.write_text(json.dumps(proved.document), encoding="utf-8")
    jwks = tmp_path / "keys.json"
    jwks.write_text((await hub.client.get("/audit/keys.json")).text, encoding="utf-8")
    assert main(["audit", "verify-proof", str(document), "--jwks", str(jwks)]) == 0
    assert verify_document(
        json.loads(document.read_text()), load_jwks(json.loads(jwks.read_text()))
    ).ok

    # Each read above (two searches through the service, one through the
    # field, three series, one proof) is one `audit` entry.
    logged = await _audit_entries(database)
    assert [e.purpose for e in logged] == [
        "audit_search", "audit_search", "audit_search", "audit_access_series",
        "audit_refusal_series", "audit_official_series", "audit_entry_inclusion",
    ]  # fmt: skip
    assert {(e.official, e.case_ref, e.person, e.outcome) for e in logged} == {
        (AUDITOR, AUDIT_CASE, None, "searched")
    }
    assert rrn not in json.dumps([e.query_hash for e in logged])


async def test_the_series_fields(admin: Admin, population: Population) -> None:
    await admin.hub.query(INCOME, {"r": population.sample_rrns(1)[0]}, case=CASE)
    first_day, last_day = (d.isoformat() for d in _today())
    fields = [
        "auditAccessSeries(from: $f, to: $t) { day agency count }",
        "auditRefusalSeries(from: $f, to: $t) { day code count }",
        'officialActivitySeries(official: "kim.01", from: $f, to: $t) { day agency count }',
    ]
    data: dict[str, Any] = {}
    # One field per operation: the test database is one shared connection,
    # on which concurrent fields' sessions would interleave their savepoints.
    for field in fields:
        query = f"query($f: Date!, $t: Date!) {{ {field} }}"
        body = await audit(admin, query, {"f": first_day, "t": last_day})
        assert "errors" not in body, body
        data.update(body["data"])
    [point] = data["auditAccessSeries"]
    assert point["agency"] == AGENCY and point["count"] == 1
    assert first_day <= point["day"] <= last_day
    assert data["auditRefusalSeries"] == []
    assert [p["count"] for p in data["officialActivitySeries"]] == [1]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"f": "2026-11-02", "t": "2026-11-01"}, "to"),
        (
            {"f": "2026-01-01", "t": (dt.date(2026, 1, 1) + dt.timedelta(MAX_DAYS)).isoformat()},
            "to",
        ),
    ],
)
async def test_series_ranges_are_bounded(
    admin: Admin, database: Database, variables: dict[str, str], argument: str
) -> None:
    query = "query($f: Date!, $t: Date!) { auditAccessSeries(from: $f, to: $t) { count } }"
    body = await audit(admin, query, variables)
    assert codes(body) == ["INVALID_ARGUMENT"], body
    assert body["errors"][0]["extensions"]["argument"] == argument
    assert await _audit_entries(database) == []  # refused before reading: nothing logged


async def test_the_services_refuse_other_roles_and_unnamed_inquiries(admin: Admin) -> None:
    first_day, last_day = _today()
    with pytest.raises(ForbiddenRole):
        await access_series(_ctx(admin, Role.PRIVACY_OFFICER), first_day, last_day)
    with pytest.raises(ForbiddenRole):
        await tree_heads(_ctx(admin, Role.CITIZEN_PORTAL))
    with pytest.raises(CaseRefRequired):
        await refusal_series(_ctx(admin, case_ref=None), first_day, last_day)
    with pytest.raises(InvalidArgument):
        await export_text(_ctx(admin), 0, 10**6)


async def test_no_answer_without_the_log(
    admin: Admin, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    await admin.hub.query(INCOME, {"r": population.sample_rrns(1)[0]}, case=CASE)
    services = admin.hub.app.state.services
    await sign_current(services.database, services.keys)

    async def broken(*_: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "_write", broken)
    ctx = _ctx(admin)
    first_day, last_day = _today()
    for read in (
        access_series(ctx, first_day, last_day),
        refusal_series(ctx, first_day, last_day),
        official_series(ctx, "kim.01", first_day, last_day),
        tree_heads(ctx),
        entry_inclusion(ctx, 0),
        open_export(ctx, 0, 1),
    ):
        with pytest.raises(AuditLogUnavailable):
            await read
    body = await audit(admin, "{ treeHeads { items { signatureValid } } }")
    assert codes(body) == ["AUDIT_UNAVAILABLE"] and body["data"] is None


async def test_an_export_streams_and_verifies(
    admin: Admin, population: Population, database: Database
) -> None:
    for rrn in population.sample_rrns(3):
        await admin.hub.query(INCOME, {"r": rrn}, case=CASE)
    ctx = _ctx(admin)
    lines = [line async for line in await open_export(ctx, 1, 3)]
    assert all(line.endswith("\n") for line in lines) and len(lines) == 3
    jwks = (await admin.hub.client.get("/audit/keys.json")).json()
    report = verify_export(lines, load_jwks(jwks))
    assert report.ok and report.entries_checked == 2, report.summary()
    # The field's text is the same export (but for the freshly signed head).
    text = await export_text(ctx, 1, 3)
    assert [json.loads(x)["seq"] for x in text.splitlines()[1:]] == [1, 2]
    assert [e.purpose for e in await _audit_entries(database)] == ["audit_export"] * 2
    async with database.session() as session:
        count = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert count == 5
