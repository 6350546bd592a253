"""Simulation: what an agency would receive, with no source called and nothing released."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.base import BaseConnector, FetchResult
from hub.db.models import AuditEntry
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.conftest import CASE_HEADER, Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE

EMERGENCY = "emergency_welfare_support"
SIMULATE = """query($a: String!, $p: String!, $r: String!, $f: [String!], $v: Int) {
  simulate(agency: $a, purpose: $p, rrn: $r, fields: $f, version: $v) {
    agency purpose policyVersion granted legalBasis maxPersons wouldBeRefused refusal
    refusedFields unknownFields
    infoTypes { infoType source consentRequired consentId hasValidConsent released
                fields { field form derivedFrom } }
  }
}"""
RECORD = "mutation($i: ConsentInput!) { recordConsent(input: $i) { id } }"
ASSETS = "query($r: String!) { person(rrn: $r) { financialAssets { balance } } }"


@dataclass
class Guard:
    """While armed, any call to any of the hub's connectors fails the test."""

    armed: bool = True


@pytest.fixture(autouse=True)
def guard(admin: Admin, monkeypatch: pytest.MonkeyPatch) -> Guard:
    """Arms every connector of the hub (the simulated sources count HTTP calls only)."""
    state = Guard()
    for connector in admin.hub.app.state.services.connectors.values():
        real = connector.fetch

        async def fetch(
            rrns: list[str],
            fields: dict[str, list[str]],
            _real: Callable[..., Awaitable[FetchResult]] = real,
            _c: BaseConnector = connector,
        ) -> FetchResult:
            assert not state.armed, f"a simulation called {_c}"
            return await _real(rrns, fields)

        monkeypatch.setattr(connector, "fetch", fetch)
    return state


async def _simulate(
    admin: Admin,
    rrn: str,
    purpose: str = PURPOSE,
    agency: str = AGENCY,
    fields: list[str] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    variables = {"a": agency, "p": purpose, "r": rrn, "f": fields, "v": version}
    body = await admin.run(SIMULATE, variables, headers=CASE_HEADER)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["simulate"]
    return result


def _types(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["infoType"]: t for t in result["infoTypes"]}


async def _log_entries(database: Database, kind: str) -> int:
    async with database.session() as session:
        stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.kind == kind)
        return int(await session.scalar(stmt) or 0)


async def test_forms_come_from_the_active_grant(
    admin: Admin, population: Population, database: Database
) -> None:
    result = await _simulate(admin, population.sample_rrns(1)[0], EMERGENCY)
    assert result["granted"] and not result["wouldBeRefused"] and result["refusal"] is None
    assert result["policyVersion"] == 1 and result["maxPersons"] == 10
    types = _types(result)
    registry = {f["field"]: f for f in types["residentRegistration"]["fields"]}
    assert registry["birthYear"] == {
        "field": "birthYear",
        "form": "coarsened",
        "derivedFrom": "birthDate",
    }
    assert registry["registrationNumberMasked"]["form"] == "masked"
    assert registry["name"] == {"field": "name", "form": "full", "derivedFrom": None}
    assert "birthDate" not in registry
    income = {f["field"]: f["form"] for f in types["earnedIncome"]["fields"]}
    assert income == {"annualAmountBand": "coarsened", "monthsWorked": "full", "year": "full"}
    assert all(t["released"] and not t["consentRequired"] for t in types.values())
    assert admin.hub.calls() == {}
    # Nothing released, so no agency's access; the officer's look is logged.
    assert await _log_entries(database, "access") == 0
    assert await _log_entries(database, "admin") == 1


