"""Sources are called slowest first, by the latency the hub has observed of each."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from connectors.base import BaseConnector, FetchResult, FieldRequest, slowest_first
from hub.catalog import load_catalog
from hub.catalog.model import Catalog, Source
from hub.settings import Settings


class Sleepy(BaseConnector):
    """Answers after `delay_s`, knowing nobody."""

    def __init__(self, source: Source, catalog: Catalog, delay_s: float) -> None:
        super().__init__(source, catalog, Settings())
        self.delay_s = delay_s

    async def _fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        await asyncio.sleep(self.delay_s)
        return FetchResult(unknown=set(subjects))


@pytest.fixture
def sleepy() -> dict[str, Sleepy]:
    catalog = load_catalog()
    delays = [0.001, 0.03, 0.015]
    return {
        source.code: Sleepy(source, catalog, delay)
        for source, delay in zip(catalog.sources[:3], delays, strict=True)
    }


async def test_unmeasured_sources_keep_their_code_order(sleepy: dict[str, Sleepy]) -> None:
    assert slowest_first(sleepy, sleepy) == sorted(sleepy)


async def test_measured_sources_go_slowest_first(sleepy: dict[str, Sleepy]) -> None:
    for connector in sleepy.values():
        await connector.fetch(["x"], {})
    by_delay = sorted(sleepy, key=lambda code: -sleepy[code].delay_s)
    assert slowest_first(sleepy, sleepy) == by_delay
    slow = by_delay[0]
    assert sleepy[slow].typical_latency_s >= sleepy[slow].delay_s


async def test_one_odd_call_does_not_reorder(sleepy: dict[str, Sleepy]) -> None:
    for connector in sleepy.values():
        await connector.fetch(["x"], {})
    fast = min(sleepy, key=lambda code: sleepy[code].delay_s)
    slow = max(sleepy, key=lambda code: sleepy[code].delay_s)
    sleepy[fast].delay_s = 0.06  # one hiccup, twice the slow source's usual latency
    await sleepy[fast].fetch(["x"], {})
    assert slowest_first(sleepy, sleepy)[0] == slow
