"""The catalog's declarations: counts, invariants the rest of the hub relies on, validation."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from hub.catalog import (
    Agency,
    Catalog,
    CatalogError,
    Field,
    Group,
    InfoType,
    Kind,
    Purpose,
    Sensitivity,
    Source,
    Transport,
    load_catalog,
    types_income,
)
from hub.catalog.agencies import AGENCIES, PURPOSES
from hub.catalog.sources import SOURCES

REQUIRED_TYPES = (
    "residentRegistration",
    "householdComposition",
    "familyRelations",
    "deathRecord",
    "entryExit",
    "earnedIncome",
    "businessIncome",
    "financialIncome",
    "rentalIncome",
    "nationalPension",
    "civilServicePension",
    "teachersPension",
    "militaryPension",
    "unemploymentBenefit",
    "land",
    "buildings",
    "housing",
    "vehicles",
    "leaseDeposits",
    "financialAssets",
    "debts",
    "healthInsuranceQualification",
    "healthInsurancePremium",
    "longTermCareGrade",
    "disabilityRegistration",
    "veteranStatus",
    "livelihoodSecurityQualification",
    "singleParentFamily",
    "schoolEnrolment",
    "publicRentalHousing",
    "benefitReceiptHistory",
    "incomeRecognitionAmount",
)
NUMERIC = (Kind.WON, Kind.INT, Kind.AREA_M2, Kind.PERCENT)


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", name).lower()


def test_load_catalog_is_built_once(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_counts(catalog: Catalog) -> None:
    assert len(catalog.info_types) == 54
    assert len(catalog.agencies) == 18
    assert len(catalog.sources) >= 18


def test_every_group_is_populated_and_types_are_in_group_order(catalog: Catalog) -> None:
    groups = [t.group for t in catalog.info_types]
    assert set(groups) == set(Group)
    order = list(Group)
    assert groups == sorted(groups, key=order.index)


def test_required_types_are_declared(catalog: Catalog) -> None:
    missing = [name for name in REQUIRED_TYPES if not catalog.has_info_type(name)]
    assert missing == []


def test_sources_codes_and_ownership(catalog: Catalog) -> None:
    for source in catalog.sources:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]{1,15}", source.code), source.code
        assert catalog.types_of(source.code), f"{source.code} owns nothing"
    sql = [s for s in catalog.sources if s.transport is Transport.SQL]
    assert [s.code for s in sql] == ["SSIS"]
    assert catalog.source("NTS").transport is Transport.HTTP


def test_sql_source_types_are_benefits_without_rrn_column(catalog: Catalog) -> None:
    ssis_types = catalog.types_of("SSIS")
    assert {"benefitReceiptHistory", "incomeRecognitionAmount"} <= {t.name for t in ssis_types}
    for info_type in ssis_types:
        assert info_type.group is Group.BENEFITS, info_type.name
        columns = [_snake(f.name) for f in info_type.exposed_fields]
        assert "rrn" not in columns
        assert len(columns) == len(set(columns)), info_type.name


def test_benefit_records_shape(catalog: Catalog) -> None:
    history = catalog.info_type("benefitReceiptHistory")
    assert history.many
    assert history.field("programme").kind is Kind.CODE
    assert history.field("amount").kind is Kind.WON
    assert history.field("paidOn").kind is Kind.DATE
    assert history.field("agency").kind is Kind.TEXT
    recognition = catalog.info_type("incomeRecognitionAmount")
    assert not recognition.many
    assert recognition.field("monthlyAmount").kind is Kind.WON
    assert recognition.field("householdSize").kind is Kind.INT
    assert recognition.field("assessedOn").kind is Kind.DATE


def test_resident_registration_fields(catalog: Catalog) -> None:
    rr = catalog.info_type("residentRegistration")
    assert rr.source == "MOIS"
    assert rr.group is Group.IDENTITY_HOUSEHOLD
    assert not rr.many
    expected = {
        "registrationNumber": Kind.TEXT,
        "name": Kind.TEXT,
        "birthDate": Kind.DATE,
        "sex": Kind.CODE,
        "province": Kind.TEXT,
        "district": Kind.TEXT,
        "address": Kind.TEXT,
        "registrationStatus": Kind.CODE,
        "movedInDate": Kind.DATE,
    }
    assert {f.name: f.kind for f in rr.fields} == expected
    assert rr.field("sex").choices == ("M", "F")


def test_household_composition_fields(catalog: Catalog) -> None:
    hc = catalog.info_type("householdComposition")
    assert hc.source == "MOIS"
    assert hc.field("householdId").kind is Kind.TEXT
    count = hc.field("memberCount")
    assert (count.kind, count.low, count.high) == (Kind.INT, 1, 8)
    relationship = hc.field("relationshipToHead")
    assert relationship.kind is Kind.CODE
    assert {"HEAD", "SPOUSE", "CHILD", "PARENT", "OTHER"} <= set(relationship.choices)
    assert hc.field("isHead").kind is Kind.BOOL
    members = hc.field("members")
    assert members.kind is Kind.MEMBERS
    assert not members.exposed
    assert members not in hc.exposed_fields
    assert members.description == (
        "household members' registration numbers and relationships (internal)"
    )


def test_members_kind_only_in_household_composition(catalog: Catalog) -> None:
    holders = [t.name for t in catalog.info_types if any(f.kind is Kind.MEMBERS for f in t.fields)]
    assert holders == ["householdComposition"]


def test_death_record_is_single_valued(catalog: Catalog) -> None:
    death = catalog.info_type("deathRecord")
    assert not death.many
    assert death.field("dateOfDeath").kind is Kind.DATE


def test_list_valued_types(catalog: Catalog) -> None:
    many = {t.name for t in catalog.info_types if t.many}
    expected = {
        "land",
        "buildings",
        "vehicles",
        "leaseDeposits",
        "financialAssets",
        "debts",
        "benefitReceiptHistory",
        "entryExit",
    }
    assert expected <= many


def test_special_categories_are_sensitive(catalog: Catalog) -> None:
    for name in (
        "disabilityRegistration",
        "longTermCareGrade",
        "familyRelations",
        "incarceration",
        "disabilityPension",
    ):
        assert catalog.info_type(name).sensitivity is Sensitivity.SENSITIVE, name
    assert catalog.info_type("schoolEnrolment").sensitivity is Sensitivity.INTERNAL
    assert catalog.info_type("earnedIncome").sensitivity is Sensitivity.PERSONAL


def test_type_declarations_are_complete(catalog: Catalog) -> None:
    for t in catalog.info_types:
        assert t.title.strip(), t.name
        assert t.description.strip(), t.name
        assert catalog.source(t.source) in catalog.sources
        assert re.search(r"Art\. \d", t.legal_basis), t.name
        assert 3 <= len(t.exposed_fields) <= 9, t.name


def test_field_declarations_are_plausible(catalog: Catalog) -> None:
    for t in catalog.info_types:
        for f in t.fields:
            where = f"{t.name}.{f.name}"
            assert f.description.strip(), where
            if f.kind in NUMERIC:
                assert f.low is not None, where
                assert f.high is not None, where
                assert f.low < f.high, where
            else:
                assert f.low is None, where
                assert f.high is None, where
            if f.kind is Kind.CODE:
                assert len(f.choices) == len(set(f.choices)) >= 2, where


def test_units_follow_kinds(catalog: Catalog) -> None:
    units = {f.kind: f.unit for t in catalog.info_types for f in t.fields}
    assert units[Kind.WON] == "KRW"
    assert units[Kind.AREA_M2] == "m2"
    assert units[Kind.PERCENT] == "%"
    assert units[Kind.DATE] is None


def test_agencies_declare_purposes_from_the_shared_vocabulary(catalog: Catalog) -> None:
    used: set[str] = set()
    for agency in catalog.agencies:
        assert 2 <= len(agency.purposes) <= 5, agency.code
        for purpose in agency.purposes:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", purpose.code), purpose.code
            assert PURPOSES[purpose.code] is purpose
            used.add(purpose.code)
    assert used == set(PURPOSES)
    shared = [code for code in PURPOSES if sum(a.purpose(code) is not None for a in AGENCIES) > 1]
    assert "periodic_reverification" in shared


def test_agency_lookup(catalog: Catalog) -> None:
    agency = catalog.agency("LOCAL_WELFARE")
    assert agency is not None
    assert (
        agency.purpose("basic_livelihood_eligibility") is PURPOSES["basic_livelihood_eligibility"]
    )
    assert agency.purpose("student_aid_eligibility") is None
    assert catalog.agency("NOPE") is None


# --- validation of broken catalogs ---------------------------------------------------------


def _one_type(**changes: object) -> InfoType:
    base = InfoType(
        name="widget",
        title="Widget",
        group=Group.ASSETS,
        description="a test type",
        source="SRC",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Test Act, Art. 1",
        fields=(Field("value", Kind.WON, "value", low=0, high=10),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


_SRC = (Source("SRC", "Test source", "a test source"),)


def test_minimal_catalog_is_valid() -> None:
    catalog = Catalog((_one_type(),), _SRC, ())
    assert catalog.types_of("SRC") == (catalog.info_type("widget"),)


def test_unknown_source_is_rejected() -> None:
    with pytest.raises(CatalogError, match=r"'widget'.*unknown source 'GHOST'"):
        Catalog((_one_type(source="GHOST"),), _SRC, ())


def test_duplicate_type_is_rejected() -> None:
    with pytest.raises(CatalogError, match=r"information type 'widget' is declared twice"):
        Catalog((_one_type(), _one_type(title="Again")), _SRC, ())


def test_code_field_without_choices_is_rejected() -> None:
    broken = _one_type(fields=(Field("status", Kind.CODE, "a status"),))
    with pytest.raises(CatalogError, match=r"widget\.status"):
        Catalog((broken,), _SRC, ())


def test_choices_on_a_non_code_field_are_rejected() -> None:
    broken = _one_type(fields=(Field("label", Kind.TEXT, "a label", choices=("A", "B")),))
    with pytest.raises(CatalogError, match=r"widget\.label"):
        Catalog((broken,), _SRC, ())


def test_source_without_types_is_rejected() -> None:
    idle = Source("IDLE", "Idle source", "owns nothing")
    with pytest.raises(CatalogError, match=r"source 'IDLE' owns no information type"):
        Catalog((_one_type(),), (*_SRC, idle), ())


def test_duplicate_purpose_in_an_agency_is_rejected() -> None:
    purpose = Purpose("audit", "Audit", "an audit")
    agency = Agency("AUD", "Auditor", "audits", (purpose, purpose))
    with pytest.raises(CatalogError, match=r"purpose of agency AUD 'audit'"):
        Catalog((_one_type(),), _SRC, (agency,))


def test_load_catalog_rejects_a_type_in_the_wrong_group_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    misplaced = _one_type(name="strayType", source="NTS", group=Group.ASSETS)
    monkeypatch.setattr(types_income, "TYPES", (*types_income.TYPES, misplaced))
    load_catalog.cache_clear()
    try:
        with pytest.raises(CatalogError, match=r"'strayType'.*types_income"):
            load_catalog()
    finally:
        load_catalog.cache_clear()


def test_shipped_sources_and_agencies_are_the_catalogs(catalog: Catalog) -> None:
    assert catalog.sources == SOURCES
    assert catalog.agencies == AGENCIES
