"""The counters a request increments and their fixed windows, shared by every store.

A /graphql request counts against its agency's UTC day, its agency's minute
and its official's minute; a token request (POST /oauth/token) against its
client address's minute and the minute of each client id its form names. A
limit of 0 switches that counter off. Windows are fixed (aligned on the
epoch), so every process, whatever store it uses, agrees on where a window
starts and ends given the same clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from hub.settings import RateLimits, TokenRateLimits

MINUTE = 60
DAY = 86_400
#: No window is longer: the database store purges rows of scopes it has not
#: counted itself once they started this long ago.
LONGEST_WINDOW_S = DAY

#: Longest client address a token counter keeps (the key column holds 200).
MAX_ADDRESS_CHARS = 100
#: Hash tag shared by a token request's counters (address and client ids): a
#: multi-key Redis script needs all its keys in one Redis Cluster slot, and a
#: counter's key must not depend on the other counters of the request.
OAUTH_SLOT_TAG = "oauth-token"


@dataclass(frozen=True, slots=True)
class Counter:
    """One limit a request counts against: which one, whose, its window and its bound.

    `tag` groups the counters counted together (Redis puts them in one
    cluster slot); empty, it is the key up to its first ':' (the agency of
    the /graphql counters).
    """

    scope: str
    key: str
    window_s: int
    allowed: int
    tag: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.window_s <= LONGEST_WINDOW_S:
            raise ValueError(f"window of {self.window_s} s, not within (0, {LONGEST_WINDOW_S}]")

    def window_start(self, now: float) -> int:
        """The start (epoch seconds) of the window `now` falls in."""
        return int(now // self.window_s) * self.window_s

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window `now` falls in ends (at least 1: a Retry-After)."""
        return max(1, math.ceil(self.window_start(now) + self.window_s - now))

    @property
    def slot_tag(self) -> str:
        """The Redis Cluster hash tag of this counter's key."""
        return self.tag or self.key.partition(":")[0]


def prepared(wanted: Iterable[Counter]) -> list[Counter]:
    """`wanted` as a store counts it: limits of 0 dropped, one per (scope, key), in order.

    The order (scope, key) is the same for every request, so concurrent
    database transactions lock the rows alike and cannot deadlock. A counter
    given twice would be one row incremented twice in one statement (which
    PostgreSQL refuses); it counts once, against the lower bound.
    """
    unique: dict[tuple[str, str], Counter] = {}
    for counter in wanted:
        if counter.allowed <= 0:
            continue
        seen = unique.get((counter.scope, counter.key))
        if seen is None or counter.allowed < seen.allowed:
            unique[(counter.scope, counter.key)] = counter
    return [unique[k] for k in sorted(unique)]


def counters(limits: RateLimits, agency: str, official: str) -> list[Counter]:
    """The counters a /graphql request of `official` of `agency` increments, in a fixed order."""
    return prepared(
        [
            Counter("agency_per_day", agency, DAY, limits.agency_per_day),
            Counter("agency_per_minute", agency, MINUTE, limits.agency_per_minute),
            Counter(
                "official_per_minute", f"{agency}:{official}", MINUTE, limits.official_per_minute
            ),
        ]
    )


def token_address_counters(limits: TokenRateLimits, address: str | None) -> list[Counter]:
    """The counter of a token request from `address` (none when the address is unknown)."""
    if address is None:
        return []
    return prepared(
        [
            Counter(
                "token_address_per_minute",
                # An address is at most 45 characters (IPv6); the cap keeps an
                # odd peer name within the key column, where it would fail the
                # insert and so go uncounted.
                address[:MAX_ADDRESS_CHARS],
                MINUTE,
                limits.per_address_per_minute,
                OAUTH_SLOT_TAG,
            )
        ]
    )


def token_client_counters(limits: TokenRateLimits, clients: Iterable[str]) -> list[Counter]:
    """The counters of a token request naming `clients` (unverified ids), one per client."""
    return prepared(
        Counter(
            "token_client_per_minute", client, MINUTE, limits.per_client_per_minute, OAUTH_SLOT_TAG
        )
        for client in clients
    )
