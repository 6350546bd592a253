"""Freshness: whether a source's record is too old for a grant's `max_age_days`.

The hub keeps no copy of source data, so the age of a record is the age the
source states for it (its as-of date, docs/sources.md), measured against the
request's date. Pure on purpose: the resolver path calls `is_stale` in one
place, and the rule can be tested at its boundary without a clock.
"""

from __future__ import annotations

import datetime as dt


def age_days(as_of: dt.date, today: dt.date) -> int:
    """Whole days from `as_of` to `today` (negative for an as-of after today)."""
    return (today - as_of).days


def is_stale(as_of: dt.date, max_age_days: int, today: dt.date) -> bool:
    """Whether a record established on `as_of` is older than `max_age_days` on `today`.

    A record exactly `max_age_days` old may still be released (the grant says
    how old data *may* be); one day more may not. An as-of after `today` is
    not stale: a source's day may have begun before the hub's.
    """
    return age_days(as_of, today) > max_age_days
