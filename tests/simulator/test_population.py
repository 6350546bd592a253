"""The synthetic population: reproducible, valid RRNs (both schemes), households, records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from typing import Any

import pytest

from connectors.base import AS_OF
from hub.catalog import load_catalog
from hub.catalog.model import Catalog, Field, InfoType, Kind
from hub.identity.rrn import REFORM_DATE, check_digit, make_rrn, parse_rrn
from simulator.person import REFERENCE_DATE
from simulator.population import Population, _Tails
from simulator.testing import mini_catalog

SIZE = 3000


@pytest.fixture(scope="module")
def population() -> Population:
    return Population(SIZE, seed=7)


@pytest.fixture(scope="module", params=["real", "mini"])
def catalog(request: pytest.FixtureRequest) -> Catalog:
    return load_catalog() if request.param == "real" else mini_catalog()


def _fingerprint(population: Population, catalog: Catalog) -> str:
    """A digest of the RRNs and of every type's records for a sample of persons."""
    digest = hashlib.sha256("\n".join(population.rrns()).encode())
    for rrn in population.sample_rrns(50):
        for info_type in catalog.info_types:
            record = population.record(rrn, info_type)
            digest.update(json.dumps(record, sort_keys=True).encode())
    return digest.hexdigest()


def test_same_seed_gives_same_population() -> None:
    catalog = load_catalog()
    first, second = Population(1000, seed=42), Population(1000, seed=42)
    assert first.rrns() == second.rrns()
    assert first.sample_rrns(20) == second.sample_rrns(20)
    assert _fingerprint(first, catalog) == _fingerprint(second, catalog)


def test_different_seed_gives_different_population() -> None:
    first, second = Population(1000, seed=42), Population(1000, seed=43)
    assert first.rrns() != second.rrns()
    assert len(set(first.rrns()) & set(second.rrns())) < 100


def test_same_seed_same_data_in_another_process() -> None:
    code = (
        "from hub.catalog import load_catalog; from simulator.population import Population;"
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_population import _fingerprint;"
        "print(_fingerprint(Population(1000, seed=42), load_catalog()))"
    )
    here = __file__.rsplit("/", 1)[0]
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, here], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == _fingerprint(Population(1000, seed=42), load_catalog())


def test_rrns_are_valid_unique_and_match_the_person(population: Population) -> None:
    rrns = population.rrns()
    assert len(rrns) == SIZE
    assert len(set(rrns)) == SIZE
    for rrn in rrns:
        parsed = parse_rrn(rrn)
        person = population.person(rrn)
        assert person is not None
        assert person.rrn == rrn
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert dt.date(1900, 1, 1) < person.birth_date <= REFERENCE_DATE


def _fails_the_old_check(rrn: str) -> bool:
    return check_digit(rrn[:12]) != int(rrn[12])


def test_rrns_of_both_schemes(population: Population) -> None:
    since: list[str] = []
    before: list[str] = []
    for index in range(SIZE):
        person = population.person_at(index)
        (since if person.birth_date >= REFORM_DATE else before).append(person.rrn)
    # Everyone born since the reform has six random digits, which pass the old
    # check only by chance, about one time in ten.
    assert len(since) >= 50
    assert sum(map(_fails_the_old_check, since)) > 0.8 * len(since)
    # Before it, old-style numbers all pass; the few changed since then
    # (new-style, about one person in a hundred) mostly fail.
    assert 0 < sum(map(_fails_the_old_check, before)) < 0.03 * len(before)


class _Scripted(random.Random):
    """A generator whose randrange returns the given values in turn."""

    def __init__(self, values: list[int]) -> None:
        super().__init__(0)
        self._values = iter(values)

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        return next(self._values)


def test_new_style_numbers_are_redrawn_rather_than_shared() -> None:
    birth = dt.date(1962, 5, 17)
    # A tail the old scheme can compose (Daegu's prefix 67, a valid check digit).
    old_style = int(make_rrn(birth, "M", 6742, 3).digits[7:])
    tails = _Tails(_Scripted([old_style, 123450, 123450, 654321]))
    assert tails.draw(birth, "M") == "6205171123450"
    assert tails.draw(birth, "M") == "6205171654321"


def test_unknown_rrns(population: Population) -> None:
    existing = population.rrns()[0]
    for rrn in ["0000000000000", "850314-1234567", "abc", "", existing[:-1], f"{existing}0"]:
        assert population.person(rrn) is None
        assert population.household_members(rrn) == []
        assert rrn not in population
    with pytest.raises(KeyError):
        population.record("0000000000000", load_catalog().info_type("earnedIncome"))


