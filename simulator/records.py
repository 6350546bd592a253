"""Plausible values for any information type, derived from a person's base facts.

Everything here is generic over the catalog: values come from each Field's
kind, bounds, choices and optionality, with a few hints taken from type and
field names. Only residentRegistration, householdComposition and deathRecord
are special-cased by name, because they must agree with the population's own
facts (names, households, who has died).

A record is always generated whole, from one random stream seeded by
(seed, person, type), and then cut down to the requested fields, so a value
never depends on which other fields were asked for.

Every record also carries its as-of date (`_asOf`, docs/sources.md): the day
the ministry last established or updated it. It is the one date measured
from the source's own today rather than from REFERENCE_DATE, because a live
source keeps its records current up to its present and the hub compares the
as-of with the request's date; what the seed fixes is each record's age.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from functools import cache
from itertools import accumulate
from typing import Any

from connectors.base import AS_OF
from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity
from simulator import data
from simulator.person import REFERENCE_DATE, RELATIONSHIPS, PersonBase, stable_seed

Record = dict[str, Any]
Members = Callable[[], list[tuple[str, str]]]

_OPTIONAL_MISSING = 0.15
_MAX_MANY = 4

# How likely a person has a record of a type, by group, before name hints.
_GROUP_PRESENCE: dict[Group, float] = {
    Group.IDENTITY_HOUSEHOLD: 1.0,
    Group.INCOME: 0.6,
    Group.ASSETS: 0.5,
    Group.SOCIAL_INSURANCE: 0.9,
    Group.STATUS_QUALIFICATION: 0.08,
    Group.BENEFITS: 0.1,
}

Presence = Callable[[PersonBase], float]


def _ages(table: tuple[tuple[int, float], ...]) -> Presence:
    """Presence by age band: `table` is (minimum age, probability), ascending."""

    def by_age(person: PersonBase) -> float:
        return next((p for lo, p in reversed(table) if person.age >= lo), 0.0)

    return by_age


# (substrings of the lower-cased type name, presence); the first match wins.
# Hints, not a list of types: any catalog gets plausible shares from them.
_NAME_HINTS: tuple[tuple[tuple[str, ...], Presence], ...] = (
    (("unemploy", "jobseek"), _ages(((18, 0.03), (65, 0.0)))),
    (("disab",), _ages(((0, 0.02), (40, 0.05), (65, 0.12)))),
    (("militaryservice", "conscript"), lambda p: 0.95 if p.sex == "M" and p.age >= 18 else 0.0),
    (("veteran", "patriot"), _ages(((20, 0.02),))),
    (("longtermcare",), _ages(((0, 0.002), (65, 0.1)))),
    (("basicpension",), _ages(((65, 0.68),))),
    (("school", "student", "tuition"), _ages(((6, 0.95), (19, 0.0)))),
    (("pensionenrol", "pensionsubscri"), _ages(((18, 0.75), (60, 0.2)))),
    (("nationalpension",), _ages(((62, 0.55),))),
    (("pension",), _ages(((50, 0.03),))),  # occupational pensions: few
    (("parental", "maternity", "childcare"), _ages(((25, 0.08), (46, 0.0)))),
    (("singleparent",), _ages(((20, 0.03), (56, 0.0)))),
    (("foreign", "immigra", "alien"), lambda p: 0.03),
    (("incarcer", "prison", "custody"), _ages(((20, 0.003),))),
    (("guardian",), _ages(((20, 0.002), (75, 0.02)))),
    (("bankrupt", "insolven"), _ages(((25, 0.01),))),
    (("entryexit", "travel"), lambda p: 0.3),
    (("ship", "vessel"), _ages(((20, 0.005),))),
    (("farm",), _ages(((20, 0.06),))),
    (("rental",), _ages(((30, 0.08),))),
    (("business",), _ages(((25, 0.2),))),
    (("earned", "wage", "salary", "employ"), _ages(((0, 0.01), (18, 0.65), (65, 0.15)))),
)


def presence(info_type: InfoType, person: PersonBase) -> float:
    """The probability that `person` has a record of `info_type`."""
    name = info_type.name
    if name == "deathRecord":
        return 1.0 if person.deceased else 0.0
    if name in ("residentRegistration", "householdComposition"):
        return 1.0
    lowered = name.lower()
    for hints, chance in _NAME_HINTS:
        if any(h in lowered for h in hints):
            return chance(person)
    base = _GROUP_PRESENCE.get(info_type.group, 0.3)
    if info_type.group in (Group.INCOME, Group.ASSETS) and person.age < 18:
        base = 0.02
    # Identity records exist for everyone however sensitive; elsewhere
    # sensitive records (health, disability) are the exception.
    if (
        info_type.sensitivity is Sensitivity.SENSITIVE
        and info_type.group is not Group.IDENTITY_HOUSEHOLD
    ):
        base = min(base, 0.05)
    return base


def make_record(
    seed: int, person: PersonBase, info_type: InfoType, members: Members, today: dt.date
) -> Record | list[Record] | None:
    """The full record(s) of `info_type` for `person`: all fields and the as-of date.

    The fields are every time the same; each record's age on `today` is too.
    """
    rng = random.Random(stable_seed(seed, person.index, info_type.name))
    # A stream of its own, so that adding as-of dates left every value as it was.
    ages = random.Random(stable_seed(seed, person.index, info_type.name, AS_OF))
    p = presence(info_type, person)
    if info_type.many:
        count = 0
        if rng.random() < p:
            count = 1
            while count < _MAX_MANY and rng.random() < 0.35:
                count += 1
        return [
            _dated(ages, info_type, _fields(rng, info_type, person, members), today)
            for _ in range(count)
        ]
    if rng.random() >= p:
        return None
    return _dated(ages, info_type, _fields(rng, info_type, person, members), today)


# How long ago a source last established or updated a record: (share, fewest
# days, most days). Most records are kept current; some were last touched
# weeks ago, a few months ago, so that short-lived grants (7 or 30 days)
# refuse some records and long-lived ones (365 days) rarely any.
AS_OF_AGES: tuple[tuple[float, int, int], ...] = (
    (0.80, 0, 6),
    (0.12, 7, 29),
    (0.06, 30, 89),
    (0.02, 90, 400),
)
_AGE_CUM = tuple(accumulate(share for share, _, _ in AS_OF_AGES))


def _dated(rng: random.Random, info_type: InfoType, record: Record, today: dt.date) -> Record:
    """`record` with its as-of date: a drawn age before `today`, never before its own dates."""
    target = rng.random() * _AGE_CUM[-1]
    band = next((i for i, c in enumerate(_AGE_CUM) if target < c), len(AS_OF_AGES) - 1)
    _, fewest, most = AS_OF_AGES[band]
    as_of = today - dt.timedelta(days=rng.randint(fewest, most))
    # A record cannot have been established before the events it records
    # (deadlines, in the future, do not count).
    recorded = [
        dt.date.fromisoformat(record[f.name])
        for f in info_type.fields
        if f.kind is Kind.DATE and isinstance(record.get(f.name), str)
    ]
    latest = max((d for d in recorded if d <= today), default=as_of)
    record[AS_OF] = max(as_of, latest).isoformat()
    return record


def _fields(
    rng: random.Random, info_type: InfoType, person: PersonBase, members: Members
) -> Record:
    special = _special(info_type.name, person)
    out: Record = {}
    # Catalogs declare a record's dates in chronological order (started, then
    # ended), so each date is drawn no earlier than the one before it.
    floor = _adult_from(person)
    for f in info_type.fields:
        if f.name in special:
            fixed = _coerce(f, special[f.name])
            if fixed is not _NO:
                out[f.name] = fixed
                continue
        if f.kind is Kind.MEMBERS:
            relation = _relation_field(info_type)
            out[f.name] = [
                {"rrn": rrn, "relationship": _label(relation, rel)} for rrn, rel in members()
            ]
        elif f.optional and rng.random() < _OPTIONAL_MISSING:
            out[f.name] = None
        elif f.kind is Kind.DATE:
            date = _date(rng, f, person, floor)
            if "birth" not in f.name.lower():
                floor = max(floor, date)
            out[f.name] = date.isoformat()
        else:
            out[f.name] = _value(rng, f, info_type, person)
    return out


_NO = object()  # a special value that does not fit the field's kind


def _special(type_name: str, person: PersonBase) -> dict[str, object]:
    if type_name == "residentRegistration":
        return {
            "registrationNumber": person.rrn,
            "name": person.name,
            "birthDate": person.birth_date,
            "sex": ("SEX", person.sex),
            "province": person.province,
            "district": person.district,
            "address": person.address,
            "registrationStatus": ("STATUS", "DECEASED" if person.deceased else "REGISTERED"),
            "movedInDate": person.moved_in,
        }
    if type_name == "householdComposition":
        return {
            "householdId": person.household_id,
            "memberCount": person.household_size,
            "relationshipToHead": ("REL", person.relationship),
            "isHead": person.relationship == "HEAD",
        }
    return {}


def _coerce(f: Field, value: object) -> object:
    """`value` in the form `f` wants, or _NO if it cannot take that form."""
    if isinstance(value, tuple):  # a label to map onto the field's choices
        if f.kind is Kind.CODE:
            return _label(f, value[1])
        return value[1] if f.kind is Kind.TEXT else _NO
    if isinstance(value, bool):
        return value if f.kind is Kind.BOOL else _NO
    if isinstance(value, int):
        return value if f.kind is Kind.INT else _NO
    if isinstance(value, dt.date):
        return value.isoformat() if f.kind is Kind.DATE else _NO
    if isinstance(value, str):
        if f.kind is Kind.TEXT:
            return value
        return _label(f, value) if f.kind is Kind.CODE else _NO
    return _NO


_ALIASES: dict[str, tuple[str, ...]] = {
    "HEAD": ("HEAD", "SELF", "HOUSEHOLDER"),
    "SPOUSE": ("SPOUSE", "WIFE", "HUSBAND", "PARTNER"),
    "CHILD": ("CHILD", "SON", "DAUGHTER"),
    "PARENT": ("PARENT", "FATHER", "MOTHER"),
    "M": ("M", "MALE", "MAN"),
    "F": ("F", "FEMALE", "WOMAN"),
    "REGISTERED": ("REGISTERED", "ACTIVE", "RESIDENT", "NORMAL"),
    "DECEASED": ("DECEASED", "DEAD", "DEATH"),
}


# Where a label falls among unrecognised choices, e.g. F -> the second of two.
_FALLBACK_ORDER = {**{r: i for i, r in enumerate(RELATIONSHIPS)}, "M": 0, "F": 1, "DECEASED": 1}


def _relation_field(info_type: InfoType) -> Field | None:
    return next((f for f in info_type.fields if f.name == "relationshipToHead"), None)


def _label(f: Field | None, label: str) -> str:
    """The choice of `f` that means `label`; `label` itself when `f` has no choices."""
    if f is None or not f.choices:
        return label
    upper = [c.upper() for c in f.choices]
    for alias in _ALIASES.get(label, (label,)):
        for i, choice in enumerate(upper):
            if choice == alias or choice.startswith(alias + "_"):
                return f.choices[i]
    for i, choice in enumerate(upper):
        if "OTHER" in choice:
            return f.choices[i]
    return f.choices[_FALLBACK_ORDER.get(label, 0) % len(f.choices)]


def _bounds(f: Field, low: float, high: float) -> tuple[float, float]:
    lo = low if f.low is None else f.low
    hi = high if f.high is None else f.high
    return (lo, hi) if lo <= hi else (hi, lo)


def _value(rng: random.Random, f: Field, info_type: InfoType, person: PersonBase) -> Any:
    kind = f.kind
    if kind is Kind.WON:
        return _won(rng, f)
    if kind is Kind.INT:
        return _int(rng, f, person)
    if kind is Kind.AREA_M2:
        lo, hi = _bounds(f, 0.0, 500.0)
        return min(max(round(lo + (hi - lo) * rng.random() ** 2, 2), lo), hi)
    if kind is Kind.PERCENT:
        lo, hi = _bounds(f, 0.0, 100.0)
        return min(max(round(rng.uniform(lo, hi), 2), lo), hi)
    if kind is Kind.BOOL:
        return rng.random() < 0.5
    if kind is Kind.CODE:
        return f.choices[_skewed_index(rng, len(f.choices))]
    return _text(rng, f, info_type, person)


def _won(rng: random.Random, f: Field) -> int:
    lo_f, hi_f = _bounds(f, 0.0, 100_000_000.0)
    lo, hi = math.ceil(lo_f), math.floor(hi_f)
    if hi <= lo:
        return lo
    if lo <= 0 <= hi and rng.random() < 0.15:
        return 0
    # Cubed uniform: most amounts small, a long tail of large ones.
    amount = lo + (hi - lo) * rng.random() ** 3
    step = 1000 if hi - lo >= 1_000_000 else 10 if hi - lo >= 10_000 else 1
    return int(min(max(round(amount / step) * step, lo), hi))


def _int(rng: random.Random, f: Field, person: PersonBase) -> int:
    lo_f, hi_f = _bounds(f, 0.0, 100.0)
    lo, hi = math.ceil(lo_f), math.floor(hi_f)
    if f.name.lower().endswith("year") and hi >= 1800:  # a calendar year
        first = max(lo, person.birth_date.year)
        last = min(hi, REFERENCE_DATE.year)
        if first <= last:
            return last - int((last - first + 1) * rng.random() ** 2)
    if hi <= lo:
        return lo
    # Counts cluster low (few children, few properties).
    return lo + int((hi - lo + 1) * rng.random() ** 2)


def _adult_from(person: PersonBase) -> dt.date:
    """The earliest plausible date of a record: birth, or the 18th birthday of adults."""
    if person.age >= 19:
        return person.birth_date + dt.timedelta(days=18 * 365 + 5)
    return person.birth_date


_LOOKBACK = dt.timedelta(days=25 * 365)
_FUTURE_HINTS = ("until", "due", "matures", "expected", "next", "endson", "expir")


def _date(rng: random.Random, f: Field, person: PersonBase, floor: dt.date) -> dt.date:
    """A date no earlier than `floor`, recent more often; future for deadlines."""
    name = f.name.lower()
    ref = REFERENCE_DATE
    if any(h in name for h in _FUTURE_HINTS):
        return max(floor, ref) + dt.timedelta(days=rng.randint(30, 3 * 365))
    if "birth" in name:  # a dependant's birth: after the person's adulthood
        floor = _adult_from(person)
    # Administrative records rarely reach back more than a generation.
    start = min(max(floor, ref - _LOOKBACK), ref).toordinal()
    end = ref.toordinal()
    return dt.date.fromordinal(end - int((end - start) * rng.random() ** 2))


@cache
def _skewed_cum(n: int) -> tuple[float, ...]:
    return tuple(accumulate(1.0 / (i + 1) for i in range(n)))


def _skewed_index(rng: random.Random, n: int) -> int:
    """An index in range(n), earlier ones likelier (first choices are the usual)."""
    cum = _skewed_cum(n)
    target = rng.random() * cum[-1]
    return next((i for i, c in enumerate(cum) if target < c), n - 1)


def _text(rng: random.Random, f: Field, info_type: InfoType, person: PersonBase) -> str:
    name = f.name.lower()
    type_name = info_type.name.lower()
    if "plate" in name or ("vehicle" in type_name and "number" in name):
        syllable = rng.choice(data.PLATE_SYLLABLES)
        return f"{rng.randint(10, 399)}{syllable}{rng.randint(1000, 9999)}"
    if "model" in name:
        return rng.choice(data.CAR_MODELS)
    if "parcel" in name or "pnu" in name:
        dong = rng.randint(1111010100, 5080025000)
        return f"{dong}-{rng.randint(1, 2999)}-{rng.randint(0, 99)}"
    if "businessnumber" in name or "registrationnumber" in name:
        return f"{rng.randint(101, 899)}-{rng.randint(1, 99):02d}-{rng.randint(0, 99999):05d}"
    if "case" in name:  # court case numbers: year, case-kind syllable, serial
        year = rng.randint(max(person.birth_date.year + 18, 2000), REFERENCE_DATE.year)
        return f"{year}{rng.choice(('GAHAP', 'HADAN', 'GAE', 'HAHAP'))}{rng.randint(1, 99999)}"
    if "address" in name or "location" in name:
        province, _, _, districts = rng.choice(data.PROVINCES)
        street = rng.choice(data.STREETS)
        return f"{rng.randint(1, 350)} {street}, {rng.choice(districts)}, {province}"
    if name == "district":
        return str(rng.choice(rng.choice(data.PROVINCES)[3]))
    if name == "province":
        return str(rng.choice(data.PROVINCES)[0])
    if "account" in name:
        return f"{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(100000, 999999)}"
    if "phone" in name:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    if any(h in name for h in ("reason", "note", "remark", "comment")):
        return rng.choice(data.REMARKS)
    if name.endswith("name") or name in data.ORGANISATION_FIELDS:
        suffixes = next(
            (s for hint, s in data.ORG_SUFFIXES if hint in name or hint in type_name),
            data.DEFAULT_ORG_SUFFIXES,
        )
        return f"{rng.choice(data.ORG_WORDS)} {rng.choice(suffixes)}"
    initials = info_type.name[0].upper() + "".join(c for c in info_type.name if c.isupper())
    return f"{initials}-{rng.randint(0, 99_999_999):08d}"
