"""Differences between policy documents, in the words a reviewing officer reads."""

from __future__ import annotations

from typing import Any

from hub.catalog import load_catalog
from policies.diff import describe_changes
from policies.document import PolicyDocument, parse_document, read_baseline

AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
OTHER = "emergency_welfare_support"


def _grant(purpose: str = PURPOSE, **changes: Any) -> dict[str, Any]:
    grant: dict[str, Any] = {
        "purpose": purpose,
        "legal_basis": "Act A",
        "max_persons": 100,
        "types": {
            "residentRegistration": {"fields": {"name": "full", "birthDate": "full"}},
            "earnedIncome": {"fields": {"year": "full", "annualAmount": "full"}},
            "financialAssets": {"basis": "consent", "fields": {"balance": "full"}},
        },
    }
    grant.update(changes)
    return grant


def _doc(*grants: dict[str, Any], agency: str = AGENCY) -> PolicyDocument:
    return parse_document({"agencies": [{"agency": agency, "grants": list(grants)}]})


def _describe(old: PolicyDocument, new: PolicyDocument) -> list[str]:
    return describe_changes(old, new, load_catalog())


def _types(**override: Any) -> dict[str, Any]:
    types: dict[str, Any] = dict(_grant()["types"])
    types.update(override)
    return types


def test_identical_documents_have_no_changes() -> None:
    assert _describe(_doc(_grant()), _doc(_grant())) == []
    baseline = read_baseline()
    assert _describe(baseline, baseline) == []


def test_gained_and_lost_fields() -> None:
    old = _doc(_grant(types=_types(earnedIncome={"fields": {"year": "full"}})))
    new = _doc(
        _grant(
            types=_types(
                earnedIncome={"fields": {"year": "full", "annualAmount": "full"}},
                residentRegistration={"fields": {"name": "full"}},
            )
        )
    )
    assert _describe(old, new) == [
        f"{AGENCY} gains earnedIncome.annualAmount (full) for {PURPOSE}",
        f"{AGENCY} loses residentRegistration.birthDate for {PURPOSE}",
    ]
    assert _describe(new, old) == [
        f"{AGENCY} loses earnedIncome.annualAmount for {PURPOSE}",
        f"{AGENCY} gains residentRegistration.birthDate (full) for {PURPOSE}",
    ]


def test_denied_is_the_same_as_left_out() -> None:
    denied = _doc(
        _grant(types=_types(earnedIncome={"fields": {"year": "full", "annualAmount": "denied"}}))
    )
    left_out = _doc(_grant(types=_types(earnedIncome={"fields": {"year": "full"}})))
    assert _describe(denied, left_out) == []
    assert _describe(_doc(_grant()), denied) == [
        f"{AGENCY} loses earnedIncome.annualAmount for {PURPOSE}"
    ]


def test_form_changes_name_both_fields() -> None:
    coarse = _types(
        residentRegistration={"fields": {"name": "full", "birthDate": "birthYear"}},
        earnedIncome={"fields": {"year": "full", "annualAmount": "annualAmountBand"}},
    )
    assert _describe(_doc(_grant()), _doc(_grant(types=coarse))) == [
        f"{AGENCY} now receives earnedIncome.annualAmountBand instead of "
        f"earnedIncome.annualAmount for {PURPOSE}",
        f"{AGENCY} now receives residentRegistration.birthYear instead of "
        f"residentRegistration.birthDate for {PURPOSE}",
    ]


def test_gained_forms_say_what_kind_of_form() -> None:
    old = _doc(_grant(types=_types(residentRegistration={"fields": {"name": "full"}})))
    new = _doc(
        _grant(
            types=_types(residentRegistration={"fields": {"name": "full", "birthDate": "ageYears"}})
        )
    )
    assert _describe(old, new) == [
        f"{AGENCY} gains residentRegistration.ageYears (coarsened form of birthDate) for {PURPOSE}"
    ]


def test_consent_basis_changes() -> None:
    statute = _types(financialAssets={"fields": {"balance": "full"}})
    consent = _types(
        earnedIncome={"basis": "consent", "fields": {"year": "full", "annualAmount": "full"}}
    )
    assert _describe(_doc(_grant()), _doc(_grant(types=statute))) == [
        f"{AGENCY} no longer needs consent for financialAssets for {PURPOSE}"
    ]
    assert _describe(_doc(_grant()), _doc(_grant(types=consent))) == [
        f"{AGENCY} now needs consent for earnedIncome for {PURPOSE}"
    ]


def test_a_new_type_on_consent_says_so_on_each_field() -> None:
    new = _doc(_grant(types=_types(debts={"basis": "consent", "fields": {"outstanding": "full"}})))
    assert _describe(_doc(_grant()), new) == [
        f"{AGENCY} gains debts.outstanding (full, with consent) for {PURPOSE}"
    ]


def test_grant_attributes() -> None:
    old = _doc(_grant())
    new = _doc(_grant(legal_basis="Act B", max_persons=20, max_age_days=7, suppressed=True))
    where = f"{AGENCY}/{PURPOSE}"
    assert _describe(old, new) == [
        f"legal basis of {where} changes from Act A to Act B",
        f"max persons of {where} changes from 100 to 20",
        f"max age of data for {where} changes from 30 to 7 days",
        f"{where} becomes suppressed",
    ]
    assert _describe(new, old)[-1] == f"{where} is no longer suppressed"


def test_whole_grants_gained_and_lost() -> None:
    small = {"residentRegistration": {"fields": {"name": "full"}}}
    old = _doc(_grant())
    new = _doc(_grant(), _grant(OTHER, max_persons=10, types=small))
    assert _describe(old, new) == [
        f"{AGENCY} gains purpose {OTHER} (legal basis: Act A; max persons 10)",
        f"{AGENCY} gains residentRegistration.name (full) for {OTHER}",
    ]
    assert _describe(new, old) == [f"{AGENCY} loses purpose {OTHER}"]


def test_order_is_by_agency_then_purpose_then_type_and_field() -> None:
    old = parse_document({"agencies": []})
    new = parse_document(
        {
            "agencies": [
                {"agency": "NPS", "grants": [_grant("basic_pension_eligibility", types={})]},
                {"agency": AGENCY, "grants": [_grant(OTHER, types={}), _grant(types={})]},
            ]
        }
    )
    assert [line.split(" (")[0] for line in _describe(old, new)] == [
        f"{AGENCY} gains purpose {PURPOSE}",
        f"{AGENCY} gains purpose {OTHER}",
        "NPS gains purpose basic_pension_eligibility",
    ]
    # Deterministic whatever the documents' own order.
    assert _describe(old, new) == _describe(
        old, new.model_copy(update={"agencies": new.agencies[::-1]})
    )


def test_baseline_change_reads_plainly() -> None:
    baseline = read_baseline()
    data = baseline.as_json()
    agency = next(a for a in data["agencies"] if a["agency"] == AGENCY)
    grant = next(g for g in agency["grants"] if g["purpose"] == PURPOSE)
    del grant["types"]["earnedIncome"]["fields"]["annualAmount"]
    grant["max_persons"] = 20
    assert _describe(baseline, parse_document(data)) == [
        f"max persons of {AGENCY}/{PURPOSE} changes from 50 to 20",
        f"{AGENCY} loses earnedIncome.annualAmount for {PURPOSE}",
    ]