def test_households_have_one_head_and_plausible_members(population: Population) -> None:
    households: dict[str, list[Any]] = defaultdict(list)
    for rrn in population.rrns():
        person = population.person(rrn)
        assert person is not None
        households[person.household_id].append(person)
    sizes = Counter(len(members) for members in households.values())
    assert set(sizes) <= {1, 2, 3, 4, 5, 6}
    assert sizes[1] > 0
    assert sizes[4] > 0
    for members in households.values():
        heads = [p for p in members if p.relationship == "HEAD"]
        assert len(heads) == 1
        head = heads[0]
        assert len({p.address for p in members}) == 1
        assert all(p.household_size == len(members) for p in members)
        listed = population.household_members(head.rrn)
        assert listed[0] == (head.rrn, "HEAD")
        assert sorted(listed) == sorted((p.rrn, p.relationship) for p in members)
        assert sum(p.relationship == "SPOUSE" for p in members) <= 1
        parents = [p for p in members if p.relationship in ("HEAD", "SPOUSE")]
        for child in (p for p in members if p.relationship == "CHILD"):
            for parent in parents:
                assert (child.birth_date - parent.birth_date).days > 18 * 365
        for parent in (p for p in members if p.relationship == "PARENT"):
            assert (head.birth_date - parent.birth_date).days > 18 * 365
        assert all(p.age >= 19 for p in parents)


def test_sample_is_deterministic_distinct_and_spread(population: Population) -> None:
    sample = population.sample_rrns(300)
    assert sample == population.sample_rrns(300)
    assert len(set(sample)) == 300
    indices = sorted(p.index for p in map(population.person, sample) if p is not None)
    assert len(indices) == 300
    assert indices[0] < SIZE // 10
    assert indices[-1] > SIZE * 9 // 10
    assert len(population.sample_rrns(SIZE + 10)) == SIZE


def check_value(f: Field, value: Any, birth: dt.date) -> None:
    """Assert `value` is a valid value of field `f` in the wire protocol's JSON shapes."""
    if value is None:
        assert f.optional, f"{f.name} is not optional"
        return
    low = -float("inf") if f.low is None else f.low
    high = float("inf") if f.high is None else f.high
    if f.kind in (Kind.WON, Kind.INT):
        assert type(value) is int, (f.name, value)
        assert low <= value <= high, (f.name, value)
    elif f.kind in (Kind.AREA_M2, Kind.PERCENT):
        assert type(value) in (int, float), (f.name, value)
        assert low <= value <= high, (f.name, value)
        assert round(value, 2) == value
    elif f.kind is Kind.DATE:
        assert dt.date.fromisoformat(value) >= birth, (f.name, value)
    elif f.kind is Kind.BOOL:
        assert type(value) is bool
    elif f.kind is Kind.CODE:
        assert value in f.choices, (f.name, value)
    elif f.kind is Kind.TEXT:
        assert isinstance(value, str)
        assert value
    else:
        assert isinstance(value, list)
        assert all(set(m) == {"rrn", "relationship"} for m in value)


def check_record(info_type: InfoType, record: Any, fields: list[str], birth: dt.date) -> None:
    """Assert `record` has the shape the protocol gives `info_type` with `fields`."""
    records = record if info_type.many else [] if record is None else [record]
    if info_type.many:
        assert isinstance(record, list)
        assert len(record) <= 4
    for one in records:
        assert list(one) == [*fields, AS_OF]
        for name in fields:
            check_value(info_type.field(name), one[name], birth)
        as_of = dt.date.fromisoformat(one[AS_OF])
        assert as_of <= dt.date.today(), one
        if fields == [f.name for f in info_type.fields]:
            # Established after what it records (deadlines aside).
            dates = [v for f in info_type.fields if f.kind is Kind.DATE and (v := one[f.name])]
            assert all(d <= one[AS_OF] for d in dates if d <= dt.date.today().isoformat())


def test_records_have_the_requested_fields_and_valid_values(
    population: Population, catalog: Catalog
) -> None:
    for rrn in population.sample_rrns(150):
        person = population.person(rrn)
        assert person is not None
        for info_type in catalog.info_types:
            everything = [f.name for f in info_type.fields]
            full = population.record(rrn, info_type)
            check_record(info_type, full, everything, person.birth_date)
            some = everything[1::2] or everything
            part = population.record(rrn, info_type, some)
            check_record(info_type, part, some, person.birth_date)
            # A value never depends on which other fields were asked for.
            kept = [*some, AS_OF]
            if isinstance(full, list) and isinstance(part, list):
                assert part == [{f: r[f] for f in kept} for r in full]
            elif isinstance(full, dict):
                assert part == {f: full[f] for f in kept}
            else:
                assert part is None


