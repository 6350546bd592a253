"""The base facts of a synthetic person, shared by the population and its records."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Final

# Every generated value is "as of" this date, never today's, so that the same
# seed yields the same data on any day and in any process.
REFERENCE_DATE: Final = dt.date(2025, 12, 31)

# Relationship to the household head, in the order of their compact codes.
RELATIONSHIPS: Final = ("HEAD", "SPOUSE", "CHILD", "PARENT")


@dataclass(frozen=True, slots=True)
class PersonBase:
    """What the population knows about a person before any information type."""

    index: int
    rrn: str
    name: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    province: str
    district: str
    address: str
    household_id: str
    household_index: int
    household_size: int
    relationship: str  # one of RELATIONSHIPS
    moved_in: dt.date
    deceased: bool

    @property
    def age(self) -> int:
        """Age in whole years at REFERENCE_DATE."""
        ref, born = REFERENCE_DATE, self.birth_date
        return ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))


def stable_seed(*parts: int | str) -> int:
    """A 64-bit integer derived from `parts`, identical in every process.

    Python's hash() is salted per process, so seeds are derived with blake2b.
    """
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
