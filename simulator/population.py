"""A deterministic synthetic population of persons grouped in households.

Only the compact base facts of each person (birth date, sex, name indices,
household) are built eagerly, in typed arrays, so that a million persons fit
in a few tens of megabytes. Everything an information type says about a
person is derived on demand from (seed, person index, type) by
`simulator.records`, so it costs nothing until asked for and is the same in
every process.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import accumulate
from typing import Any

from connectors.base import AS_OF
from hub.catalog.model import InfoType
from hub.identity.rrn import REFORM_DATE, check_digit, make_random_rrn, make_rrn
from simulator import data, records
from simulator.person import REFERENCE_DATE, RELATIONSHIPS, PersonBase, stable_seed

_REF = REFERENCE_DATE.toordinal()
_YEAR = 365
_OLDEST = dt.date(1925, 1, 1).toordinal()
_REFORM = REFORM_DATE.toordinal()
# Share of persons born before the 2020 reform whose number was changed since
# (identity theft, domestic violence) and so is new-style. Far above the real
# rate, so that even a test population of a few thousand holds some.
_REISSUED_SHARE = 0.01
# The first two region digits of the numbers `_add` composes the old way.
_PREFIXES = frozenset(prov[1] for prov in data.PROVINCES)

_HEAD, _SPOUSE, _CHILD, _PARENT = range(4)

# Household sizes 1..6, roughly Korea's shares in the 2020s.
_SIZE_CUM = tuple(accumulate((33.0, 28.0, 20.0, 14.0, 4.0, 1.0)))
_FAMILY_CUM = tuple(accumulate(w for _, w in data.FAMILY_NAMES))
# One entry per district: (province index, district name); weighted so each
# province gets its population share, split evenly across its districts.
_DISTRICTS: tuple[tuple[int, str], ...] = tuple(
    (p, d) for p, prov in enumerate(data.PROVINCES) for d in prov[3]
)
_DISTRICT_CUM = tuple(
    accumulate(data.PROVINCES[p][2] / len(data.PROVINCES[p][3]) for p, _ in _DISTRICTS)
)


def _pick(rng: random.Random, cum: Sequence[float]) -> int:
    """Index drawn with the weights whose running totals are `cum`."""
    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)


class Population:
    """`size` synthetic residents, reproducible from `seed`.

    `today` is the sources' clock: records' as-of dates are that many days
    before it (simulator.records); every other value ignores it.
    """

    def __init__(
        self,
        size: int = 10_000,
        seed: int = 20100104,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        if size < 1:
            raise ValueError("a population needs at least one person")
        self.size = size
        self.seed = seed
        self.today = today
        # Per person, in household order.
        self._rrn = array("q")
        self._birth = array("i")  # date ordinal
        self._flags = array("B")  # bit 0: male; bits 1-2: relationship code
        self._family = array("B")
        self._given = array("B")
        self._household = array("i")
        # Per household: first member's index (plus a sentinel) and district.
        self._hh_start = array("i")
        self._hh_district = array("H")
        self._hh_prefix = f"H{stable_seed(seed, 'household-id') % 90 + 10}"
        self._build()
        order = sorted(range(size), key=self._rrn.__getitem__)
        self._sorted_rrn = array("q", map(self._rrn.__getitem__, order))
        self._sorted_pos = array("i", order)

    # -- construction -------------------------------------------------------

    def _build(self) -> None:
        rng = random.Random(stable_seed(self.seed, "population"))
        # Persons born the same day with the same sex get consecutive
        # counters; the counter becomes region digits and serial, which is
        # what makes every old-style RRN unique without a set of all issued
        # numbers. Only the (few) new-style numbers are kept in a set.
        issued: dict[int, int] = {}
        # New-style numbers draw from their own stream, so that households,
        # names and birth dates are the same as before they existed.
        tails = _Tails(random.Random(stable_seed(self.seed, "rrn-tail")))
        n = 0
        while n < self.size:
            size = min(_pick(rng, _SIZE_CUM) + 1, self.size - n)
            self._hh_start.append(n)
            self._hh_district.append(_pick(rng, _DISTRICT_CUM))
            prefix = data.PROVINCES[_DISTRICTS[self._hh_district[-1]][0]][1]
            for rel, male, birth, family in self._compose(rng, size):
                self._add(rng, issued, tails, prefix, rel, male, birth, family)
            n += size
        self._hh_start.append(n)

    def _compose(self, rng: random.Random, size: int) -> list[tuple[int, bool, int, int]]:
        """(relationship, male, birth ordinal, family-name index) per member."""
        spouse = size >= 2 and rng.random() < (0.7 if size == 2 else 0.85)
        parent = size - 1 - spouse >= 1 and rng.random() < 0.12
        children = size - 1 - spouse - parent
        if children:
            head_age = rng.randint(28 * _YEAR, 60 * _YEAR)
        elif parent:
            head_age = rng.randint(35 * _YEAR, 65 * _YEAR)
        elif rng.random() < 0.45:  # an ageing society: many old singles and couples
            head_age = rng.randint(58 * _YEAR, 90 * _YEAR)
        else:
            head_age = rng.randint(20 * _YEAR, 80 * _YEAR)
        head_male = rng.random() < (0.75 if spouse else 0.5)
        head_family = _pick(rng, _FAMILY_CUM)
        head_birth = _REF - head_age
        out = [(_HEAD, head_male, head_birth, head_family)]
        father_family = head_family
        youngest_parent = head_age
        if spouse:
            spouse_birth = head_birth + rng.randint(-4 * _YEAR, 6 * _YEAR)
            spouse_birth = min(spouse_birth, _REF - 19 * _YEAR - 5)  # leap days
            spouse_family = _pick(rng, _FAMILY_CUM)
            out.append((_SPOUSE, not head_male, spouse_birth, spouse_family))
            youngest_parent = min(head_age, _REF - spouse_birth)
            if not head_male:
                father_family = spouse_family
        if parent:
            parent_birth = max(head_birth - rng.randint(22 * _YEAR, 38 * _YEAR), _OLDEST)
            parent_male = rng.random() < 0.35  # mothers outlive fathers
            family = head_family if parent_male else _pick(rng, _FAMILY_CUM)
            out.append((_PARENT, parent_male, parent_birth, family))
        # Children are born when the younger parent was 22 to 42, at most 35 years ago.
        latest_gap = min(42 * _YEAR, youngest_parent - 30)
        earliest_gap = min(max(22 * _YEAR, youngest_parent - 35 * _YEAR), latest_gap)
        for _ in range(children):
            age = youngest_parent - rng.randint(earliest_gap, latest_gap)
            birth = _REF - age
            out.append((_CHILD, rng.random() < 0.51, birth, father_family))
        return out

    def _add(
        self,
        rng: random.Random,
        issued: dict[int, int],
        tails: _Tails,
        prefix: int,
        rel: int,
        male: bool,
        birth: int,
        family: int,
    ) -> None:
        while True:
            key = birth * 2 + male
            count = issued.get(key, 0)
            if count < 1000:
                break
            birth -= 1  # a thousand same-day births already: shift by a day
        issued[key] = count + 1
        born, sex = dt.date.fromordinal(birth), "M" if male else "F"
        # Since the reform every new number has six random digits: all births
        # from then on, and the numbers changed for some older persons.
        if birth >= _REFORM or tails.rng.random() < _REISSUED_SHARE:
            digits = tails.draw(born, sex)
        else:
            region = prefix * 100 + (count // 10 + key * 37) % 100
            digits = make_rrn(born, sex, region, count % 10).digits
        self._rrn.append(int(digits))
        self._birth.append(birth)
        self._flags.append(male | rel << 1)
        self._family.append(family)
        names = data.MALE_GIVEN if male else data.FEMALE_GIVEN
        self._given.append(int(rng.random() * len(names)))
        self._household.append(len(self._hh_start) - 1)

    # -- lookups ------------------------------------------------------------

    def _index_of(self, rrn: str) -> int | None:
        if len(rrn) != 13 or not (rrn.isascii() and rrn.isdigit()):
            return None
        value = int(rrn)
        i = bisect_left(self._sorted_rrn, value)
        if i < self.size and self._sorted_rrn[i] == value:
            return self._sorted_pos[i]
        return None

    def __contains__(self, rrn: object) -> bool:
        return isinstance(rrn, str) and self._index_of(rrn) is not None

    def __len__(self) -> int:
        return self.size

    def rrn_at(self, index: int) -> str:
        """The RRN of the person at `index` (0 <= index < size)."""
        return f"{self._rrn[index]:013d}"

    def rrns(self) -> list[str]:
        """Every person's RRN, in household order."""
        return [f"{v:013d}" for v in self._rrn]

    def sample_rrns(self, n: int) -> list[str]:
        """`n` distinct RRNs of existing persons, spread over the population.

        The same (seed, n) always gives the same sample.
        """
        rng = random.Random(stable_seed(self.seed, "sample", n))
        return [self.rrn_at(i) for i in rng.sample(range(self.size), min(n, self.size))]

    def person(self, rrn: str) -> PersonBase | None:
        """The base facts of the person with this RRN, or None if there is none."""
        index = self._index_of(rrn)
        return None if index is None else self.person_at(index)

    def person_at(self, index: int) -> PersonBase:
        """The base facts of the person at `index`."""
        flags = self._flags[index]
        male = bool(flags & 1)
        given = (data.MALE_GIVEN if male else data.FEMALE_GIVEN)[self._given[index]]
        hh = self._household[index]
        province_index, district = _DISTRICTS[self._hh_district[hh]]
        province = data.PROVINCES[province_index][0]
        birth = dt.date.fromordinal(self._birth[index])
        rng = random.Random(stable_seed(self.seed, "household", hh))
        street = rng.choice(data.STREETS)
        address = f"{rng.randint(1, 350)} {street}, {district}, {province}"
        if rng.random() < 0.6:  # most Koreans live in apartment blocks
            unit = f"{rng.randint(101, 130)}-{rng.randint(1, 25)}{rng.randint(1, 8):02d}"
            address = f"{address}, Apt {unit}"
        head_birth = self._birth[self._hh_start[hh]]
        moved_in = _REF - rng.randint(0, max(0, min(_REF - head_birth - 19 * _YEAR, 30 * _YEAR)))
        age = REFERENCE_DATE.year - birth.year
        mortality = 0.001 if age < 60 else 0.01 if age < 80 else 0.05
        return PersonBase(
            index=index,
            rrn=self.rrn_at(index),
            name=f"{data.FAMILY_NAMES[self._family[index]][0]} {given}",
            birth_date=birth,
            sex="M" if male else "F",
            province=province,
            district=district,
            address=address,
            household_id=f"{self._hh_prefix}{hh + 1:08d}",
            household_index=hh,
            household_size=self._hh_start[hh + 1] - self._hh_start[hh],
            relationship=RELATIONSHIPS[flags >> 1],
            moved_in=dt.date.fromordinal(max(moved_in, self._birth[index])),
            deceased=random.Random(stable_seed(self.seed, "death", index)).random() < mortality,
        )

    def household_members(self, rrn: str) -> list[tuple[str, str]]:
        """(rrn, relationship to head) of everyone in the person's household.

        The person is included; the head comes first. Empty for an unknown RRN.
        """
        index = self._index_of(rrn)
        return [] if index is None else self._members_at(index)

    def _members_at(self, index: int) -> list[tuple[str, str]]:
        hh = self._household[index]
        return [
            (self.rrn_at(i), RELATIONSHIPS[self._flags[i] >> 1])
            for i in range(self._hh_start[hh], self._hh_start[hh + 1])
        ]

    def record(
        self, rrn: str, info_type: InfoType, fields: Sequence[str] | None = None
    ) -> dict[str, Any] | list[dict[str, Any]] | None:
        """What the person's source says for `info_type`, restricted to `fields`.

        A dict (or None when the person has no such record) for single types,
        a list of 0-4 dicts for `many` types; `fields=None` means all fields.
        Every dict also holds the record's as-of date under `_asOf` (AS_OF), whatever
        the fields, as the sources send it.
        Raises KeyError for an unknown RRN or a field the type does not have.
        """
        index = self._index_of(rrn)
        if index is None:
            raise KeyError(f"no person with RRN {rrn!r}")
        return self.record_at(index, info_type, fields)

    def record_at(
        self, index: int, info_type: InfoType, fields: Sequence[str] | None = None
    ) -> dict[str, Any] | list[dict[str, Any]] | None:
        """Like record(), by person index."""
        wanted = None if fields is None else [info_type.field(f).name for f in fields]
        members = partial(self._members_at, index)
        full = records.make_record(
            self.seed, self.person_at(index), info_type, members, self.today()
        )
        return _project(full, wanted)

    def records_for(
        self, rrn: str, wanted: Mapping[InfoType, Sequence[str]]
    ) -> dict[str, dict[str, Any] | list[dict[str, Any]] | None] | None:
        """record() for several types of one person, keyed by type name.

        None when there is no person with this RRN. Cheaper than calling
        record() per type because the person's base facts are derived once.
        """
        index = self._index_of(rrn)
        return None if index is None else self.records_at(index, wanted)

    def records_at(
        self, index: int, wanted: Mapping[InfoType, Sequence[str] | None]
    ) -> dict[str, dict[str, Any] | list[dict[str, Any]] | None]:
        """records_for() by person index; a None field list means all fields."""
        person = self.person_at(index)
        members = partial(self._members_at, index)
        today = self.today()
        out: dict[str, dict[str, Any] | list[dict[str, Any]] | None] = {}
        for info_type, fields in wanted.items():
            full = records.make_record(self.seed, person, info_type, members, today)
            out[info_type.name] = _project(full, fields)
        return out


