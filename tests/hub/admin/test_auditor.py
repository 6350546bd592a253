"""The auditors' API: searching the log, heads, proofs, exports, and its own log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.audit.access_log import AccessFacts, PersonOutcome, commit_access
from hub.audit.heads import SignedTreeHead, load_public_key, verify_head
from hub.audit.merkle import verify_consistency, verify_inclusion
from hub.audit.verify import verify_export
from hub.auth.roles import Role
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from simulator.population import Population
from tests.hub.admin.audit_helpers import (
    AUDIT_CASE,
    AUDITOR,
    SEARCH,
    access,
    audit,
    auditor_token,
    portal_token,
    search,
)
from tests.hub.admin.conftest import Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE

HEAD = "size rootHash timestampMs keyId signature"


def _facts(case: str = "CASE-1") -> AccessFacts:
    return AccessFacts(
        request_id="00000000-0000-0000-0000-00000000000a",
        agency=AGENCY,
        official="kim.01",
        purpose=PURPOSE,
        case_ref=case,
        client_addr="10.0.0.1",
    )


async def _fill(admin: Admin, rrns: list[str], case: str = "CASE-1") -> None:
    """Log an access to each person straight through the app's writer (fast)."""
    services = admin.hub.app.state.services
    outcomes = [PersonOutcome(r, {"residentRegistration": {"name": "full"}}) for r in rrns]
    await commit_access(services.audit, services.keys, _facts(case), outcomes)


async def _count(database: Database, **where: Any) -> int:
    async with database.session() as session:
        stmt = select(func.count()).select_from(AuditEntry).filter_by(**where)
        return int(await session.scalar(stmt) or 0)


async def test_search_by_person_finds_every_agencys_pseudonym(
    admin: Admin, population: Population
) -> None:
    rrn, other = population.sample_rrns(2)
    await access(admin.hub, rrn)
    await access(admin.hub, other)
    await access(admin.hub, rrn, agency="BAI", purpose="audit_inspection", case="AUDIT-2026-3")

    found = await search(admin, rrn=rrn)
    keys = admin.hub.app.state.services.keys
    assert [(e["agency"], e["person"]) for e in found] == [
        ("BAI", agency_person_id(keys, "BAI", rrn)),
        (AGENCY, agency_person_id(keys, AGENCY, rrn)),
    ]
    bai, welfare = found
    assert bai["seq"] > welfare["seq"]  # newest first
    # Auditors see suppressed entries, with the end of their suppression.
    assert bai["suppressedUntil"] is not None and welfare["suppressedUntil"] is None
    assert bai["caseRef"] == "AUDIT-2026-3" and bai["purpose"] == "audit_inspection"
    assert welfare["released"] == {"residentRegistration": {"district": "full", "name": "full"}}
    assert welfare["refused"] == {} and welfare["outcome"] == "released"
    assert welfare["kind"] == "access" and welfare["official"] == "kim.01"
    assert welfare["legalBasis"].startswith("National Basic Livelihood Security Act")
    assert welfare["policyVersion"] == 1 and welfare["clientAddr"] == "10.1.2.3"
    assert len(welfare["queryHash"]) == 64 and len(welfare["leafHash"]) == 64
    async with admin.hub.app.state.services.database.session() as session:
        stored = await session.get(AuditEntry, welfare["seq"])
        assert stored is not None and stored.leaf_hash.hex() == welfare["leafHash"]


