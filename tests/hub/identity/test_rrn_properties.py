"""Property tests of the registration-number parser (hypothesis, derandomised for CI)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.identity.rrn import RRN, InvalidRRN, check_digit, make_rrn, parse_rrn

PROPERTIES = settings(max_examples=300, derandomize=True, deadline=None)

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
sexes = st.sampled_from(["M", "F"])


@PROPERTIES
@given(births, sexes, st.integers(0, 9999), st.integers(0, 9))
def test_composed_numbers_parse_back_to_the_same_person(
    birth: dt.date, sex: str, region: int, serial: int
) -> None:
    rrn = make_rrn(birth, sex, region, serial)
    for text in (rrn.digits, f"{rrn.digits[:6]}-{rrn.digits[6:]}", f"  {rrn.digits} "):
        parsed = parse_rrn(text)
        assert parsed == rrn
        assert parsed.birth_date == birth
        assert parsed.sex == sex
    assert re.fullmatch(r"\d{6}-\d\*{6}", rrn.masked())
    assert rrn.masked()[:6] == rrn.digits[:6]


def _outcome(text: str) -> RRN | InvalidRRN:
    """The parsed number, or the refusal (any other exception escapes and fails)."""
    try:
        return parse_rrn(text)
    except InvalidRRN as exc:
        return exc


@PROPERTIES
@given(st.text(max_size=30))
def test_any_text_is_either_a_number_or_a_clear_refusal(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, InvalidRRN):
        assert outcome.reason
    else:
        assert len(outcome.digits) == 13 and outcome.digits.isdigit()


@PROPERTIES
@given(st.from_regex(r"\A[0-9]{13}\Z"))
def test_thirteen_digits_parse_exactly_when_date_and_check_digit_hold(digits: str) -> None:
    outcome = _outcome(digits)
    if isinstance(outcome, InvalidRRN):
        assert outcome.reason in (
            "the first six digits are not a valid birth date",
            "the check digit does not match",
        )
    else:
        assert check_digit(digits[:12]) == int(digits[12])
        assert outcome.birth_date.strftime("%y%m%d") == digits[:6]


@PROPERTIES
@given(st.from_regex(r"\A\d{13}\Z").filter(lambda t: not t.isascii()))
def test_digits_of_other_scripts_are_refused(digits: str) -> None:
    # Found by the property above: `\d` admitted e.g. Malayalam digits, so one
    # person could be named (and hashed) under many different strings.
    outcome = _outcome(digits)
    assert isinstance(outcome, InvalidRRN)
    assert outcome.reason.startswith("expected 13 digits")
