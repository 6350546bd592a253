"""Concurrent lookups of the same fields share one source call; nothing else changes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from connectors.base import FetchResult, FieldRequest, SourceUnavailable
from connectors.coalesce import Coalescer, fields_key

INCOME = {"earnedIncome": ["annualAmount"]}
PENSION = {"nationalPension": ["monthlyAmount"]}


class Source:
    """Records each call; knows every subject except those starting with "?"."""

    def __init__(self, delay_s: float = 0.01, error: Exception | None = None) -> None:
        self.calls: list[tuple[list[str], FieldRequest]] = []
        self.delay_s = delay_s
        self.error = error

    async def __call__(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        self.calls.append((list(subjects), fields))
        await asyncio.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        return FetchResult(
            records={s: {t: {"of": s} for t in fields} for s in subjects if s[0] != "?"},
            unknown={s for s in subjects if s[0] == "?"},
        )


async def test_concurrent_lookups_share_one_call_and_get_only_their_persons() -> None:
    source = Source()
    coalescer = Coalescer(source, max_batch=100)
    a, b, c = await asyncio.gather(
        coalescer.fetch(["a1", "a2"], INCOME),
        coalescer.fetch(["b1", "?b2"], INCOME),
        coalescer.fetch(["a1"], INCOME),
    )
    assert len(source.calls) == 1
    assert source.calls[0][0] == ["a1", "a2", "b1", "?b2"], "each person asked once"
    assert set(a.records) == {"a1", "a2"} and a.unknown == set()
    assert set(b.records) == {"b1"} and b.unknown == {"?b2"}
    assert set(c.records) == {"a1"}
    assert (coalescer.calls, coalescer.lookups) == (1, 3)


async def test_different_fields_are_never_merged() -> None:
    source = Source()
    coalescer = Coalescer(source, max_batch=100)
    await asyncio.gather(
        coalescer.fetch(["a"], INCOME),
        coalescer.fetch(["b"], PENSION),
        coalescer.fetch(["c"], {"earnedIncome": ["annualAmount", "employer"]}),
    )
    assert sorted(tuple(s) for s, _ in source.calls) == [("a",), ("b",), ("c",)]


def test_the_same_fields_in_another_order_are_the_same_request() -> None:
    assert fields_key({"x": ["b", "a"], "y": ["c"]}) == fields_key({"y": ["c"], "x": ["a", "b"]})


async def test_lookups_one_after_another_each_make_their_own_call() -> None:
    source = Source(delay_s=0)
    coalescer = Coalescer(source, max_batch=100)
    await coalescer.fetch(["a"], INCOME)
    await coalescer.fetch(["b"], INCOME)
    assert [s for s, _ in source.calls] == [["a"], ["b"]]


async def test_a_batch_never_exceeds_the_source_batch_size() -> None:
    source = Source()
    coalescer = Coalescer(source, max_batch=3)
    await asyncio.gather(*(coalescer.fetch([f"p{i}"], INCOME) for i in range(7)))
    assert [len(s) for s, _ in source.calls] == [3, 3, 1]


async def test_a_failed_call_fails_every_merged_lookup() -> None:
    source = Source(error=SourceUnavailable("NTS", "timed out"))
    coalescer = Coalescer(source, max_batch=100)
    results = await asyncio.gather(
        coalescer.fetch(["a"], INCOME), coalescer.fetch(["b"], INCOME), return_exceptions=True
    )
    assert len(source.calls) == 1
    assert all(isinstance(r, SourceUnavailable) for r in results), results


async def test_a_caller_giving_up_does_not_cancel_the_others() -> None:
    source = Source(delay_s=0.05)
    coalescer = Coalescer(source, max_batch=100)
    impatient = asyncio.create_task(coalescer.fetch(["a"], INCOME))
    patient = asyncio.create_task(coalescer.fetch(["b"], INCOME))
    await asyncio.sleep(0.01)
    impatient.cancel()
    result = await patient
    assert set(result.records) == {"b"}
    with pytest.raises(asyncio.CancelledError):
        await impatient


class Clock:
    """A hand-moved monotonic clock for the arrival rate."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_source_asked_often_holds_new_calls_open_for_company() -> None:
    source = Source(delay_s=0)
    clock = Clock()
    coalescer = Coalescer(source, max_batch=100, window_s=0.03, clock=clock)
    for i in range(3):  # lookups 10 ms apart: company is expected within 30 ms
        await coalescer.fetch([f"warm{i}"], INCOME)
        clock.now += 0.01
    assert coalescer.typical_gap_s == pytest.approx(0.01)
    source.delay_s = 0.05
    # Another request's call (other fields) is in flight: requests overlap.
    in_flight = asyncio.create_task(coalescer.fetch(["other"], PENSION))
    await asyncio.sleep(0.005)
    first = asyncio.create_task(coalescer.fetch(["a"], INCOME))
    await asyncio.sleep(0.01)  # a later request, within the window
    second = asyncio.create_task(coalescer.fetch(["b"], INCOME))
    await asyncio.gather(in_flight, first, second)
    assert [s for s, _ in source.calls][-1] == ["a", "b"]
    assert len(source.calls) == 5


async def test_one_request_after_another_never_waits() -> None:
    source = Source(delay_s=0)
    clock = Clock()
    coalescer = Coalescer(source, max_batch=100, window_s=10.0, clock=clock)
    for i in range(5):  # often (1 ms apart), but one at a time: nobody could join
        # A ten-second window would time the test out if applied (half of
        # it leaves a busy machine room and still tells the two apart).
        await asyncio.wait_for(coalescer.fetch([f"p{i}"], INCOME), timeout=5.0)
        clock.now += 0.001
    assert len(source.calls) == 5


async def test_a_source_asked_seldom_is_called_at_once_whatever_the_window() -> None:
    source = Source(delay_s=0)
    clock = Clock()
    coalescer = Coalescer(source, max_batch=100, window_s=10.0, clock=clock)
    for i in range(3):  # a minute apart: nobody would join, so nobody waits
        # A ten-second window would time the test out if applied (half of
        # it leaves a busy machine room and still tells the two apart).
        await asyncio.wait_for(coalescer.fetch([f"p{i}"], INCOME), timeout=5.0)
        clock.now += 60
    assert [s for s, _ in source.calls] == [["p0"], ["p1"], ["p2"]]


async def test_an_equal_request_object_of_another_plan_merges_too() -> None:
    source = Source()
    coalescer = Coalescer(source, max_batch=100)
    other = {"earnedIncome": ["annualAmount"]}  # equal to INCOME, another object
    await asyncio.gather(coalescer.fetch(["a"], INCOME), coalescer.fetch(["b"], other))
    assert [s for s, _ in source.calls] == [["a", "b"]]