class _Tails:
    """Draws new-style numbers that no other person of the population holds."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._taken: set[int] = set()

    def draw(self, birth: dt.date, sex: str) -> str:
        """A new-style number for a person born on `birth` with `sex`, unique here."""
        while True:
            digits = make_random_rrn(birth, sex, self.rng.randrange(1_000_000)).digits
            if int(digits) not in self._taken and not _may_be_old_style(digits):
                self._taken.add(int(digits))
                return digits


def _may_be_old_style(digits: str) -> bool:
    """Whether `Population._add` might compose these digits the old way, for anyone.

    For a birth date and sex, every pair of low region digits and serial is some
    counter's, so an old-style number is any number with one of our province
    prefixes and a matching check digit. Drawing such a tail again is what
    keeps new-style numbers distinct from old-style ones without a set of all
    numbers; it skews the tails very slightly (under 2% of them are never drawn).
    """
    return int(digits[7:9]) in _PREFIXES and check_digit(digits[:12]) == int(digits[12])


def _project(
    full: dict[str, Any] | list[dict[str, Any]] | None, fields: Sequence[str] | None
) -> dict[str, Any] | list[dict[str, Any]] | None:
    if fields is None or full is None:
        return full
    # The as-of goes with every record, whichever fields are asked for.
    keep = [*fields, AS_OF]
    if isinstance(full, list):
        return [{f: rec[f] for f in keep} for rec in full]
    return {f: full[f] for f in keep}
