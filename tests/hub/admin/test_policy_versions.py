"""Policy versions through the administrative endpoint: list, propose, four eyes, diff."""

from __future__ import annotations

import copy
from typing import Any

from simulator.population import Population
from tests.hub.admin.conftest import OFFICER_B, Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE

VERSIONS = """{ policyVersions { version status reason proposedBy proposedAt
                                 decidedBy decidedAt activatedAt baseVersion } }"""
DOCUMENT = "query($v: Int!) { policyVersion(version: $v) { version status document } }"
PROPOSE = """mutation($d: JSON!, $r: String!, $b: Int!) {
  proposePolicyVersion(document: $d, reason: $r, baseVersion: $b)
}"""
APPROVE = "mutation($v: Int!) { approvePolicyVersion(version: $v) { version status decidedBy } }"
REJECT = "mutation($v: Int!) { rejectPolicyVersion(version: $v) { version status decidedBy } }"
DIFF = "query($a: Int!, $b: Int!) { policyDiff(fromVersion: $a, toVersion: $b) }"
INCOME = "query($r: String!) { person(rrn: $r) { earnedIncome { year annualAmount } } }"


async def _document(admin: Admin, version: int = 1) -> dict[str, Any]:
    body = await admin.run(DOCUMENT, {"v": version})
    document: dict[str, Any] = body["data"]["policyVersion"]["document"]
    return document


