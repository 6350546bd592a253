import datetime as dt

import pytest

from hub.identity import rrn as rrn_module
from hub.identity.rrn import (
    InvalidRRN,
    check_digit,
    make_random_rrn,
    make_rrn,
    parse_rrn,
    today_in_korea,
)

TODAY = dt.date(2026, 12, 4)


def test_known_number_validates_and_decodes() -> None:
    rrn = make_rrn(dt.date(1985, 3, 14), "F", 1234, 5)
    assert str(rrn) == "8503142123456"
    parsed = parse_rrn("850314-2123456")
    assert parsed == rrn
    assert parsed.birth_date == dt.date(1985, 3, 14)
    assert parsed.sex == "F"
    assert parsed.masked() == "850314-2******"


def test_century_digit_for_2000s_births() -> None:
    rrn = make_rrn(dt.date(2004, 12, 31), "M", 1, 0)
    assert rrn.digits[6] == "3"
    assert parse_rrn(rrn.digits).birth_date == dt.date(2004, 12, 31)


def test_post_2020_number_with_a_wrong_check_digit_is_accepted() -> None:
    # A child born after the reform: six random digits, no check digit.
    text = "211103-4738201"
    digits = text.replace("-", "")
    assert check_digit(digits[:12]) != int(digits[12])  # the old rule would refuse it
    parsed = parse_rrn(text)
    assert parsed.digits == "2111034738201"
    assert parsed.birth_date == dt.date(2021, 11, 3)
    assert parsed.sex == "F"


def test_reissued_number_of_an_older_person_is_accepted() -> None:
    # Changed after identity theft in 2023: born 1962, new-style tail.
    text = "620517-1904736"
    digits = text.replace("-", "")
    assert check_digit(digits[:12]) != int(digits[12])
    assert parse_rrn(text).birth_date == dt.date(1962, 5, 17)


@pytest.mark.parametrize("first12", ["850314212345", "211103473820", "620517190473"])
def test_no_last_digit_is_refused(first12: str) -> None:
    outcomes = {parse_rrn(first12 + str(digit)).birth_date for digit in range(10)}
    assert len(outcomes) == 1


def test_composed_new_style_number() -> None:
    rrn = make_random_rrn(dt.date(2024, 2, 29), "M", 7)
    assert rrn.digits == "2402293000007"
    assert parse_rrn(rrn.digits, today=TODAY) == rrn
    for tail in (-1, 1_000_000):
        with pytest.raises(ValueError, match="six digits"):
            make_random_rrn(dt.date(2024, 2, 29), "M", tail)


def test_composing_refuses_years_no_seventh_digit_encodes() -> None:
    for birth in (dt.date(1799, 12, 31), dt.date(2100, 1, 1)):
        with pytest.raises(ValueError, match="1800 to 2099"):
            make_rrn(birth, "F", 1, 1)
        with pytest.raises(ValueError, match="1800 to 2099"):
            make_random_rrn(birth, "F", 1)


@pytest.mark.parametrize(
    ("text", "birth", "sex"),
    [
        ("991231-9000001", dt.date(1899, 12, 31), "M"),
        ("000101-0000001", dt.date(1800, 1, 1), "F"),
        ("000229-3000001", dt.date(2000, 2, 29), "M"),
        ("850314-5000001", dt.date(1985, 3, 14), "M"),  # registered foreigner
        ("200101-8000001", dt.date(2020, 1, 1), "F"),
        ("261204-4000001", TODAY, "F"),  # born today
    ],
)
def test_every_century_digit_decodes(text: str, birth: dt.date, sex: str) -> None:
    parsed = parse_rrn(text, today=TODAY)
    assert (parsed.birth_date, parsed.sex) == (birth, sex)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected 13 digits"),
        ("85031421234", "expected 13 digits"),
        ("8503142123456 7", "expected 13 digits"),
        ("85O3142123456", "expected 13 digits"),
        ("".join(chr(ord(c) + 0xFEE0) for c in "8503142123456"), "expected 13 digits"),  # fullwidth
        ("851314-2123456", "not a valid birth date"),
        ("850230-2123456", "not a valid birth date"),
        ("850431-2123456", "not a valid birth date"),
        ("850300-2123456", "not a valid birth date"),
        # 29 February 1900 and 1800 never existed: the digit contradicts the date.
        ("000229-1123456", r"seventh digit \(1\) puts the birth in the 1900s.*1900-02-29"),
        ("000229-6123456", r"seventh digit \(6\) .*1900s, and 1900-02-29 did not exist"),
        ("000229-0123456", r"seventh digit \(0\) .*1800s, and 1800-02-29 did not exist"),
        # A 2000s digit cannot name someone not yet born.
        ("261205-3123456", r"seventh digit \(3\) .*2000s, and 2026-12-05 is in the future"),
        ("991231-8123456", r"seventh digit \(8\) .*2000s, and 2099-12-31 is in the future"),
    ],
)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidRRN, match=reason) as refused:
        parse_rrn(text, today=TODAY)
    assert refused.value.reason in str(refused.value)


def test_the_same_date_with_a_1900s_digit_is_in_the_past() -> None:
    # 991231 is 2099 with a 2000s digit (refused above) but 1999 with a 1900s one.
    assert parse_rrn("991231-1123456", today=TODAY).birth_date == dt.date(1999, 12, 31)


def test_today_is_the_date_in_korea() -> None:
    # 20:00 UTC on 4 December is 05:00 on 5 December in Seoul.
    assert today_in_korea(dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)) == dt.date(2026, 12, 5)
    assert today_in_korea(dt.datetime(2026, 12, 4, 14, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 4)


def test_without_today_the_clock_in_korea_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rrn_module, "today_in_korea", lambda: dt.date(2026, 12, 5))
    assert parse_rrn("261205-3123456").birth_date == dt.date(2026, 12, 5)
    with pytest.raises(InvalidRRN, match="in the future"):
        parse_rrn("261206-3123456")
