"""An agency asks about a person and gets real data from the real sources."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from hub.catalog import Catalog
from hub.db.session import Database
from hub.identity.rrn import REFORM_DATE, check_digit, make_random_rrn, parse_rrn
from simulator.app import TIMEOUT_SLEEP_S
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory, fields_of

APPLICANT = """query($rrn: String!) {
  person(rrn: $rrn) {
    id
    residentRegistration { name birthDate sex district }
    earnedIncome { annualAmount }
  }
}"""


def _expected(
    population: Population, catalog: Catalog, rrn: str, type_name: str, fields: list[str]
) -> Any:
    return fields_of(population.record(rrn, catalog.info_type(type_name), fields))


async def test_person_returns_the_sources_data(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrn = population.sample_rrns(1)[0]
    body = await hub.query(APPLICANT, {"rrn": rrn})
    assert "errors" not in body, body
    person = body["data"]["person"]
    registration = _expected(
        population, catalog, rrn, "residentRegistration", ["name", "birthDate", "sex", "district"]
    )
    assert person["residentRegistration"] == registration
    assert person["earnedIncome"] == _expected(
        population, catalog, rrn, "earnedIncome", ["annualAmount"]
    )
    assert person["id"].startswith("P") and rrn not in person["id"]
    assert dt.date.fromisoformat(person["residentRegistration"]["birthDate"])


async def test_hyphenated_number_is_the_same_person(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    plain = await hub.query("query($r: String!) { person(rrn: $r) { id } }", {"r": rrn})
    hyphen = await hub.query(
        "query($r: String!) { person(rrn: $r) { id } }", {"r": f"{rrn[:6]}-{rrn[6:]}"}
    )
    assert plain["data"] == hyphen["data"]


async def test_one_type_calls_one_source(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    body = await hub.query(
        "query($r: String!) { person(rrn: $r) { earnedIncome { annualAmount } } }", {"r": rrn}
    )
    assert "errors" not in body, body
    assert hub.calls() == {"NTS": 1}


async def test_hundred_persons_three_types_three_calls(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrns = population.sample_rrns(100)
    query = """query($rrns: [String!]!) {
      persons(rrns: $rrns) {
        earnedIncome { annualAmount }
        nationalPension { monthlyAmount }
        vehicles { registrationNumber }
      }
    }"""
    sources = {catalog.info_type(t).source for t in ("earnedIncome", "nationalPension", "vehicles")}
    assert len(sources) == 3
    body = await hub.query(query, {"rrns": rrns})
    assert "errors" not in body, body["errors"][:3]
    assert len(body["data"]["persons"]) == 100
    assert hub.calls() == dict.fromkeys(sources, 1)
    assert hub.calls("subjects") == dict.fromkeys(sources, 100)
    third = body["data"]["persons"][3]
    assert third["vehicles"] == _expected(
        population, catalog, rrns[3], "vehicles", ["registrationNumber"]
    )


async def test_walk_from_applicant_to_household_incomes(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrn = next(r for r in population.sample_rrns(200) if len(population.household_members(r)) >= 3)
    query = """query($r: String!) {
      person(rrn: $r) {
        household { id members { relationship person { id earnedIncome { annualAmount } } } }
      }
    }"""
    body = await hub.query(query, {"r": rrn})
    assert "errors" not in body, body
    household = body["data"]["person"]["household"]
    members = population.household_members(rrn)
    assert [m["relationship"] for m in household["members"]] == [rel for _, rel in members]
    incomes = [m["person"]["earnedIncome"] for m in household["members"]]
    assert incomes == [
        _expected(population, catalog, r, "earnedIncome", ["annualAmount"]) for r, _ in members
    ]
    assert household["id"].startswith("H")


async def test_sql_source_serves_benefit_records(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    rrns = population.sample_rrns(30)
    query = """query($rrns: [String!]!) {
      persons(rrns: $rrns) { benefitReceiptHistory { programme amount paidOn } }
    }"""
    body = await hub.query(query, {"rrns": rrns})
    assert "errors" not in body, body
    got = [p["benefitReceiptHistory"] for p in body["data"]["persons"]]
    want = [
        _expected(
            population, catalog, r, "benefitReceiptHistory", ["programme", "amount", "paidOn"]
        )
        for r in rrns
    ]

    def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda x: (x["paidOn"], x["programme"], x["amount"]))

    assert [ordered(g) for g in got] == [ordered(w) for w in want]
    assert any(got), "the sample should include someone with benefit records"
    assert hub.calls() == {}, "the SQL source is not an HTTP call"


async def test_slow_source_fails_only_its_own_fields(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    hub.sources.set_fault("NTS", timeout=True)
    started = time.monotonic()
    body = await hub.query(APPLICANT, {"rrn": rrn})
    elapsed = time.monotonic() - started
    assert body["data"]["person"]["earnedIncome"] is None
    assert body["data"]["person"]["residentRegistration"]["name"]
    [error] = body["errors"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "NTS"}
    assert error["path"] == ["person", "earnedIncome"]
    # The source would hold the call for TIMEOUT_SLEEP_S (300 s); a tenth of
    # that shows the hub's timeout cut it off, with room for a busy machine.
    assert elapsed < TIMEOUT_SLEEP_S / 10


async def test_failing_source_is_reported_by_name(hub: Hub, population: Population) -> None:
    rrns = population.sample_rrns(3)
    hub.sources.set_fault("NTS", error_rate=1.0)
    body = await hub.query(
        """query($r: [String!]!) {
          persons(rrns: $r) { residentRegistration { name } earnedIncome { annualAmount } }
        }""",
        {"r": rrns},
    )
    persons = body["data"]["persons"]
    assert all(p["residentRegistration"]["name"] and p["earnedIncome"] is None for p in persons)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"SOURCE_UNAVAILABLE"}
    assert sorted(e["path"][1] for e in body["errors"]) == [0, 1, 2]


async def test_garbage_from_a_source_is_not_passed_on(hub: Hub, population: Population) -> None:
    rrn = population.sample_rrns(1)[0]
    hub.sources.set_fault("NTS", malformed_rate=1.0)
    body = await hub.query(APPLICANT, {"rrn": rrn})
    assert body["data"]["person"]["earnedIncome"] is None
    assert body["data"]["person"]["residentRegistration"] is not None
    [error] = body["errors"]
    assert error["extensions"]["source"] == "NTS"
    assert error["extensions"]["code"] == "SOURCE_INVALID_DATA"


async def test_person_nobody_can_vouch_for_is_not_identified(
    hub: Hub, population: Population
) -> None:
    hub.sources.set_fault("MOIS", error_rate=1.0)
    body = await hub.query(
        "query($r: String!) { person(rrn: $r) { id } }", {"r": population.sample_rrns(1)[0]}
    )
    assert body["data"] == {"person": None}
    assert body["errors"][0]["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "MOIS"}


async def test_unreachable_sql_source_fails_only_its_fields(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    # A database file in a directory that cannot exist: the SQL source is down.
    hub = await hub_factory(database, sql_source_url="sqlite+aiosqlite:////nonexistent/ssis.db")
    body = await hub.query(
        """query($r: String!) {
          person(rrn: $r) {
            residentRegistration { name }
            incomeRecognitionAmount { monthlyAmount }
          }
        }""",
        {"r": population.sample_rrns(1)[0]},
    )
    assert body["data"]["person"]["residentRegistration"]["name"]
    assert body["data"]["person"]["incomeRecognitionAmount"] is None
    assert body["errors"][0]["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "SSIS"}


def _fails_old_check(rrn: str) -> bool:
    return check_digit(rrn[:12]) != int(rrn[12])


def _new_style(population: Population, *, born_since_reform: bool) -> str:
    """A person's number that can only be new-style: it fails the pre-2020 check digit."""
    for index in range(population.size):
        person = population.person_at(index)
        since = person.birth_date >= REFORM_DATE
        if since == born_since_reform and _fails_old_check(person.rrn):
            return person.rrn
    raise AssertionError("the population has no such number")