async def test_consent_state_refusals_and_nothing_spent(
    admin: Admin, population: Population, database: Database, guard: Guard
) -> None:
    rrn = population.sample_rrns(1)[0]
    asked = [
        "residentRegistration.name",
        "financialAssets.balance",
        "bankruptcy.caseNumber",
        "earnedIncome.salary",
        "nope.x",
    ]
    result = await _simulate(admin, rrn, fields=asked)
    assert result["refusedFields"] == ["bankruptcy.caseNumber"]
    assert result["unknownFields"] == ["earnedIncome.salary", "nope.x"]
    assert result["wouldBeRefused"]
    assets = _types(result)["financialAssets"]
    assert assets["consentRequired"] and not assets["hasValidConsent"] and not assets["released"]
    assert [f["field"] for f in assets["fields"]] == ["balance"]
    assert set(_types(result)) == {"residentRegistration", "financialAssets"}

    body = await admin.run(
        RECORD,
        {
            "i": {
                "rrn": rrn,
                "agency": AGENCY,
                "purpose": PURPOSE,
                "infoTypes": ["financialAssets"],
                "validUntil": "2099-01-01T00:00:00Z",
                "usage": "ONE_TIME",
                "channel": "ONLINE_PORTAL",
            }
        },
        token=admin.desk_token(),
    )
    consent_id = body["data"]["recordConsent"]["id"]
    for _ in range(2):  # simulating does not spend the one-time consent
        result = await _simulate(admin, rrn, fields=["financialAssets.balance"])
        assets = _types(result)["financialAssets"]
        assert assets["consentId"] == consent_id and assets["hasValidConsent"]
        assert assets["released"] and not result["wouldBeRefused"]
    assert admin.hub.calls() == {}
    assert await _log_entries(database, "access") == 0
    assert await _log_entries(database, "admin") == 3

    # The agency's request spends it; the next simulation sees that.
    guard.armed = False
    assert "errors" not in await admin.hub.query(ASSETS, {"r": rrn})
    result = await _simulate(admin, rrn, fields=["financialAssets.balance"])
    assert not _types(result)["financialAssets"]["hasValidConsent"]


async def test_a_proposed_version_can_be_simulated(admin: Admin, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    document = (await admin.run("{ policyVersion(version: 1) { document } }"))["data"][
        "policyVersion"
    ]["document"]
    agency = next(a for a in document["agencies"] if a["agency"] == AGENCY)
    grant = next(g for g in agency["grants"] if g["purpose"] == PURPOSE)
    del grant["types"]["earnedIncome"]["fields"]["annualAmount"]
    body = await admin.run(
        'mutation($d: JSON!) { proposePolicyVersion(document: $d, reason: "try", baseVersion: 1) }',
        {"d": document},
    )
    version = body["data"]["proposePolicyVersion"]
    asked = ["earnedIncome.annualAmount"]
    proposed = await _simulate(admin, rrn, fields=asked, version=version)
    assert proposed["policyVersion"] == version
    assert proposed["refusedFields"] == asked and proposed["wouldBeRefused"]
    active = await _simulate(admin, rrn, fields=asked)
    assert active["policyVersion"] == 1 and not active["wouldBeRefused"]


async def test_no_grant_is_explained(admin: Admin, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    undeclared = await _simulate(admin, rrn, agency="NPS")
    assert not undeclared["granted"] and undeclared["wouldBeRefused"]
    assert "has not declared purpose" in undeclared["refusal"]
    assert undeclared["infoTypes"] == []
    unknown = await _simulate(admin, rrn, agency="NOBODY", fields=["residentRegistration.name"])
    assert unknown["refusedFields"] == ["residentRegistration.name"]
    assert "not a registered consuming agency" in unknown["refusal"]


async def test_bad_input_is_reported(admin: Admin) -> None:
    body = await admin.run(
        SIMULATE, {"a": AGENCY, "p": PURPOSE, "r": "8502302123450"}, headers=CASE_HEADER
    )
    assert codes(body) == ["INVALID_RRN"]
    body = await admin.run(
        SIMULATE, {"a": AGENCY, "p": PURPOSE, "r": "8503142123456", "v": 42}, headers=CASE_HEADER
    )
    assert codes(body) == ["NOT_FOUND"]
