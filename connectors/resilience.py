"""Bounded retries and a circuit breaker for calls to source institutions.

Both are transport-neutral: `BaseConnector.fetch` runs every connector's
`_fetch` through a `ResilientCaller`, so HTTP, SQL and any future transport
share one behaviour (docs/sources.md, "Faults of the sources"):

- a call has one time budget, the source's timeout; every attempt and every
  back-off pause fit inside it, so a field fails within the configured
  timeout however many retries are allowed;
- only failures marked retryable (connection errors, timeouts, 5xx gateway
  errors) are retried, with exponential back-off and full jitter; a 4xx or
  malformed data is final at once;
- after K consecutive failed calls the source's breaker opens and its fields
  fail fast without any call; after a cool-down one trial call goes through
  (half-open) and its success closes the breaker again.

Clocks, sleeping and randomness are injectable so the logic is tested
without waiting.
"""

from __future__ import annotations

import asyncio
import enum
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from connectors.errors import SourceError, SourceUnavailable

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class BreakerState(enum.StrEnum):
    """What an operator sees of a source's circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerReport:
    """What /readyz says of one source: its breaker and its recent failures."""

    state: BreakerState
    #: Failed calls since the last success (the breaker opens at its threshold).
    consecutive_failures: int
    #: Seconds until an open breaker lets a trial call through (0 otherwise).
    retry_in_s: float
    #: Seconds since the last failed call, None if none failed since this process started.
    last_failure_s_ago: float | None
    #: Seconds since the last successful call, None if none succeeded yet.
    last_success_s_ago: float | None

    @property
    def healthy(self) -> bool:
        """Closed, and no call has failed since the last success."""
        return self.state is BreakerState.CLOSED and self.consecutive_failures == 0

    def as_json(self) -> dict[str, object]:
        """The report as /readyz shows it (seconds rounded to 0.1)."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "state": self.state.value,
            "consecutive_failures": self.consecutive_failures,
            "retry_in_s": rounded(self.retry_in_s),
            "last_failure_s_ago": rounded(self.last_failure_s_ago),
            "last_success_s_ago": rounded(self.last_success_s_ago),
        }


class CircuitBreaker:
    """Stops calling a source after `failures` consecutive failed calls.

    While open, `acquire()` refuses; once `cooldown_s` has passed, exactly one
    caller gets a trial permit (half-open) and the others are still refused,
    so a recovering source is probed by one call, not by a stampede. The
    trial's outcome closes the breaker or opens it for another cool-down.
    Single-threaded by design: it lives in one event loop, so no lock.
    """

    def __init__(self, failures: int, cooldown_s: float, clock: Clock = time.monotonic) -> None:
        if failures < 1 or cooldown_s < 0:
            raise ValueError("a breaker needs failures >= 1 and cooldown_s >= 0")
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._last_failure_at: float | None = None
        self._last_success_at: float | None = None

    @property
    def state(self) -> BreakerState:
        """Closed, open, or half-open (cool-down over or trial call running)."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._trial_in_flight or self.retry_in_s() == 0:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        """Failed calls since the last success."""
        return self._consecutive

    def report(self) -> BreakerReport:
        """A snapshot of the breaker for readiness: state, failures and when they happened."""
        now = self._clock()
        return BreakerReport(
            state=self.state,
            consecutive_failures=self._consecutive,
            retry_in_s=self.retry_in_s(),
            last_failure_s_ago=None
            if self._last_failure_at is None
            else now - self._last_failure_at,
            last_success_s_ago=None
            if self._last_success_at is None
            else now - self._last_success_at,
        )

    def retry_in_s(self) -> float:
        """Seconds until the cool-down ends (0 when closed or already over)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self.cooldown_s - self._clock())

    def acquire(self) -> bool | None:
        """Permission to call: None to refuse, True for the half-open trial, False otherwise."""
        if self._opened_at is None:
            return False
        if self._trial_in_flight or self.retry_in_s() > 0:
            return None
        self._trial_in_flight = True
        return True

    def success(self) -> None:
        """The source answered: close the breaker and forget past failures."""
        self._consecutive = 0
        self._opened_at = None
        self._trial_in_flight = False
        self._last_success_at = self._clock()

    def failure(self) -> None:
        """The call failed: count it; open (again) at the threshold or after a failed trial."""
        self._consecutive += 1
        self._last_failure_at = self._clock()
        if self._trial_in_flight or self._consecutive >= self.failures:
            self._opened_at = self._clock()
        self._trial_in_flight = False

    def release(self) -> None:
        """The call ended saying nothing about availability (cancelled, bad data).

        A trial permit is handed back, so the next caller may probe instead;
        without this a cancelled trial would keep the breaker half-open forever.
        """
        self._trial_in_flight = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most `attempts` tries, with exponential back-off and full jitter between them.

    The n-th pause (n = 1 after the first attempt) is uniform in
    [0, min(max_delay_s, base_delay_s * 2**(n-1))]: full jitter spreads the
    retries of many requests that failed together, so a recovering source is
    not hit by synchronised waves.
    """

    attempts: int = 3
    base_delay_s: float = 0.1
    max_delay_s: float = 1.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("a retry policy needs attempts >= 1 and non-negative delays")

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """The pause after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return ceiling * rng()

    def next_delay(
        self,
        attempt: int,
        error: SourceError,
        remaining_s: float,
        rng: Callable[[], float] = random.random,
    ) -> float | None:
        """The pause before another attempt, or None when the failure is final.

        Final: the error is not retryable, the attempts are used up, or the
        pause would not leave any of the budget for the next attempt.
        """
        if not is_retryable(error) or attempt >= self.attempts:
            return None
        pause = self.delay(attempt, rng)
        return pause if pause < remaining_s else None