async def test_every_filter_narrows_the_search(admin: Admin, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    await access(admin.hub, rrn, official="kim.01", case="CASE-A")
    await access(admin.hub, rrn, official="lee.07", case="CASE-B")
    await access(admin.hub, rrn, agency="BAI", purpose="audit_inspection", official="kim.01")
    now = dt.datetime.now(dt.UTC)
    hour = dt.timedelta(hours=1)

    def cases(entries: list[dict[str, Any]]) -> list[str]:
        return [e["caseRef"] for e in entries]

    assert len(await search(admin, kind="access")) == 3
    assert cases(await search(admin, agency=AGENCY)) == ["CASE-B", "CASE-A"]
    assert cases(await search(admin, official="lee.07")) == ["CASE-B"]
    assert len(await search(admin, purpose="audit_inspection")) == 1
    assert cases(await search(admin, caseRef="CASE-A")) == ["CASE-A"]
    assert len(await search(admin, outcome="released", kind="access")) == 3
    assert await search(admin, outcome="refused") == []
    assert len(await search(admin, kind="access", **{"from": (now - hour).isoformat()})) == 3
    assert await search(admin, **{"from": (now + hour).isoformat()}) == []
    assert await search(admin, to=(now - hour).isoformat()) == []
    # Naive times are UTC.
    naive = (now - hour).replace(tzinfo=None).isoformat()
    assert len(await search(admin, kind="access", **{"from": naive})) == 3
    assert cases(await search(admin, agency=AGENCY, official="kim.01", rrn=rrn)) == ["CASE-A"]


async def test_pages_follow_the_cursor_newest_first(admin: Admin, population: Population) -> None:
    await _fill(admin, population.sample_rrns(7))
    seqs, after, pages = [], None, 0
    while True:
        variables = {"f": {"kind": "access"}, "first": 3, "after": after}
        body = await audit(admin, SEARCH, variables)
        page = body["data"]["auditEntries"]
        seqs += [e["seq"] for e in page["items"]]
        pages += 1
        after = page["nextCursor"]
        if after is None:
            break
    assert seqs == list(range(6, -1, -1)) and pages == 3


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "INVALID_ARGUMENT"),
        ({"first": 501}, "INVALID_ARGUMENT"),
        ({"after": "seven"}, "INVALID_ARGUMENT"),
        ({"f": {"rrn": "8502302123450"}}, "INVALID_RRN"),
    ],
)
async def test_bad_search_arguments(admin: Admin, variables: dict[str, Any], code: str) -> None:
    body = await audit(admin, SEARCH, variables)
    assert codes(body) == [code] and body["data"] is None


@pytest.mark.parametrize("case", [None, "", "has spaces", "-leading-dash"])
async def test_reads_need_an_inquiry_reference(
    admin: Admin, database: Database, case: str | None
) -> None:
    for query in (
        SEARCH,
        '{ officialActivity(official: "kim.01") { total } }',
        "{ inclusionProof(seq: 0, treeSize: 1) { rootHash } }",
        "{ consistencyProof(fromSize: 1, toSize: 1) { proof } }",
        "{ exportRange(first: 0, last: 0) }",
    ):
        body = await audit(admin, query, case=case)
        assert codes(body) == ["CASE_REF_REQUIRED"], query
        assert body["data"] is None
    assert await _count(database, kind="audit") == 0


async def test_an_auditors_reads_are_logged_before_they_answer(
    admin: Admin, population: Population, database: Database
) -> None:
    rrn = population.sample_rrns(1)[0]
    await access(admin.hub, rrn)
    await search(admin, rrn=rrn)
    await search(admin, agency=AGENCY)
    logged = await search(admin, kind="audit")
    assert len(logged) == 2, "the search for audit entries does not list itself"
    by_agency, by_person = logged
    for entry in logged:
        assert entry["agency"] == "AUDITOR" and entry["official"] == AUDITOR
        assert entry["purpose"] == "audit_search" and entry["caseRef"] == AUDIT_CASE
        assert entry["outcome"] == "searched" and entry["person"] is None
        assert entry["released"] == {} and entry["refused"] == {}
        assert entry["clientAddr"] == "10.1.2.3" and entry["suppressedUntil"] is None
    # The searched person is not named, not even by a hash one could brute-force.
    assert by_person["queryHash"] != by_agency["queryHash"]
    assert rrn not in json.dumps(logged)
    assert await _count(database, kind="audit") == 3  # the third search is logged too

    await audit(admin, '{ officialActivity(official: "kim.01") { total } }')
    await audit(admin, "{ inclusionProof(seq: 0, treeSize: 1) { rootHash } }")
    await audit(admin, "{ consistencyProof(fromSize: 1, toSize: 2) { proof } }")
    await audit(admin, "{ exportRange(first: 0, last: 1) }")
    purposes = [e["purpose"] for e in await search(admin, kind="audit")][:4]
    assert purposes == [
        "audit_export",
        "audit_consistency_proof",
        "audit_inclusion_proof",
        "audit_activity",
    ]


