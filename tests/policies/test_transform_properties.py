"""Property tests of the minimisation transforms (hypothesis, derandomised for CI)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.catalog.forms import ASSET_BANDS, INCOME_BANDS
from policies.transforms import (
    TransformContext,
    age_years,
    agency_pseudonym,
    asset_band,
    income_band,
    is_severe,
)

PROPERTIES = settings(max_examples=300, derandomize=True, deadline=None)
TODAY = dt.date(2026, 11, 26)
CTX = TransformContext(pseudonym_key=b"k" * 32, today=TODAY)
amounts = st.integers(min_value=-(10**9), max_value=10**12)


@PROPERTIES
@given(amounts, amounts)
def test_bands_are_monotone_and_named(a: int, b: int) -> None:
    low, high = sorted((a, b))
    for band, names in ((income_band, INCOME_BANDS), (asset_band, ASSET_BANDS)):
        assert band(low, CTX) in names and band(high, CTX) in names
        assert names.index(band(low, CTX)) <= names.index(band(high, CTX))


@PROPERTIES
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
def test_age_is_whole_years_lived(birth: dt.date) -> None:
    age = age_years(birth, CTX)
    assert age >= 0
    # Birthdays compared as (month, day), which also settles 29 February.
    reached = (TODAY.month, TODAY.day) >= (birth.month, birth.day)
    assert age == TODAY.year - birth.year - (0 if reached else 1)


@PROPERTIES
@given(st.text(min_size=1, max_size=40), st.binary(min_size=32, max_size=32))
def test_pseudonyms_are_stable_opaque_and_keyed(value: str, key: bytes) -> None:
    ctx = TransformContext(pseudonym_key=key, today=TODAY)
    first = agency_pseudonym(value, ctx)
    assert first == agency_pseudonym(value, ctx)
    assert len(first) == 24 and set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    other = TransformContext(pseudonym_key=bytes(b ^ 0xFF for b in key), today=TODAY)
    assert agency_pseudonym(value, other) != first


@PROPERTIES
@given(st.text(max_size=12))
def test_only_severe_is_severe(code: str) -> None:
    assert is_severe(code, CTX) is (code == "SEVERE")