def test_records_vary(population: Population) -> None:
    catalog = load_catalog()
    income = catalog.info_type("earnedIncome")
    amounts = [
        r["annualAmount"]
        for rrn in population.sample_rrns(1000)
        if isinstance(r := population.record(rrn, income), dict)
    ]
    assert len(amounts) > 200
    assert len(set(amounts)) > len(amounts) // 2
    assert sorted(amounts)[len(amounts) // 2] < 150_000_000  # skewed towards small
    vehicles = catalog.info_type("vehicles")
    counts = Counter(len(population.record(rrn, vehicles) or []) for rrn in population.rrns())
    assert counts[0] > 0
    assert counts[1] > 0
    assert max(counts) <= 4


def test_identity_records_agree_with_the_person(population: Population, catalog: Catalog) -> None:
    registration = catalog.info_type("residentRegistration")
    household = catalog.info_type("householdComposition")
    for rrn in population.sample_rrns(200):
        person = population.person(rrn)
        assert person is not None
        record = population.record(rrn, registration)
        assert isinstance(record, dict)
        assert record["name"] == person.name
        assert record["birthDate"] == person.birth_date.isoformat()
        assert record["sex"] == registration.field("sex").choices[person.sex == "F"]
        assert (record["province"], record["district"]) == (person.province, person.district)
        assert record["address"] == person.address
        assert record["movedInDate"] >= record["birthDate"]
        deceased = record["registrationStatus"] == "DECEASED"
        assert deceased == person.deceased
        comp = population.record(rrn, household)
        assert isinstance(comp, dict)
        assert comp["householdId"] == person.household_id
        assert comp["memberCount"] == person.household_size == len(comp["members"])
        assert comp["isHead"] == (person.relationship == "HEAD")
        assert [m["rrn"] for m in comp["members"]] == [
            r for r, _ in population.household_members(rrn)
        ]
        assert {"rrn": rrn, "relationship": comp["relationshipToHead"]} in comp["members"]


def test_rare_records_are_rare(population: Population) -> None:
    catalog = load_catalog()
    death = catalog.info_type("deathRecord")
    disability = catalog.info_type("disabilityRegistration")
    have_death = have_disability = 0
    for rrn in population.rrns():
        person = population.person(rrn)
        assert person is not None
        has_death = population.record(rrn, death) is not None
        assert has_death == person.deceased
        have_death += has_death
        have_disability += population.record(rrn, disability) is not None
    assert have_death < SIZE * 0.03
    assert SIZE * 0.01 < have_disability < SIZE * 0.12


def test_a_million_persons_are_distinct_and_found() -> None:
    # How long this takes is bench/simulator_build.py's to report, not a test's.
    population = Population(1_000_000)
    sample = population.sample_rrns(1000)
    assert all(population.person(rrn) is not None for rrn in sample)
    # Random new-style numbers stay unique at scale too (they are redrawn on a clash).
    assert len(set(population.rrns())) == 1_000_000


def _ages(population: Population, today: dt.date) -> list[int]:
    """Every record's age in days (today minus its as-of) for a sample of persons."""
    ages = []
    for rrn in population.sample_rrns(300):
        for info_type in load_catalog().info_types:
            found = population.record(rrn, info_type)
            for one in found if isinstance(found, list) else [found] if found else []:
                ages.append((today - dt.date.fromisoformat(one[AS_OF])).days)
    return ages


def test_as_of_dates_are_mostly_recent_and_some_old() -> None:
    today = dt.date(2027, 3, 1)
    ages = _ages(Population(SIZE, seed=7, today=lambda: today), today)
    assert len(ages) > 2000
    assert min(ages) >= 0
    assert sum(a <= 6 for a in ages) > 0.7 * len(ages)
    # Enough older ones that 7-, 30- and 365-day grants each refuse some.
    assert sum(a > 7 for a in ages) > 0.1 * len(ages)
    assert sum(a > 30 for a in ages) > 0.03 * len(ages)
    assert any(a > 365 for a in ages)


def test_as_of_dates_follow_the_sources_clock_and_nothing_else_does() -> None:
    catalog = load_catalog()
    first, later = dt.date(2027, 3, 1), dt.date(2027, 3, 11)
    now = Population(1000, seed=7, today=lambda: first)
    then = Population(1000, seed=7, today=lambda: later)
    moved = 0
    for rrn in now.sample_rrns(50):
        for info_type in catalog.info_types:
            a, b = now.record(rrn, info_type), then.record(rrn, info_type)
            items_a = a if isinstance(a, list) else [a] if a else []
            items_b = b if isinstance(b, list) else [b] if b else []
            assert len(items_a) == len(items_b)
            for x, y in zip(items_a, items_b, strict=True):
                assert {k: v for k, v in x.items() if k != AS_OF} == {
                    k: v for k, v in y.items() if k != AS_OF
                }
                # The same age on either day, unless held back by the record's own dates.
                moved += dt.date.fromisoformat(y[AS_OF]) - dt.date.fromisoformat(x[AS_OF]) == (
                    later - first
                )
    assert moved > 100