async def test_no_answer_without_the_log(
    admin: Admin, population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _fill(admin, population.sample_rrns(2))

    async def broken(*_: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(admin.hub.app.state.services.audit, "_write", broken)
    for query in (SEARCH, "{ exportRange(first: 0, last: 2) }"):
        body = await audit(admin, query)
        assert codes(body) == ["AUDIT_UNAVAILABLE"], query
        assert body["data"] is None


async def test_an_officials_activity(admin: Admin, population: Population) -> None:
    first, second = population.sample_rrns(2)
    await access(admin.hub, first, official="kim.01")
    await access(admin.hub, second, official="kim.01")
    await access(admin.hub, first, agency="BAI", purpose="audit_inspection", official="kim.01")
    await access(admin.hub, first, official="lee.07")
    body = await audit(
        admin,
        """{ officialActivity(official: "kim.01", first: 2) {
               official total counts { agency purpose outcome count }
               entries { items { official agency } nextCursor } } }""",
    )
    activity = body["data"]["officialActivity"]
    assert activity["official"] == "kim.01" and activity["total"] == 3
    assert activity["counts"] == [
        {"agency": "BAI", "purpose": "audit_inspection", "outcome": "released", "count": 1},
        {"agency": AGENCY, "purpose": PURPOSE, "outcome": "released", "count": 2},
    ]
    assert [e["agency"] for e in activity["entries"]["items"]] == ["BAI", AGENCY]
    assert activity["entries"]["nextCursor"] is not None
    body = await audit(admin, '{ officialActivity(official: "kim.01", agency: "BAI") { total } }')
    assert body["data"]["officialActivity"]["total"] == 1


def _head(data: dict[str, Any]) -> SignedTreeHead:
    return SignedTreeHead.from_json(
        {
            "size": data["size"],
            "root_hash": data["rootHash"],
            "timestamp_ms": data["timestampMs"],
            "key_id": data["keyId"],
            "signature": data["signature"],
        }
    )


async def test_heads_and_proofs_verify_offline(admin: Admin, population: Population) -> None:
    body = await audit(admin, f"{{ latestTreeHead {{ {HEAD} }} }}", case=None)
    assert body == {"data": {"latestTreeHead": None}}
    await _fill(admin, population.sample_rrns(5))
    sign = f"mutation {{ signTreeHead {{ {HEAD} }} }}"
    old = (await audit(admin, sign, case=None))["data"]["signTreeHead"]
    await _fill(admin, population.sample_rrns(6)[:4], case="CASE-2")
    new = (await audit(admin, sign, case=None))["data"]["signTreeHead"]
    body = await audit(admin, f"{{ latestTreeHead {{ {HEAD} }} auditPublicKey }}", case=None)
    assert body["data"]["latestTreeHead"] == new
    public_key = load_public_key(body["data"]["auditPublicKey"])
    assert old["size"] == 5 and new["size"] == 9  # the signing itself logs nothing
    assert verify_head(public_key, _head(old)) and verify_head(public_key, _head(new))

    proof_query = """query($s: Long!, $n: Long!) { inclusionProof(seq: $s, treeSize: $n) {
                         leafIndex treeSize leafHash auditPath rootHash } }"""
    proof = (await audit(admin, proof_query, {"s": 3, "n": 9}))["data"]["inclusionProof"]
    assert proof["rootHash"] == new["rootHash"] and proof["leafIndex"] == 3
    [entry] = [e for e in await search(admin, kind="access") if e["seq"] == 3]
    assert proof["leafHash"] == entry["leafHash"]
    path = [bytes.fromhex(p) for p in proof["auditPath"]]
    assert verify_inclusion(
        bytes.fromhex(proof["leafHash"]), 3, 9, path, bytes.fromhex(new["rootHash"])
    )

    query = """{ consistencyProof(fromSize: 5, toSize: 9) { fromSize toSize proof
                 fromRoot toRoot } }"""
    consistency = (await audit(admin, query))["data"]["consistencyProof"]
    assert (consistency["fromRoot"], consistency["toRoot"]) == (old["rootHash"], new["rootHash"])
    assert verify_consistency(
        5,
        9,
        bytes.fromhex(old["rootHash"]),
        bytes.fromhex(new["rootHash"]),
        [bytes.fromhex(p) for p in consistency["proof"]],
    )


@pytest.mark.parametrize(
    "query",
    [
        "{ inclusionProof(seq: 2, treeSize: 2) { rootHash } }",
        "{ inclusionProof(seq: -1, treeSize: 2) { rootHash } }",
        "{ inclusionProof(seq: 0, treeSize: 1000) { rootHash } }",
        "{ consistencyProof(fromSize: 0, toSize: 2) { proof } }",
        "{ consistencyProof(fromSize: 3, toSize: 2) { proof } }",
        "{ consistencyProof(fromSize: 1, toSize: 1000) { proof } }",
        "{ exportRange(first: 2, last: 1) }",
        "{ exportRange(first: 0, last: 1000) }",
    ],
)
async def test_proofs_and_exports_outside_the_log_are_refused(
    admin: Admin, population: Population, query: str
) -> None:
    await _fill(admin, population.sample_rrns(3))
    body = await audit(admin, query)
    assert codes(body) == ["INVALID_ARGUMENT"], body
    assert body["data"] is None


async def test_a_range_exports_with_a_head_that_covers_it(
    admin: Admin, population: Population
) -> None:
    await _fill(admin, population.sample_rrns(6))
    text = (await audit(admin, "{ exportRange(first: 2, last: 5) }"))["data"]["exportRange"]
    assert text.endswith("\n")
    header, *entries = [json.loads(line) for line in text.splitlines()]
    assert header["type"] == "header" and (header["first"], header["last"]) == (2, 5)
    head = SignedTreeHead.from_json(header["tree_head"])
    key = (await audit(admin, "{ auditPublicKey }", case=None))["data"]["auditPublicKey"]
    public_key = load_public_key(key)
    assert head.size == 5 and verify_head(public_key, head)
    assert [e["seq"] for e in entries] == [2, 3, 4]
    assert {e["kind"] for e in entries} == {"access"}
    report = verify_export(text.splitlines(), public_key)
    assert report.ok, report.summary()


QUERIES_BY_ROLE = {
    "auditor": [
        SEARCH,
        '{ officialActivity(official: "kim.01") { total } }',
        f"{{ latestTreeHead {{ {HEAD} }} }}",
        "{ auditPublicKey }",
        "{ auditPublicKeys }",
        "{ inclusionProof(seq: 0, treeSize: 1) { rootHash } }",
        "{ consistencyProof(fromSize: 1, toSize: 1) { proof } }",
        "{ exportRange(first: 0, last: 0) }",
        f"mutation {{ signTreeHead {{ {HEAD} }} }}",
        '{ auditAccessSeries(from: "2026-11-01", to: "2026-11-02") { count } }',
        '{ auditRefusalSeries(from: "2026-11-01", to: "2026-11-02") { count } }',
        '{ officialActivitySeries(official: "kim.01", from: "2026-11-01", to: "2026-11-02") '
        "{ count } }",
        "{ treeHeads { nextCursor } }",
        "{ entryInclusion(seq: 0) { verified } }",
    ],
    "officer": [
        "{ policyVersions { version } }",
        '{ simulate(agency: "LOCAL_WELFARE", purpose: "x", rrn: "8503142123456") '
        "{ wouldBeRefused } }",
        "mutation { approvePolicyVersion(version: 1) { version } }",
    ],
    "consent channel": ['{ consents(rrn: "8503142123456") { id } }'],
    "citizen": ['{ accessReport(rrn: "8503142123456") { when } }'],
}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.AUDITOR, {"auditor"}),
        (Role.PRIVACY_OFFICER, {"officer", "consent channel"}),
        (Role.CONSENT_MANAGER, {"consent channel"}),
        (Role.CITIZEN_PORTAL, {"citizen"}),
    ],
)
async def test_auditors_and_officers_do_not_share_fields(
    admin: Admin, role: Role, allowed: set[str]
) -> None:
    """Each role reaches only its own fields: no auditor field for an officer, and back."""
    tokens = {
        Role.AUDITOR: auditor_token(admin),
        Role.PRIVACY_OFFICER: admin.token(),
        Role.CONSENT_MANAGER: admin.desk_token(),
        Role.CITIZEN_PORTAL: portal_token(admin),
    }
    for group, queries in QUERIES_BY_ROLE.items():
        if group in allowed:
            continue
        for query in queries:
            body = await audit(admin, query, token=tokens[role])
            assert codes(body) == ["FORBIDDEN_ROLE"], (role, query)
            assert not any((body["data"] or {}).values())  # null, or the nullable field null
