"""Summaries of per-request timings and plain-text tables, shared by benchmarks."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

_NS_PER_MS = 1_000_000


@dataclass(frozen=True)
class Stats:
    """Summary of one variant's per-request wall times."""

    variant: str
    requests: int
    mean_ms: float
    median_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        """Requests per second, one request in flight at a time."""
        return 1000.0 / self.mean_ms if self.mean_ms > 0 else math.inf


def percentile(sorted_values: Sequence[int], fraction: float) -> int:
    """Nearest-rank percentile of already sorted values (defined for any non-empty list)."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(variant: str, samples_ns: Sequence[int]) -> Stats:
    """Mean, median and p95 of `samples_ns`, in milliseconds."""
    ordered = sorted(samples_ns)
    return Stats(
        variant=variant,
        requests=len(ordered),
        mean_ms=statistics.fmean(ordered) / _NS_PER_MS,
        median_ms=statistics.median(ordered) / _NS_PER_MS,
        p95_ms=percentile(ordered, 0.95) / _NS_PER_MS,
    )


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def stats_table(stats: Sequence[Stats]) -> str:
    """The per-variant table every benchmark prints."""
    headers = ["variant", "requests", "mean ms", "median ms", "p95 ms", "requests/s"]
    rows = [
        [
            s.variant,
            str(s.requests),
            f"{s.mean_ms:.3f}",
            f"{s.median_ms:.3f}",
            f"{s.p95_ms:.3f}",
            f"{s.per_second:.1f}",
        ]
        for s in stats
    ]
    return format_table(headers, rows)
