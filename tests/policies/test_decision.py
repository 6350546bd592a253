"""The one decision: pure, ordered, fail-closed, and the same codes the clients see."""

from __future__ import annotations

import dataclasses

import pytest

from hub.catalog import load_catalog
from policies.compiled import CompiledGrant, compile_policy
from policies.decision import AccessRequest, Limits, RefusalCode, decide, person_limit
from policies.document import read_baseline
from policies.testing import grant_everything
from schema import errors

CATALOG = load_catalog()
BASELINE = compile_policy(read_baseline(), CATALOG, 7)
HUB = Limits(max_persons=100)


def _grant(**where: object) -> CompiledGrant:
    for grant in sorted(BASELINE.grants.values(), key=lambda g: (g.agency, g.purpose)):
        if all(getattr(grant, k) == v for k, v in where.items()):
            return grant
    raise AssertionError(f"no baseline grant with {where}")


def _everything(grant: CompiledGrant) -> dict[str, set[str]]:
    return {t: set(r) for t, r in grant.releases.items()}


def _request(grant: CompiledGrant, **changes: object) -> AccessRequest:
    base = AccessRequest(grant.agency, grant.purpose, _everything(grant), persons=1)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_an_allowed_decision_releases_each_selected_field_in_its_granted_form() -> None:
    grant = next(g for g in BASELINE.grants.values() if g.consent_types)
    decision = decide(CATALOG, BASELINE, _request(grant), HUB)
    assert decision.allowed and decision.refusal is None
    assert decision.policy_version == 7 and decision.legal_basis == grant.legal_basis
    for type_name, releases in grant.releases.items():
        for name, release in releases.items():
            assert decision.form(type_name, name) == release.form
    assert decision.consent_types == grant.consent_types
    assert all(decision.needs_consent(t) for t in grant.consent_types)


def test_only_what_is_selected_is_released() -> None:
    grant = _grant(agency="LOCAL_WELFARE", purpose="basic_livelihood_eligibility")
    type_name, releases = sorted(grant.releases.items())[0]
    one = sorted(releases)[0]
    decision = decide(CATALOG, BASELINE, _request(grant, selected={type_name: {one}}), HUB)
    assert dict(decision.releases) == {type_name: {one: releases[one]}}
    assert decision.form(type_name, sorted(releases)[-1]) in (None, releases[one].form)
    other = next(t for t in grant.releases if t != type_name)
    assert not decision.releases_type(other)


@pytest.mark.parametrize(
    ("agency", "purpose", "code"),
    [
        ("NOBODY", "basic_livelihood_eligibility", RefusalCode.AGENCY_NOT_REGISTERED),
        ("LOCAL_WELFARE", "", RefusalCode.PURPOSE_REQUIRED),
        ("LOCAL_WELFARE", "marketing", RefusalCode.PURPOSE_NOT_DECLARED),
    ],
)
def test_who_and_why_are_checked_first(agency: str, purpose: str, code: RefusalCode) -> None:
    request = AccessRequest(agency, purpose, {"residentRegistration": {"name"}}, persons=1)
    decision = decide(CATALOG, BASELINE, request, HUB)
    assert decision.refusal is not None and decision.refusal.code is code


def test_no_grant_no_release() -> None:
    # A policy granting one purpose of the agency; another declared purpose has no grant.
    policy = grant_everything(CATALOG, "LOCAL_WELFARE", "basic_livelihood_eligibility")
    agency = CATALOG.agency("LOCAL_WELFARE")
    assert agency is not None
    purpose = next(p.code for p in agency.purposes if p.code != "basic_livelihood_eligibility")
    request = AccessRequest(agency.code, purpose, {"residentRegistration": {"name"}}, persons=1)
    decision = decide(CATALOG, policy, request, HUB)
    assert decision.refusal is not None
    assert decision.refusal.code is RefusalCode.POLICY_REFUSED
    assert decision.refusal.details["fields"] == ["residentRegistration.name"]
    assert dict(decision.releases) == {} and decision.consent_types == frozenset()
    assert decision.person_limit == 0


