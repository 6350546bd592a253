"""The counters one request increments and their fixed windows, shared by every store.

Each request counts against its agency's UTC day, its agency's minute and its
official's minute; a limit of 0 switches that counter off. Windows are fixed
(aligned on the epoch), so every process, whatever store it uses, agrees on
where a window starts and ends given the same clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hub.settings import RateLimits

MINUTE = 60
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Counter:
    """One limit a request counts against: which one, whose, its window and its bound."""

    scope: str
    key: str
    window_s: int
    allowed: int

    def window_start(self, now: float) -> int:
        """The start (epoch seconds) of the window `now` falls in."""
        return int(now // self.window_s) * self.window_s

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window `now` falls in ends (at least 1: a Retry-After)."""
        return max(1, math.ceil(self.window_start(now) + self.window_s - now))


def counters(limits: RateLimits, agency: str, official: str) -> list[Counter]:
    """The counters a request of `official` of `agency` increments, in a fixed order.

    The order (scope, key) is the same for every request, so concurrent
    database transactions lock the rows alike and cannot deadlock.
    """
    found = [
        Counter("agency_per_day", agency, DAY, limits.agency_per_day),
        Counter("agency_per_minute", agency, MINUTE, limits.agency_per_minute),
        Counter("official_per_minute", f"{agency}:{official}", MINUTE, limits.official_per_minute),
    ]
    return sorted((c for c in found if c.allowed > 0), key=lambda c: (c.scope, c.key))
