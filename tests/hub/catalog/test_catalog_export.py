"""The catalog's JSON document and plain-text summary."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.catalog import Catalog, Group, Kind, load_catalog
from hub.catalog.export import catalog_summary, catalog_to_json


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def doc(catalog: Catalog) -> dict[str, Any]:
    exported: dict[str, Any] = catalog_to_json(catalog)
    return exported


def test_top_level_keys(doc: dict[str, Any]) -> None:
    assert set(doc) == {"infoTypes", "sources", "agencies"}
    assert len(doc["infoTypes"]) == 54
    assert len(doc["agencies"]) == 18


def test_round_trips_through_json(doc: dict[str, Any]) -> None:
    assert json.loads(json.dumps(doc)) == doc


def test_info_type_entries(doc: dict[str, Any], catalog: Catalog) -> None:
    keys = {
        "name",
        "title",
        "group",
        "description",
        "source",
        "sensitivity",
        "legalBasis",
        "many",
        "fields",
    }
    for entry in doc["infoTypes"]:
        assert set(entry) == keys
        declared = catalog.info_type(entry["name"])
        assert entry["group"] == declared.group.value
        assert entry["legalBasis"] == declared.legal_basis
        assert entry["many"] is declared.many
        assert [f["name"] for f in entry["fields"]] == [f.name for f in declared.exposed_fields]
    assert {e["group"] for e in doc["infoTypes"]} == {g.value for g in Group}


def test_field_entries(doc: dict[str, Any]) -> None:
    by_name = {e["name"]: e for e in doc["infoTypes"]}
    rr = {f["name"]: f for f in by_name["residentRegistration"]["fields"]}
    assert rr["sex"] == {
        "name": "sex",
        "kind": "code",
        "unit": None,
        "description": "sex as registered",
        "optional": False,
        "choices": ["M", "F"],
    }
    assert "choices" not in rr["name"]
    earned = {f["name"]: f for f in by_name["earnedIncome"]["fields"]}
    assert earned["annualAmount"]["kind"] == Kind.WON.value
    assert earned["annualAmount"]["unit"] == "KRW"
    assert earned["employerName"]["optional"] is True
    land = {f["name"]: f for f in by_name["land"]["fields"]}
    assert land["area"]["unit"] == "m2"


def test_internal_fields_are_not_exported(doc: dict[str, Any]) -> None:
    household = next(e for e in doc["infoTypes"] if e["name"] == "householdComposition")
    names = [f["name"] for f in household["fields"]]
    assert "members" not in names
    assert "householdId" in names
    kinds = {f["kind"] for e in doc["infoTypes"] for f in e["fields"]}
    assert Kind.MEMBERS.value not in kinds


def test_source_entries(doc: dict[str, Any], catalog: Catalog) -> None:
    owned = [name for s in doc["sources"] for name in s["infoTypes"]]
    assert sorted(owned) == sorted(t.name for t in catalog.info_types)
    transports = {s["code"]: s["transport"] for s in doc["sources"]}
    assert transports["SSIS"] == "sql"
    assert [c for c, t in transports.items() if t == "sql"] == ["SSIS"]
    for s in doc["sources"]:
        assert set(s) == {"code", "name", "description", "transport", "infoTypes"}


def test_agency_entries(doc: dict[str, Any]) -> None:
    for agency in doc["agencies"]:
        assert set(agency) == {"code", "name", "description", "purposes"}
        assert 2 <= len(agency["purposes"]) <= 5
        for purpose in agency["purposes"]:
            assert set(purpose) == {"code", "name", "description"}
    local = next(a for a in doc["agencies"] if a["code"] == "LOCAL_WELFARE")
    assert "basic_livelihood_eligibility" in [p["code"] for p in local["purposes"]]


def test_summary(catalog: Catalog) -> None:
    text = catalog_summary(catalog)
    first = text.splitlines()[0]
    assert first == f"54 information types, {len(catalog.sources)} sources, 18 agencies"
    for group in Group:
        count = sum(t.group is group for t in catalog.info_types)
        assert f"{group.value} ({count})" in text
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}
    assert rows["residentRegistration"][1:] == ["MOIS", "personal", "9"]
    assert rows["householdComposition"][1:] == ["MOIS", "personal", "4"]
    assert rows["land"][1:] == ["[many]", "MOLIT", "personal", "7"]
    assert "SSIS [sql]" in text
    for agency in catalog.agencies:
        assert f"  {agency.code} {agency.name}" in text
        for purpose in agency.purposes:
            assert f"- {purpose.code}: {purpose.name}" in text
