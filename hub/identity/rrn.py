"""Resident registration numbers (RRN): parsing, structural validation, composing.

An RRN is 13 ASCII digits, `YYMMDD-SNNNNNN`: a birth date, a sex-and-century
digit S and six more digits. The hub accepts it with or without the hyphen and
always hands the 13-digit form onward.

What the last six digits mean depends on when the number was issued:

- Before 5 October 2020: a four-digit region code, a serial digit and a check
  digit computed with the weights 2..9,2..5 modulo 11 (`check_digit`).
- Since 5 October 2020: six random digits and no check digit. The region code
  told anyone who saw a number where its holder was first registered and,
  with the check digit, made numbers easy to guess, so the reform replaced
  both with random digits for every number issued from then on: births, and
  numbers changed after identity theft or domestic violence, whose holders
  may have been born decades before 2020.

Nothing in a number says which scheme issued it, and the birth date does not
either (a re-issued number of a person born in 1960 is new-style). About nine
in ten new-style numbers fail the old check, so refusing on it would turn away
real people: newborns first, and victims who changed their number to be safe.
The hub therefore NEVER refuses on the check digit and validates only the
structure every number still has:

1. 13 ASCII digits, optionally `YYMMDD-SNNNNNN`.
2. S gives the sex (odd is male) and the century: 9/0 the 1800s, 1/2 the 1900s,
   3/4 the 2000s; 5/6 and 7/8 are the same for registered foreigners born in
   the 1900s and 2000s. The 2020 reform left S untouched.
3. S is consistent with the date: YYMMDD read in the century S gives must be
   a real date that is not in the future. S is the only source of the century,
   so "consistent" means exactly two things:
   - the date exists in that century: the month and day must exist at all
     (02-30 never does), and 29 February depends on S, because 1900 and 1800
     were not leap years but 2000 was: `000229-3` is 29 February 2000, while
     `000229-1` and `000229-9` name days that never existed;
   - the date is not after today: a 2000s digit with YY ahead of the current
     year (`991231-3...` is 31 December 2099) names someone not yet born,
     whereas a 1900s or 1800s digit always gives a past date. "Today" is the
     date in Korea (UTC+9, no daylight saving), where births are registered,
     so a child registered on a Seoul morning is not refused by a server whose
     UTC clock is still on the previous day.

`check_digit` remains to compose pre-2020 numbers (the simulated population
and the tests do); it must never be used to refuse one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

#: The day from which new numbers carry six random digits and no check digit.
REFORM_DATE: Final = dt.date(2020, 10, 5)

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# ASCII digits only: `\d` also matches other scripts' digits, which would let one
# person be named by several different strings (and several hashes).
_SHAPE = re.compile(r"^([0-9]{6})-?([0-9]{7})$")
# The seventh digit encodes sex and century (9/0 for the 1800s, 1/2 for the
# 1900s, 3/4 for the 2000s; 5-8 are the same for registered foreigners).
_CENTURY = {
    9: 1800,
    0: 1800,
    1: 1900,
    2: 1900,
    5: 1900,
    6: 1900,
    3: 2000,
    4: 2000,
    7: 2000,
    8: 2000,
}
# Korea Standard Time: a fixed offset, so no time-zone database is needed.
_KST = dt.timezone(dt.timedelta(hours=9), "KST")


class InvalidRRN(ValueError):
    """The text is not a valid resident registration number; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid resident registration number: {reason}")
        self.reason = reason


def check_digit(first12: str) -> int:
    """The pre-2020 check digit for the first twelve digits of an RRN.

    Only for composing numbers of the old scheme; numbers issued since
    `REFORM_DATE` have none, so a mismatch is never a reason to refuse one.
    """
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("check_digit needs exactly twelve digits")
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def today_in_korea(now: dt.datetime | None = None) -> dt.date:
    """The calendar date in Korea at `now` (an aware datetime; default: the clock)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(_KST).date()


@dataclass(frozen=True, slots=True)
class RRN:
    """A structurally valid resident registration number."""

    digits: str

    @property
    def birth_date(self) -> dt.date:
        """The birth date the number encodes."""
        return _birth_date(self.digits)

    @property
    def sex(self) -> str:
        """'M' or 'F', from the seventh digit's parity (odd is male)."""
        return "M" if int(self.digits[6]) % 2 == 1 else "F"

    def masked(self) -> str:
        """The form shown where the number must not be disclosed: `YYMMDD-S******`."""
        return f"{self.digits[:6]}-{self.digits[6]}******"

    def __str__(self) -> str:
        return self.digits


def _birth_date(digits: str) -> dt.date:
    century = _CENTURY[int(digits[6])]
    return dt.date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))


def parse_rrn(text: str, *, today: dt.date | None = None) -> RRN:
    """Validate `text` as an RRN; raise InvalidRRN naming the first problem found.

    Only the structure is checked (see the module docstring): the shape, a
    real birth date and a sex/century digit consistent with it, the date being
    no later than `today` (default: today in Korea). The last six digits are
    never judged, since numbers issued since 2020 have no check digit.
    """
    match = _SHAPE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidRRN("expected 13 digits, optionally as YYMMDD-NNNNNNN")
    digits = match.group(1) + match.group(2)
    seventh = int(digits[6])
    century = _CENTURY[seventh]
    try:
        birth = _birth_date(digits)
    except ValueError:
        month, day = int(digits[2:4]), int(digits[4:6])
        if (month, day) != (2, 29):
            raise InvalidRRN("the first six digits are not a valid birth date") from None
        # Only 29 February exists in some centuries and not in others.
        raise InvalidRRN(
            f"the seventh digit ({seventh}) puts the birth in the {century}s,"
            f" and {century + int(digits[0:2])}-02-29 did not exist"
        ) from None
    if birth > (today if today is not None else today_in_korea()):
        raise InvalidRRN(
            f"the seventh digit ({seventh}) puts the birth in the {century}s,"
            f" and {birth.isoformat()} is in the future"
        )
    return RRN(digits)


def _sex_digit(birth: dt.date, sex: str) -> int:
    """The seventh digit of a Korean citizen born on `birth` with `sex` ('M'/'F')."""
    if not 1800 <= birth.year <= 2099:
        raise ValueError("an RRN can only encode a birth year from 1800 to 2099")
    if birth.year >= 2000:
        return 3 if sex == "M" else 4
    if birth.year >= 1900:
        return 1 if sex == "M" else 2
    return 9 if sex == "M" else 0


def make_rrn(birth: dt.date, sex: str, region: int, serial: int) -> RRN:
    """Compose a number of the pre-2020 scheme: region, serial and check digit.

    Used by the simulated population and tests for numbers issued before
    `REFORM_DATE`; nothing stops composing one for a later date.
    """
    first12 = f"{birth:%y%m%d}{_sex_digit(birth, sex)}{region:04d}{serial % 10}"
    return RRN(first12 + str(check_digit(first12)))


def make_random_rrn(birth: dt.date, sex: str, tail: int) -> RRN:
    """Compose a number of the scheme issued since 2020: six random digits after S.

    `tail` (0..999999) is the six digits the issuer drew; the caller draws it,
    so that composing stays deterministic. There is no check digit.
    """
    if not 0 <= tail <= 999_999:
        raise ValueError("the tail of an RRN is six digits (0..999999)")
    return RRN(f"{birth:%y%m%d}{_sex_digit(birth, sex)}{tail:06d}")