def test_one_field_more_refuses_the_whole_operation_and_releases_nothing() -> None:
    grant = _grant(agency="LOCAL_WELFARE", purpose="basic_livelihood_eligibility")
    selected = _everything(grant)
    selected.setdefault("residentRegistration", set()).add("registrationNumber")
    assert not grant.allows("residentRegistration", "registrationNumber")
    decision = decide(CATALOG, BASELINE, _request(grant, selected=selected), HUB)
    assert decision.refusal is not None
    assert decision.refusal.details["fields"] == ["residentRegistration.registrationNumber"]
    assert dict(decision.releases) == {}
    with pytest.raises(KeyError):
        decision.releases["residentRegistration"]


def test_a_type_selected_for_nothing_but_its_typename_needs_a_grant() -> None:
    grant = _grant(agency="LOCAL_WELFARE", purpose="basic_livelihood_eligibility")
    ungranted = next(t.name for t in CATALOG.info_types if t.name not in grant.releases)
    decision = decide(CATALOG, BASELINE, _request(grant, selected={ungranted: set()}), HUB)
    assert decision.refusal is not None and decision.refusal.details["fields"] == [ungranted]


def test_the_person_limit_is_the_grants_within_the_hubs() -> None:
    small = _grant(agency="COMMUNITY_CENTRE", purpose="emergency_welfare_support")
    assert small.max_persons == 10
    assert person_limit(small, HUB) == 10
    large = next(g for g in BASELINE.grants.values() if g.max_persons > HUB.max_persons)
    assert person_limit(large, HUB) == HUB.max_persons
    for grant, limit in ((small, 10), (large, HUB.max_persons)):
        assert decide(CATALOG, BASELINE, _request(grant, persons=limit), HUB).allowed
        over = decide(CATALOG, BASELINE, _request(grant, persons=limit + 1), HUB)
        assert over.refusal is not None and over.refusal.code is RefusalCode.TOO_MANY_PERSONS
        assert dict(over.refusal.details) == {"limit": limit, "found": limit + 1}


def test_unknown_persons_leave_the_person_and_cost_checks_to_the_request() -> None:
    grant = _grant(agency="COMMUNITY_CENTRE", purpose="emergency_welfare_support")
    limits = Limits(max_persons=100, max_cost=1)
    assert decide(CATALOG, BASELINE, _request(grant, persons=None), limits).allowed


def test_the_estimated_cost_is_bounded() -> None:
    grant = _grant(agency="LOCAL_WELFARE", purpose="basic_livelihood_eligibility")
    types = len(grant.releases)
    limits = Limits(max_persons=100, max_cost=types * 3)
    assert decide(CATALOG, BASELINE, _request(grant, persons=3), limits).allowed
    over = decide(CATALOG, BASELINE, _request(grant, persons=4), limits)
    assert over.refusal is not None and over.refusal.code is RefusalCode.QUERY_TOO_COSTLY
    assert over.refusal.details == {"estimate": types * 4, "limit": types * 3}
    walked = decide(
        CATALOG,
        BASELINE,
        _request(grant, persons=1, walks_household=True),
        dataclasses.replace(limits, household_size=4),
    )
    assert walked.refusal is not None and walked.refusal.details["estimate"] == types * 4


def test_the_decision_is_pure_and_immutable() -> None:
    grant = _grant(agency="LOCAL_WELFARE", purpose="basic_livelihood_eligibility")
    request = _request(grant)
    first, second = (decide(CATALOG, BASELINE, request, HUB) for _ in range(2))
    assert first == second
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.refusal = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.releases["x"] = {}  # type: ignore[index]


@pytest.mark.parametrize("code", list(RefusalCode))
def test_each_refusal_code_is_the_error_code_clients_see(code: RefusalCode) -> None:
    from policies.decision import Refusal

    error = errors.refusal_error(Refusal(code, "why", {"limit": 1}))
    assert error.extensions == {"code": code.value, "limit": 1}