async def test_numbers_issued_since_the_2020_reform_are_answered(
    hub: Hub, population: Population, catalog: Catalog
) -> None:
    child = _new_style(population, born_since_reform=True)
    reissued = _new_style(population, born_since_reform=False)  # changed after 2020
    for rrn in (child, reissued, f"{child[:6]}-{child[6:]}"):
        body = await hub.query(APPLICANT, {"rrn": rrn})
        assert "errors" not in body, body
        digits = rrn.replace("-", "")
        fields = ["name", "birthDate", "sex", "district"]
        assert body["data"]["person"]["residentRegistration"] == _expected(
            population, catalog, digits, "residentRegistration", fields
        )


async def test_a_list_mixing_both_schemes_is_answered_in_order(
    hub: Hub, population: Population
) -> None:
    old_style = next(r for r in population.sample_rrns(50) if not _fails_old_check(r))
    rrns = [_new_style(population, born_since_reform=True), old_style]
    body = await hub.query(
        "query($r: [String!]!) { persons(rrns: $r) { residentRegistration { birthDate } } }",
        {"r": rrns},
    )
    assert "errors" not in body, body
    births = [p["residentRegistration"]["birthDate"] for p in body["data"]["persons"]]
    assert births == [parse_rrn(r).birth_date.isoformat() for r in rrns]


async def test_an_unknown_new_style_number_is_not_found_rather_than_invalid(
    hub: Hub, population: Population
) -> None:
    stranger = next(
        rrn
        for tail in range(1000)
        if _fails_old_check(rrn := make_random_rrn(dt.date(2024, 2, 29), "F", tail).digits)
        and rrn not in population
    )
    body = await hub.query("query($r: String!) { person(rrn: $r) { id } }", {"r": stranger})
    assert body["data"] == {"person": None}
    assert body["errors"][0]["extensions"]["code"] == "PERSON_NOT_FOUND"