def is_retryable(error: SourceError) -> bool:
    """Whether another attempt may succeed (only transient unavailability)."""
    return isinstance(error, SourceUnavailable) and error.retryable


class ResilientCaller:
    """Runs a source call under a time budget, a retry policy and a breaker."""

    def __init__(
        self,
        source: str,
        budget_s: float,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.source = source
        self.budget_s = budget_s
        self.policy = policy
        self.breaker = breaker
        self._clock = clock
        self._sleep = sleep
        self._rng = rng

    async def call(self, attempt_fn: Callable[[], Awaitable[T]]) -> T:
        """`attempt_fn()` until it succeeds or fails for good; SourceError on failure.

        A `TimeoutError` from an attempt (the budget ran out) is reported as
        SourceUnavailable. SourceInvalidData and other non-retryable errors
        are raised after the first attempt and do not count against the
        breaker: the source is up, it answered badly.
        """
        trial = self.breaker.acquire()
        if trial is None:
            raise SourceUnavailable(
                self.source,
                f"is not called: its circuit breaker is open after "
                f"{self.breaker.consecutive_failures} consecutive failures "
                f"(next trial in {self.breaker.retry_in_s():.1f} s)",
            )
        # The half-open probe is one attempt: a source still failing should
        # not be hammered by a trial's retries.
        attempts = 1 if trial else self.policy.attempts
        deadline = self._clock() + self.budget_s
        attempt = 0
        settled = False
        try:
            while True:
                attempt += 1
                remaining = deadline - self._clock()
                try:
                    if remaining <= 0:
                        raise TimeoutError
                    async with asyncio.timeout(remaining):
                        result = await attempt_fn()
                except TimeoutError:
                    error: SourceError = SourceUnavailable(self.source, "timed out", retryable=True)
                except SourceError as exc:
                    error = exc
                else:
                    self.breaker.success()
                    settled = True
                    return result
                pause = (
                    self.policy.next_delay(attempt, error, deadline - self._clock(), self._rng)
                    if attempt < attempts
                    else None
                )
                if pause is None:
                    if isinstance(error, SourceUnavailable):
                        self.breaker.failure()
                        settled = True
                    raise error
                await self._sleep(pause)
        finally:
            if not settled:
                self.breaker.release()


class HasBreaker(Protocol):
    """Anything reporting a breaker state, such as a connector."""

    def breaker_state(self) -> str:
        """ "closed", "open" or "half_open"."""
        ...


def breaker_states(connectors: Mapping[str, HasBreaker]) -> dict[str, str]:
    """Each source's breaker state by source code, for /readyz and /metrics."""
    return {code: connector.breaker_state() for code, connector in sorted(connectors.items())}
