"""Resident registration numbers (RRN): parsing, validation and check digits.

An RRN is 13 digits, `YYMMDD-SBBBBNC`: birth date, a sex-and-century digit,
a four-digit region code, a serial digit and a check digit computed with the
weights 2..9,2..5 modulo 11. The hub accepts it with or without the hyphen
and always hands the 13-digit form onward.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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


class InvalidRRN(ValueError):
    """The text is not a valid resident registration number; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid resident registration number: {reason}")
        self.reason = reason


def check_digit(first12: str) -> int:
    """The check digit for the first twelve digits of an RRN."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("check_digit needs exactly twelve digits")
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


@dataclass(frozen=True, slots=True)
class RRN:
    """A validated resident registration number."""

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


def parse_rrn(text: str) -> RRN:
    """Validate `text` as an RRN; raise InvalidRRN naming the first problem found."""
    match = _SHAPE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidRRN("expected 13 digits, optionally as YYMMDD-NNNNNNN")
    digits = match.group(1) + match.group(2)
    try:
        _birth_date(digits)
    except ValueError:
        raise InvalidRRN("the first six digits are not a valid birth date") from None
    if check_digit(digits[:12]) != int(digits[12]):
        raise InvalidRRN("the check digit does not match")
    return RRN(digits)


def make_rrn(birth: dt.date, sex: str, region: int, serial: int) -> RRN:
    """Compose a valid RRN (used by the simulated population and tests)."""
    if birth.year >= 2000:
        seventh = 3 if sex == "M" else 4
    elif birth.year >= 1900:
        seventh = 1 if sex == "M" else 2
    else:
        seventh = 9 if sex == "M" else 0
    first12 = f"{birth:%y%m%d}{seventh}{region:04d}{serial % 10}"
    return RRN(first12 + str(check_digit(first12)))
