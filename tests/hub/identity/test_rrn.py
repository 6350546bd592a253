import datetime as dt

import pytest

from hub.identity.rrn import InvalidRRN, check_digit, make_rrn, parse_rrn


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


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected 13 digits"),
        ("85031421234", "expected 13 digits"),
        ("8503142123456 7", "expected 13 digits"),
        ("85O3142123456", "expected 13 digits"),
        ("851314-2123456", "not a valid birth date"),
        ("850230-2123456", "not a valid birth date"),
        ("8503142123457", "check digit"),
    ],
)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidRRN, match=reason):
        parse_rrn(text)


def test_every_wrong_check_digit_is_refused() -> None:
    first12 = "850314212345"
    good = check_digit(first12)
    for digit in range(10):
        if digit != good:
            with pytest.raises(InvalidRRN):
                parse_rrn(first12 + str(digit))
