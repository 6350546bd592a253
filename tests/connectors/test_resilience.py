"""CircuitBreaker, RetryPolicy and ResilientCaller on a fake clock: no real waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from connectors.errors import SourceError, SourceInvalidData, SourceUnavailable
from connectors.resilience import (
    BreakerState,
    CircuitBreaker,
    ResilientCaller,
    RetryPolicy,
    breaker_states,
)


class FakeClock:
    """A monotonic clock that moves only when told (or when the caller "sleeps")."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _state(breaker: CircuitBreaker) -> BreakerState:
    # A call, not an attribute, so that mypy does not narrow the state
    # across the transitions a test makes.
    return breaker.state


def _caller(
    clock: FakeClock,
    *,
    attempts: int = 3,
    budget_s: float = 2.0,
    failures: int = 3,
    cooldown_s: float = 10.0,
    rng: Callable[[], float] = lambda: 1.0,
) -> ResilientCaller:
    return ResilientCaller(
        "NTS",
        budget_s,
        RetryPolicy(attempts=attempts, base_delay_s=0.1, max_delay_s=1.0),
        CircuitBreaker(failures, cooldown_s, clock=clock),
        clock=clock,
        sleep=clock.sleep,
        rng=rng,
    )


class Script:
    """An attempt function that raises the scripted errors in turn, then answers."""

    def __init__(self, *errors: SourceError, cost_s: float = 0.0, clock: FakeClock) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.cost_s = cost_s
        self.clock = clock

    async def __call__(self) -> str:
        self.calls += 1
        self.clock.now += self.cost_s
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def _down(retryable: bool = True) -> SourceUnavailable:
    return SourceUnavailable("NTS", "answered HTTP 503", retryable=retryable)


# -- RetryPolicy ------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_and_scales_with_jitter() -> None:
    policy = RetryPolicy(attempts=10, base_delay_s=0.1, max_delay_s=1.0)
    assert [policy.delay(n, lambda: 1.0) for n in range(1, 6)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.0]
    )
    assert policy.delay(3, lambda: 0.5) == pytest.approx(0.2)
    assert policy.delay(3, lambda: 0.0) == 0.0


def test_next_delay_refuses_final_errors_spent_attempts_and_spent_budget() -> None:
    policy = RetryPolicy(attempts=3, base_delay_s=0.1)
    one: Callable[[], float] = lambda: 1.0  # noqa: E731
    assert policy.next_delay(1, _down(), 5.0, one) == pytest.approx(0.1)
    assert policy.next_delay(1, _down(retryable=False), 5.0, one) is None
    assert policy.next_delay(1, SourceInvalidData("NTS", "not JSON"), 5.0, one) is None
    assert policy.next_delay(3, _down(), 5.0, one) is None  # the third was the last
    assert policy.next_delay(2, _down(), 0.15, one) is None  # 0.2 s pause leaves no time


@pytest.mark.parametrize("kwargs", [{"attempts": 0}, {"base_delay_s": -1.0}, {"max_delay_s": -0.5}])
def test_retry_policy_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


# -- CircuitBreaker ---------------------------------------------------------


def test_breaker_opens_after_k_consecutive_failures() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(3, 10.0, clock=clock)
    for _ in range(2):
        assert breaker.acquire() is False
        breaker.failure()
    assert _state(breaker) is BreakerState.CLOSED
    breaker.success()  # a success in between starts the count again
    for _ in range(2):
        breaker.failure()
    assert _state(breaker) is BreakerState.CLOSED
    breaker.failure()
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.acquire() is None
    assert breaker.retry_in_s() == pytest.approx(10.0)


def test_half_open_lets_exactly_one_trial_through_and_success_closes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    breaker.failure()
    clock.now += 9.9
    assert breaker.acquire() is None
    clock.now += 0.1
    assert _state(breaker) is BreakerState.HALF_OPEN
    assert breaker.acquire() is True
    assert breaker.acquire() is None, "a second caller waits while the trial runs"
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.success()
    assert _state(breaker) is BreakerState.CLOSED
    assert breaker.acquire() is False


def test_failed_trial_reopens_for_a_full_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(2, 5.0, clock=clock)
    breaker.failure()
    breaker.failure()
    clock.now += 5.0
    assert breaker.acquire() is True
    breaker.failure()
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.retry_in_s() == pytest.approx(5.0)


def test_released_trial_lets_the_next_caller_probe() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 1.0, clock=clock)
    breaker.failure()
    clock.now += 1.0
    assert breaker.acquire() is True
    breaker.release()  # cancelled, or the source answered garbage
    assert breaker.acquire() is True


def test_breaker_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="breaker"):
        CircuitBreaker(0, 1.0)


# -- ResilientCaller --------------------------------------------------------


