"""The freshness rule: a record may be exactly `max_age_days` old, not a day more."""

from __future__ import annotations

import datetime as dt

import pytest

from policies.freshness import age_days, is_stale

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize("max_age_days", [0, 1, 7, 30, 365])
def test_exactly_max_age_days_old_is_fresh_and_one_day_more_is_stale(max_age_days: int) -> None:
    limit = TODAY - dt.timedelta(days=max_age_days)
    assert not is_stale(limit, max_age_days, TODAY)
    assert is_stale(limit - dt.timedelta(days=1), max_age_days, TODAY)


def test_a_record_of_today_is_fresh_even_for_a_zero_day_grant() -> None:
    assert not is_stale(TODAY, 0, TODAY)


def test_the_age_crosses_month_year_and_leap_day_boundaries() -> None:
    assert age_days(dt.date(2024, 2, 28), dt.date(2024, 3, 1)) == 2
    assert age_days(dt.date(2025, 12, 31), dt.date(2026, 1, 30)) == 30
    assert not is_stale(dt.date(2025, 12, 31), 30, dt.date(2026, 1, 30))
    assert is_stale(dt.date(2025, 12, 31), 30, dt.date(2026, 1, 31))


def test_an_as_of_after_today_is_not_stale() -> None:
    # The source's day may have begun before the hub's.
    tomorrow = TODAY + dt.timedelta(days=1)
    assert age_days(tomorrow, TODAY) == -1
    assert not is_stale(tomorrow, 0, TODAY)
