"""Replaying recorded requests under a proposal: the gate's decision, twice, and the differences."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hub.catalog import load_catalog
from policies.compiled import CompiledPolicy, compile_policy
from policies.decision import AccessRequest, Limits
from policies.document import parse_document, read_baseline
from policies.replay import FieldChange, RecordedRequest, replay

CATALOG = load_catalog()
BASELINE = read_baseline()
ACTIVE = compile_policy(BASELINE, CATALOG, 1)
AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
AT = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)


def _limits(request: AccessRequest) -> Limits:
    return Limits(max_persons=100)


def _proposal(change: Any) -> CompiledPolicy:
    data = copy.deepcopy(BASELINE.as_json())
    agency = next(a for a in data["agencies"] if a["agency"] == AGENCY)
    change(next(g for g in agency["grants"] if g["purpose"] == PURPOSE))
    return compile_policy(parse_document(data), CATALOG, 0)


def _request(
    rid: str, selected: dict[str, set[str]], *, persons: int = 1, purpose: str = PURPOSE
) -> RecordedRequest:
    return RecordedRequest(
        rid, AT, AccessRequest(agency=AGENCY, purpose=purpose, selected=selected, persons=persons)
    )


REQUESTS = [
    _request("income-1", {"earnedIncome": {"year", "annualAmount"}}),
    _request("name-1", {"residentRegistration": {"name"}}),
    _request("income-2", {"earnedIncome": {"annualAmount"}, "residentRegistration": {"name"}}),
    _request("birth-1", {"residentRegistration": {"birthDate"}}),
    _request("refused-1", {"residentRegistration": {"nope"}}),
]


def _drop_annual_amount(grant: dict[str, Any]) -> None:
    del grant["types"]["earnedIncome"]["fields"]["annualAmount"]


def test_a_removed_field_refuses_exactly_the_requests_that_asked_for_it() -> None:
    report = replay(CATALOG, ACTIVE, _proposal(_drop_annual_amount), AGENCY, REQUESTS, _limits)
    assert report.newly_refused_requests == ("income-1", "income-2")
    assert report.newly_refused_by_code == {"POLICY_REFUSED": 2}
    outcomes = report.outcomes
    assert (outcomes.considered, outcomes.refused_now, outcomes.refused_proposed) == (5, 1, 3)
    assert (outcomes.newly_refused, outcomes.newly_allowed) == (2, 0)
    assert report.field_changes == (FieldChange("earnedIncome", "annualAmount", "full", None, 2),)
    assert str(report.field_changes[0]) == "earnedIncome.annualAmount: withheld (was full)"


def test_a_form_change_is_reported_with_the_requests_it_touches() -> None:
    def coarsen(grant: dict[str, Any]) -> None:
        grant["types"]["residentRegistration"]["fields"]["birthDate"] = "birthYear"

    report = replay(CATALOG, ACTIVE, _proposal(coarsen), AGENCY, REQUESTS, _limits)
    (change,) = report.field_changes
    assert (change.kind, str(change)) == (
        "form",
        "residentRegistration.birthDate: full → birthYear",
    )
    assert change.requests == 1
    # The request selecting birthDate itself is refused: a form is a field of its own.
    assert report.newly_refused_requests == ("birth-1",)


def test_a_newly_granted_field_allows_the_requests_refused_for_it() -> None:
    asked = _request("year-1", {"residentRegistration": {"birthDate"}})
    active = _proposal(lambda g: g["types"]["residentRegistration"]["fields"].pop("birthDate"))
    report = replay(CATALOG, active, ACTIVE, AGENCY, [asked], _limits)
    assert report.newly_allowed_requests == ("year-1",)
    assert report.outcomes.newly_allowed == 1
    assert [str(c) for c in report.field_changes] == [
        "residentRegistration.birthDate: newly released (full)"
    ]


def test_a_lower_person_limit_refuses_the_larger_requests() -> None:
    def fewer(grant: dict[str, Any]) -> None:
        grant["max_persons"] = 5

    requests = [
        _request("ten", {"residentRegistration": {"name"}}, persons=10),
        _request("three", {"residentRegistration": {"name"}}, persons=3),
    ]
    report = replay(CATALOG, ACTIVE, _proposal(fewer), AGENCY, requests, _limits)
    assert report.newly_refused_requests == ("ten",)
    assert report.newly_refused_by_code == {"TOO_MANY_PERSONS": 1}
    assert report.field_changes == ()


def test_per_purpose_breakdown_lists_every_granted_purpose() -> None:
    other = _request("other", {"residentRegistration": {"name"}}, purpose="near_poor_eligibility")
    report = replay(
        CATALOG, ACTIVE, _proposal(_drop_annual_amount), AGENCY, [*REQUESTS, other], _limits
    )
    purposes = {p.purpose: p for p in report.purposes}
    assert set(purposes) == {g.purpose for g in ACTIVE.grants_of(AGENCY)}
    assert purposes[PURPOSE].outcomes.considered == 5
    assert purposes[PURPOSE].outcomes.newly_refused == 2
    assert purposes["emergency_welfare_support"].outcomes.considered == 0
    assert purposes["emergency_welfare_support"].field_changes == ()
    assert purposes["near_poor_eligibility"].outcomes.considered == 1


def test_other_agencies_requests_are_not_considered_and_examples_are_bounded() -> None:
    foreign = RecordedRequest(
        "bai", AT, AccessRequest(agency="BAI", purpose="audit_inspection", selected={})
    )
    report = replay(
        CATALOG,
        ACTIVE,
        _proposal(_drop_annual_amount),
        AGENCY,
        [*REQUESTS, foreign],
        _limits,
        examples=1,
    )
    assert report.outcomes.considered == 5
    assert report.newly_refused_requests == ("income-1",)
    assert report.outcomes.newly_refused == 2


def test_the_same_policy_changes_nothing() -> None:
    report = replay(CATALOG, ACTIVE, ACTIVE, AGENCY, REQUESTS, _limits)
    assert report.outcomes.refused_now == report.outcomes.refused_proposed == 1
    assert report.newly_refused_requests == report.newly_allowed_requests == ()
    assert report.field_changes == ()
