"""The reviewed baseline policy: complete, valid against the catalog, minimising.

The negative tests break a copy of one agency's file in a temporary baseline
directory and check that compiling names the offender.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hub.catalog import Catalog, Kind, load_catalog
from hub.catalog.model import FormKind
from policies.compiled import CompiledPolicy, PolicyError, compile_policy
from policies.document import (
    BASELINE_DIR,
    FULL,
    ConsentBasis,
    EmptyBaseline,
    PolicyDocument,
    read_baseline,
)

# Purposes that work on many people who have not applied, or on linked records
# only: they never receive an amount of money in full.
COARSE_PURPOSES = frozenset(
    {"blind_spot_outreach", "programme_evaluation", "duplicate_benefit_detection"}
)
# Purposes under which the law needs the full resident registration number,
# and the only ones whose accesses may be hidden from the person.
INVESTIGATIONS = frozenset({"overpayment_recovery", "audit_inspection"})
BROKEN_AGENCY = "LOCAL_WELFARE"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def document() -> PolicyDocument:
    return read_baseline()


@pytest.fixture(scope="module")
def policy(document: PolicyDocument, catalog: Catalog) -> CompiledPolicy:
    return compile_policy(document, catalog, 1)


def test_one_file_per_agency_named_after_it(catalog: Catalog) -> None:
    files = sorted(BASELINE_DIR.glob("*.toml"))
    assert sorted(p.stem for p in files) == sorted(a.code for a in catalog.agencies)
    for path in files:
        assert tomllib.loads(path.read_text(encoding="utf-8"))["agency"] == path.stem


def test_every_declared_purpose_has_exactly_one_grant(
    document: PolicyDocument, policy: CompiledPolicy, catalog: Catalog
) -> None:
    declared = sorted((a.code, p.code) for a in catalog.agencies for p in a.purposes)
    written = sorted((a.agency, g.purpose) for a in document.agencies for g in a.grants)
    assert written == declared  # sorted lists: a duplicate would show twice
    assert sorted(policy.grants) == declared


def test_every_grant_releases_a_field(policy: CompiledPolicy) -> None:
    empty = [key for key, grant in policy.grants.items() if not grant.releases]
    assert empty == []


def test_some_grants_are_suppressed_and_only_investigations(policy: CompiledPolicy) -> None:
    suppressed = [g for g in policy.grants.values() if g.suppressed]
    assert suppressed
    assert {g.purpose for g in suppressed} <= INVESTIGATIONS


def test_consent_is_required_by_some_grants_but_most_are_statutory(
    policy: CompiledPolicy,
) -> None:
    with_consent = [g for g in policy.grants.values() if g.consent_types]
    assert len(with_consent) >= 5
    assert len(with_consent) < len(policy.grants) / 2


def test_consent_basis_is_only_declared_on_released_types(document: PolicyDocument) -> None:
    for agency in document.agencies:
        for grant in agency.grants:
            for name, type_grant in grant.types.items():
                if type_grant.basis is ConsentBasis.CONSENT:
                    released = [r for r in type_grant.fields.values() if r != "denied"]
                    assert released, (agency.agency, grant.purpose, name)


def test_every_form_kind_is_used(policy: CompiledPolicy) -> None:
    used = {
        release.form
        for grant in policy.grants.values()
        for releases in grant.releases.values()
        for release in releases.values()
    }
    assert {str(kind) for kind in FormKind} <= used


def test_full_registration_number_only_for_investigations(policy: CompiledPolicy) -> None:
    full_rrn = [
        key
        for key, grant in policy.grants.items()
        if grant.releases.get("residentRegistration", {}).get("registrationNumber")
    ]
    assert full_rrn
    assert {purpose for _, purpose in full_rrn} <= INVESTIGATIONS


def test_coarse_purposes_never_receive_full_amounts(
    policy: CompiledPolicy, catalog: Catalog
) -> None:
    leaks = [
        f"{grant.agency}/{grant.purpose}: {type_name}.{name}"
        for grant in policy.grants.values()
        if grant.purpose in COARSE_PURPOSES
        for type_name, releases in grant.releases.items()
        for name, release in releases.items()
        if release.form == FULL
        and catalog.info_type(type_name).field(release.source_field).kind is Kind.WON
    ]
    assert leaks == []


def test_programme_evaluation_identifies_no_one(policy: CompiledPolicy) -> None:
    identifying = {
        "registrationNumber",
        "registrationNumberMasked",
        "name",
        "birthDate",
        "address",
        "district",
    }
    evaluations = [g for g in policy.grants.values() if g.purpose == "programme_evaluation"]
    assert evaluations
    for grant in evaluations:
        assert not set(grant.releases.get("residentRegistration", {})) & identifying
        assert not grant.allows("householdComposition", "members")


# --- a broken copy of one file ------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def _to_toml(agency_file: dict[str, Any]) -> str:
    """An agency file as TOML (the shape of policies/baseline/*.toml only)."""
    lines = [f"agency = {_toml_value(agency_file['agency'])}"]
    for grant in agency_file["grants"]:
        lines += ["", "[[grants]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in grant.items() if k != "types"]
        for type_name, type_grant in grant["types"].items():
            lines += ["", f"[grants.types.{type_name}]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in type_grant.items()]
    return "\n".join(lines) + "\n"


def _broken_baseline(tmp_path: Path, breakage: Callable[[dict[str, Any]], None]) -> Path:
    """The whole baseline copied to tmp_path, with one agency's file rewritten."""
    for path in BASELINE_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / f"{BROKEN_AGENCY}.toml"
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    breakage(data)
    target.write_text(_to_toml(data), encoding="utf-8")
    return tmp_path


def _first_grant(data: dict[str, Any]) -> dict[str, Any]:
    grant: dict[str, Any] = data["grants"][0]
    return grant


def _unknown_field(data: dict[str, Any]) -> None:
    _first_grant(data)["types"]["residentRegistration"]["fields"]["shoeSize"] = FULL


def _unknown_type(data: dict[str, Any]) -> None:
    _first_grant(data)["types"]["horoscope"] = {"fields": {"sign": FULL}}


def _unknown_form(data: dict[str, Any]) -> None:
    _first_grant(data)["types"]["earnedIncome"]["fields"]["annualAmount"] = "annualAmountRounded"


def _unknown_agency(data: dict[str, Any]) -> None:
    data["agency"] = "NOT_AN_AGENCY"


def _undeclared_purpose(data: dict[str, Any]) -> None:
    _first_grant(data)["purpose"] = "audit_inspection"  # BAI's, not LOCAL_WELFARE's


def test_an_unchanged_rewrite_still_compiles(tmp_path: Path, catalog: Catalog) -> None:
    # The rewriting itself must not break anything the negative tests rely on.
    directory = _broken_baseline(tmp_path, lambda _: None)
    assert read_baseline(directory) == read_baseline()
    compile_policy(read_baseline(directory), catalog, 2)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_unknown_field, ["unknown field", "residentRegistration.shoeSize"]),
        (_unknown_type, ["unknown information type", "horoscope"]),
        (_unknown_form, ["earnedIncome.annualAmount", "annualAmountRounded"]),
        (_unknown_agency, ["unknown agency", "NOT_AN_AGENCY"]),
        (_undeclared_purpose, [BROKEN_AGENCY, "audit_inspection"]),
    ],
    ids=["unknown-field", "unknown-type", "unknown-form", "unknown-agency", "undeclared-purpose"],
)
def test_a_broken_file_is_rejected_naming_the_offender(
    tmp_path: Path,
    catalog: Catalog,
    breakage: Callable[[dict[str, Any]], None],
    expected: list[str],
) -> None:
    document = read_baseline(_broken_baseline(tmp_path, breakage))
    with pytest.raises(PolicyError) as caught:
        compile_policy(document, catalog, 2)
    [problem] = caught.value.problems
    for part in expected:
        assert part in problem


def test_an_empty_baseline_is_refused_not_installed_as_no_grants(tmp_path: Path) -> None:
    # What a wheel built without its package data would find.
    with pytest.raises(EmptyBaseline, match=r"no agency: no \*\.toml file in"):
        read_baseline(tmp_path)