async def test_transient_failures_are_retried_with_backoff() -> None:
    clock = FakeClock()
    caller = _caller(clock)
    script = Script(_down(), _down(), clock=clock)
    assert await caller.call(script) == "answer"
    assert script.calls == 3
    assert clock.sleeps == pytest.approx([0.1, 0.2])
    assert _state(caller.breaker) is BreakerState.CLOSED
    assert caller.breaker.consecutive_failures == 0


async def test_at_most_n_attempts_then_the_last_error() -> None:
    clock = FakeClock()
    caller = _caller(clock, attempts=3)
    script = Script(_down(), _down(), _down(), _down(), clock=clock)
    with pytest.raises(SourceUnavailable, match="503"):
        await caller.call(script)
    assert script.calls == 3
    assert caller.breaker.consecutive_failures == 1, "one failed call, however many attempts"


@pytest.mark.parametrize(
    "error",
    [SourceUnavailable("NTS", "answered HTTP 404"), SourceInvalidData("NTS", "not JSON")],
    ids=["4xx", "malformed"],
)
async def test_final_errors_are_not_retried(error: SourceError) -> None:
    clock = FakeClock()
    caller = _caller(clock)
    script = Script(error, clock=clock)
    with pytest.raises(type(error)):
        await caller.call(script)
    assert script.calls == 1
    assert clock.sleeps == []


async def test_invalid_data_does_not_count_against_the_breaker() -> None:
    clock = FakeClock()
    caller = _caller(clock, failures=1)
    with pytest.raises(SourceInvalidData):
        await caller.call(Script(SourceInvalidData("NTS", "[]"), clock=clock))
    assert _state(caller.breaker) is BreakerState.CLOSED


async def test_retries_stop_when_the_budget_would_be_exceeded() -> None:
    clock = FakeClock()
    # Each attempt costs 0.9 s of a 2 s budget: after two attempts and a 0.1 s
    # pause only 0.1 s remains, less than the next 0.2 s pause: give up now.
    caller = _caller(clock, attempts=5, budget_s=2.0)
    script = Script(_down(), _down(), _down(), _down(), cost_s=0.9, clock=clock)
    with pytest.raises(SourceUnavailable):
        await caller.call(script)
    assert script.calls == 2
    assert clock.sleeps == pytest.approx([0.1])
    assert clock.now - 1000.0 <= 2.0


async def test_an_attempt_is_cut_off_at_the_budget() -> None:
    caller = _caller(FakeClock(), budget_s=0.01)

    async def hang() -> str:
        await asyncio.Event().wait()
        return "never"

    with pytest.raises(SourceUnavailable, match="timed out"):
        await caller.call(hang)


async def test_open_breaker_fails_fast_without_calling() -> None:
    clock = FakeClock()
    caller = _caller(clock, attempts=1, failures=2, cooldown_s=0.2)
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            await caller.call(Script(_down(), clock=clock))
    assert _state(caller.breaker) is BreakerState.OPEN
    script = Script(clock=clock)
    with pytest.raises(SourceUnavailable, match="circuit breaker is open") as raised:
        await caller.call(script)
    assert script.calls == 0
    assert raised.value.code == "SOURCE_UNAVAILABLE"
    clock.now += 0.2
    assert await caller.call(script) == "answer"
    assert script.calls == 1
    assert _state(caller.breaker) is BreakerState.CLOSED


async def test_half_open_trial_is_a_single_attempt() -> None:
    clock = FakeClock()
    caller = _caller(clock, attempts=3, failures=1, cooldown_s=1.0)
    with pytest.raises(SourceUnavailable):
        await caller.call(Script(_down(), _down(), _down(), clock=clock))
    clock.now += 1.0
    trial = Script(_down(), clock=clock)
    with pytest.raises(SourceUnavailable):
        await caller.call(trial)
    assert trial.calls == 1
    assert _state(caller.breaker) is BreakerState.OPEN


async def test_cancelled_trial_hands_its_permit_back() -> None:
    clock = FakeClock()
    caller = _caller(clock, failures=1, cooldown_s=1.0)
    with pytest.raises(SourceUnavailable):
        await caller.call(Script(_down(retryable=False), clock=clock))
    clock.now += 1.0
    started = asyncio.Event()

    async def hang() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    task = asyncio.ensure_future(caller.call(hang))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert caller.breaker.acquire() is True


def test_breaker_states_by_source() -> None:
    class Stub:
        def __init__(self, state: str) -> None:
            self.state = state

        def breaker_state(self) -> str:
            return self.state

    assert breaker_states({"NTS": Stub("open"), "MOIS": Stub("closed")}) == {
        "MOIS": "closed",
        "NTS": "open",
    }
