import datetime as dt

import pytest

from policies.transforms import (
    TransformContext,
    age_years,
    agency_pseudonym,
    apply,
    asset_band,
    income_band,
    is_severe,
    rrn_mask,
    year,
)

CTX = TransformContext(pseudonym_key=b"k" * 32, today=dt.date(2026, 11, 26))


def test_rrn_mask_keeps_birth_date_and_sex_digit_only() -> None:
    assert rrn_mask("8503142123456", CTX) == "850314-2******"
    assert rrn_mask("850314-2123456", CTX) == "850314-2******"


def test_year_and_age() -> None:
    assert year(dt.date(1985, 3, 14), CTX) == 1985
    assert age_years(dt.date(1985, 3, 14), CTX) == 41
    assert age_years(dt.date(1985, 11, 26), CTX) == 41
    assert age_years(dt.date(1985, 11, 27), CTX) == 40


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (0, "NONE"),
        (-5, "NONE"),
        (1, "UNDER_10M"),
        (9_999_999, "UNDER_10M"),
        (10_000_000, "10M_30M"),
        (49_999_999, "30M_50M"),
        (100_000_000, "100M_AND_OVER"),
    ],
)
def test_income_bands_have_exact_edges(amount: int, band: str) -> None:
    assert income_band(amount, CTX) == band


def test_asset_bands() -> None:
    assert asset_band(0, CTX) == "NONE"
    assert asset_band(60_000_000, CTX) == "50M_100M"
    assert asset_band(2_000_000_000, CTX) == "500M_AND_OVER"


def test_derived_flag() -> None:
    assert is_severe("SEVERE", CTX) is True
    assert is_severe("MILD", CTX) is False


def test_pseudonyms_differ_between_agencies_and_are_stable() -> None:
    other = TransformContext(pseudonym_key=b"o" * 32, today=CTX.today)
    assert agency_pseudonym("12GA3456", CTX) == agency_pseudonym("12GA3456", CTX)
    assert agency_pseudonym("12GA3456", CTX) != agency_pseudonym("12GA3456", other)
    assert "3456" not in agency_pseudonym("12GA3456", CTX)


def test_none_stays_none() -> None:
    assert apply("income_band", None, CTX) is None
