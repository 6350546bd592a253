"""The minimisation transforms a catalog `Form` names.

Each takes the decoded source value (a `date` for dates, an `int` for won)
and the request's `TransformContext`, and returns the minimised value, or
None for None. They are pure, so property tests can pin them down.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.catalog.forms import ASSET_BANDS, INCOME_BANDS


@dataclass(frozen=True, slots=True)
class TransformContext:
    """What a transform may know about the request: whose pseudonyms, which day."""

    pseudonym_key: bytes
    today: dt.date


def rrn_mask(value: str, _: TransformContext) -> str:
    """`8503142123456` -> `850314-2******`: birth date and sex digit only."""
    digits = value.replace("-", "")
    return f"{digits[:6]}-{digits[6]}******"


def year(value: dt.date, _: TransformContext) -> int:
    """The year of a date."""
    return value.year


def age_years(value: dt.date, ctx: TransformContext) -> int:
    """Whole years from `value` to the request's day."""
    had_birthday = (ctx.today.month, ctx.today.day) >= (value.month, value.day)
    return ctx.today.year - value.year - (0 if had_birthday else 1)


_INCOME_LIMITS = (0, 10_000_000, 30_000_000, 50_000_000, 100_000_000)
_ASSET_LIMITS = (0, 10_000_000, 50_000_000, 100_000_000, 500_000_000)


def _band(amount: int, limits: tuple[int, ...], names: tuple[str, ...]) -> str:
    # names[0] is for nothing at all (amount <= 0); names[i] for amounts
    # below limits[i]; the last for everything from the last limit up.
    if amount <= limits[0]:
        return names[0]
    for limit, name in zip(limits[1:], names[1:], strict=False):
        if amount < limit:
            return name
    return names[-1]


def income_band(value: int, _: TransformContext) -> str:
    """The income band an annual amount falls in."""
    return _band(value, _INCOME_LIMITS, INCOME_BANDS)


def asset_band(value: int, _: TransformContext) -> str:
    """The asset band a value falls in."""
    return _band(value, _ASSET_LIMITS, ASSET_BANDS)


def is_severe(value: str, _: TransformContext) -> bool:
    """Whether a degree-of-disability code is SEVERE."""
    return value == "SEVERE"


def agency_pseudonym(value: str, ctx: TransformContext) -> str:
    """A keyed pseudonym of an identifier, stable per agency, unlinkable across agencies."""
    digest = hmac.new(ctx.pseudonym_key, b"value:" + value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode()


TRANSFORMS: dict[str, Callable[[Any, TransformContext], Any]] = {
    "rrn_mask": rrn_mask,
    "year": year,
    "age_years": age_years,
    "income_band": income_band,
    "asset_band": asset_band,
    "is_severe": is_severe,
    "agency_pseudonym": agency_pseudonym,
}


def apply(transform: str, value: Any, ctx: TransformContext) -> Any:
    """Apply the named transform; None stays None."""
    return None if value is None else TRANSFORMS[transform](value, ctx)
