"""What the hub asks of a rate-limit store, whichever one counts the requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable


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

    async def check(self) -> None:
        """Raise unless the store answers (a readiness probe; counts nothing)."""
        ...

    async def aclose(self) -> None:
        """Release the store's connections."""
        ...