def _without_annual_amount(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    agency = next(a for a in changed["agencies"] if a["agency"] == AGENCY)
    grant = next(g for g in agency["grants"] if g["purpose"] == PURPOSE)
    del grant["types"]["earnedIncome"]["fields"]["annualAmount"]
    return changed


async def _propose(
    admin: Admin, document: dict[str, Any], reason: str = "minimise", base: int = 1
) -> int:
    body = await admin.run(PROPOSE, {"d": document, "r": reason, "b": base})
    assert "errors" not in body, body
    version: int = body["data"]["proposePolicyVersion"]
    return version


async def test_the_baseline_is_version_one_and_active(admin: Admin) -> None:
    [baseline] = (await admin.run(VERSIONS))["data"]["policyVersions"]
    assert baseline["version"] == 1
    assert baseline["status"] == "ACTIVE"
    assert baseline["proposedBy"] == baseline["decidedBy"] == "baseline"
    assert baseline["activatedAt"] is not None
    assert baseline["baseVersion"] is None
    document = await _document(admin)
    assert AGENCY in {a["agency"] for a in document["agencies"]}


async def test_an_invalid_proposal_lists_every_offender(admin: Admin) -> None:
    document = await _document(admin)
    grant = document["agencies"][0]["grants"][0]
    grant["types"]["earnedIncome"] = {"fields": {"salary": "full"}}
    grant["types"]["noSuchType"] = {"fields": {}}
    body = await admin.run(PROPOSE, {"d": document, "r": "typo", "b": 1})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "POLICY_INVALID"
    problems = error["extensions"]["problems"]
    assert "unknown field earnedIncome.salary" in problems
    assert any("noSuchType" in p for p in problems)
    # A document that is not even a policy document says where it breaks.
    body = await admin.run(PROPOSE, {"d": {"agencies": [{"agency": AGENCY}]}, "r": "x", "b": 1})
    assert codes(body) == ["POLICY_INVALID"]
    assert "agencies.0.grants" in body["errors"][0]["extensions"]["problems"][0]
    # Nothing was recorded.
    assert len((await admin.run(VERSIONS))["data"]["policyVersions"]) == 1


async def test_a_proposal_needs_a_reason(admin: Admin) -> None:
    body = await admin.run(PROPOSE, {"d": await _document(admin), "r": "  ", "b": 1})
    assert codes(body) == ["VERSION_ERROR"]


async def test_four_eyes_then_the_agencies_endpoint_enforces_at_once(
    admin: Admin, population: Population
) -> None:
    hub = admin.hub
    rrn = population.sample_rrns(1)[0]
    # The agency's request loads (and caches) version 1.
    assert "errors" not in await hub.query(INCOME, {"r": rrn})

    version = await _propose(admin, _without_annual_amount(await _document(admin)))
    assert version == 2
    body = await admin.run(APPROVE, {"v": version})
    assert codes(body) == ["VERSION_ERROR"]
    assert "proposer cannot" in body["errors"][0]["message"]
    # Still version 1 in force.
    assert "errors" not in await hub.query(INCOME, {"r": rrn})

    body = await admin.run(APPROVE, {"v": version}, token=admin.token(OFFICER_B))
    assert body["data"]["approvePolicyVersion"] == {
        "version": 2,
        "status": "ACTIVE",
        "decidedBy": OFFICER_B,
    }
    refused = await hub.query(INCOME, {"r": rrn})
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "POLICY_REFUSED"
    assert error["extensions"]["fields"] == ["earnedIncome.annualAmount"]
    assert error["extensions"]["policyVersion"] == 2
    assert hub.calls() == {earned_income_source(admin): 2}

    diff = await admin.run(DIFF, {"a": 1, "b": 2})
    assert diff["data"]["policyDiff"] == [f"{AGENCY} loses earnedIncome.annualAmount for {PURPOSE}"]

    listed = {v["version"]: v for v in (await admin.run(VERSIONS))["data"]["policyVersions"]}
    assert listed[1]["status"] == "SUPERSEDED"
    assert listed[2]["status"] == "ACTIVE"
    assert listed[2]["proposedBy"] == "officer.a"
    assert listed[2]["baseVersion"] == 1
    assert listed[2]["reason"] == "minimise"
    assert listed[2]["decidedAt"] is not None and listed[2]["activatedAt"] is not None


def earned_income_source(admin: Admin) -> str:
    """The source institution of earnedIncome (called once per allowed request)."""
    catalog = admin.hub.app.state.services.catalog
    source: str = catalog.info_type("earnedIncome").source
    return source


async def test_a_rejected_version_never_activates(admin: Admin) -> None:
    version = await _propose(admin, await _document(admin), "same again")
    body = await admin.run(REJECT, {"v": version}, token=admin.token(OFFICER_B))
    assert body["data"]["rejectPolicyVersion"]["status"] == "REJECTED"
    body = await admin.run(APPROVE, {"v": version}, token=admin.token("officer.c"))
    assert codes(body) == ["VERSION_ERROR"]
    [active] = [
        v for v in (await admin.run(VERSIONS))["data"]["policyVersions"] if v["status"] == "ACTIVE"
    ]
    assert active["version"] == 1


async def test_unknown_versions_are_not_found(admin: Admin) -> None:
    for query, variables in (
        (DOCUMENT, {"v": 99}),
        (DIFF, {"a": 1, "b": 99}),
        (APPROVE, {"v": 99}),
    ):
        body = await admin.run(query, variables, token=admin.token(OFFICER_B))
        assert codes(body) == ["NOT_FOUND"], query


async def test_a_proposal_must_name_its_base(admin: Admin) -> None:
    # Defaulting to the active version would take whatever is active when the
    # mutation arrives, not what the officer edited: the revert this prevents.
    body = await admin.run(
        'mutation($d: JSON!) { proposePolicyVersion(document: $d, reason: "x") }',
        {"d": await _document(admin)},
    )
    [error] = body["errors"]
    assert "baseVersion" in error["message"] and "required" in error["message"]
    assert len((await admin.run(VERSIONS))["data"]["policyVersions"]) == 1


async def test_approving_a_stale_proposal_is_refused_and_changes_nothing(admin: Admin) -> None:
    baseline = await _document(admin)
    newer = await _propose(admin, _without_annual_amount(baseline), "minimise")
    # Another officer's edit of version 1, made before `newer` was approved:
    # approving it now would give annualAmount back.
    stale = await _propose(admin, baseline, "unrelated edit", base=1)
    approved = await admin.run(APPROVE, {"v": newer}, token=admin.token(OFFICER_B))
    assert approved["data"]["approvePolicyVersion"]["status"] == "ACTIVE"

    body = await admin.run(APPROVE, {"v": stale}, token=admin.token(OFFICER_B))
    assert codes(body) == ["POLICY_BASE_STALE"]
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "POLICY_BASE_STALE",
        "version": stale,
        "baseVersion": 1,
        "activeVersion": newer,
    }
    assert f"version {newer} is active now" in error["message"]
    assert f"propose it again on top of version {newer}" in error["message"]
    assert body["data"] is None
    listed = {v["version"]: v for v in (await admin.run(VERSIONS))["data"]["policyVersions"]}
    assert {v: listed[v]["status"] for v in listed} == {
        1: "SUPERSEDED",
        newer: "ACTIVE",
        stale: "PROPOSED",
    }
    assert listed[stale]["decidedBy"] is None

    # Re-proposed on top of the active version, the change can be approved.
    again = await _propose(admin, await _document(admin, newer), "unrelated edit", base=newer)
    body = await admin.run(APPROVE, {"v": again}, token=admin.token(OFFICER_B))
    assert body["data"]["approvePolicyVersion"]["status"] == "ACTIVE"


async def test_a_proposal_on_an_old_version_is_refused(admin: Admin) -> None:
    newer = await _propose(admin, _without_annual_amount(await _document(admin)))
    await admin.run(APPROVE, {"v": newer}, token=admin.token(OFFICER_B))
    body = await admin.run(PROPOSE, {"d": await _document(admin), "r": "x", "b": 1})
    assert codes(body) == ["POLICY_BASE_STALE"]
    assert body["errors"][0]["extensions"]["activeVersion"] == newer
    assert body["errors"][0]["extensions"]["baseVersion"] == 1
    assert len((await admin.run(VERSIONS))["data"]["policyVersions"]) == 2
