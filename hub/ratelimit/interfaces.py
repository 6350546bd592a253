"""What the hub asks of a rate-limit store, whichever one counts the requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from hub.ratelimit.windows import Counter


class RateLimited(Exception):
    """A request over one of its rate limits; nothing runs."""

    def __init__(self, limit: str, allowed: int, retry_after: int) -> None:
        super().__init__(f"{limit} limit of {allowed} reached; retry after {retry_after} s")
        self.limit = limit
        self.allowed = allowed
        self.retry_after = retry_after


@runtime_checkable
class RateLimiter(Protocol):
    """Counts requests against the configured limits, shared by every hub process.

    A store that cannot be used lets the request through uncounted (with a
    warning): the limits protect the sources, they do not account for data.
    """

    #: Where the counters live ("database" or "redis"), for /readyz and logs.
    backend: str
    #: The time source (epoch seconds); tests replace it to cross windows.
    clock: Callable[[], float]

    async def hit(self, agency: str, official: str) -> None:
        """Count one request of `official` of `agency`; raise RateLimited if over a limit.

        A refused request consumes nothing.
        """
        ...

    async def hit_counters(self, wanted: Sequence[Counter]) -> None:
        """Count one request against each of `wanted`, atomically; RateLimited if over one.

        Either every counter is incremented or (over a limit, named by the
        RateLimited with the seconds left in its window) none is: a refused
        request consumes nothing. Counters whose `allowed` is 0 are switched
        off and skipped; a (scope, key) given twice counts once, against the
        lower bound.
        """
        ...

    async def check(self) -> None:
        """Raise unless the store answers (a readiness probe; counts nothing)."""
        ...

    async def aclose(self) -> None:
        """Release the store's connections."""
        ...
