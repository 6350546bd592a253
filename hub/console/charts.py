"""Server-rendered SVG charts: the geometry computed here, drawn by `_charts.html`.

No chart library and nothing inline: the templates draw `<rect>` and
`<text>` with SVG attributes (position, size) and CSS classes (colour),
which the CSP's `style-src 'self'` allows, so charts render with script
off. Every chart is drawn next to a table of the same numbers, which is
what screen readers and anyone copying figures use; the SVG is one image
with a title saying what it shows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Series colours (console.css `.chart__series--N`); beyond these they repeat.
SERIES_CLASSES = 6
_WIDTH = 720
_LABEL_W = 250
_ROW_H = 26
_COL_AREA_H = 220
_AXIS_H = 48
_LEFT = 48


@dataclass(frozen=True)
class Rect:
    """A bar, or one series' part of a stacked column."""

    x: int
    y: int
    width: int
    height: int
    css: str
    #: What the bar says, for the `<title>` tooltip.
    tip: str


@dataclass(frozen=True)
class Label:
    """A piece of text on the chart."""

    x: int
    y: int
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw one chart and its table."""

    #: An id for `aria-labelledby` (unique on the page).
    key: str
    title: str
    width: int
    height: int
    rects: tuple[Rect, ...]
    labels: tuple[Label, ...]
    #: Gridlines: (x1, y1, x2, y2).
    grid: tuple[tuple[int, int, int, int], ...]
    #: The table: its header row and its rows (first cell a label, the rest numbers).
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: (series name, css class) for a legend; empty for a single series.
    legend: tuple[tuple[str, str], ...] = ()
    #: What the table leaves out, said in its caption.
    note: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw."""
        return not self.rows


def _nice_max(value: int) -> int:
    """A round top for the axis at or above `value` (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable: 10 * power >= value")


def bars(key: str, title: str, series: Sequence[tuple[str, int]], unit: str) -> Chart:
    """Horizontal bars, one per (label, count), in the order given."""
    top = _nice_max(max((n for _, n in series), default=0))
    plot_w = _WIDTH - _LABEL_W - 60
    rects, labels = [], []
    for i, (label, count) in enumerate(series):
        y = 10 + i * _ROW_H
        width = round(plot_w * count / top)
        rects.append(
            Rect(
                _LABEL_W,
                y,
                max(width, 1 if count else 0),
                _ROW_H - 8,
                "chart__series--0",
                f"{label}: {count} {unit}",
            )
        )
        shown = label if len(label) <= 34 else label[:33] + "…"
        labels.append(Label(_LABEL_W - 8, y + _ROW_H - 13, shown, "end"))
        labels.append(Label(_LABEL_W + width + 6, y + _ROW_H - 13, str(count)))
    height = 20 + len(series) * _ROW_H
    grid = tuple(
        (_LABEL_W + round(plot_w * q / 4), 4, _LABEL_W + round(plot_w * q / 4), height - 6)
        for q in range(5)
    )
    return Chart(
        key=key,
        title=title,
        width=_WIDTH,
        height=height,
        rects=tuple(rects),
        labels=tuple(labels),
        grid=grid,
        header=("", unit.capitalize()),
        rows=tuple((label, str(count)) for label, count in series),
    )


def stacked_columns(
    key: str, title: str, columns: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Chart:
    """One column per entry of `columns` (days), stacked by series (agencies), with a legend.

    `series` is (name, counts), each counts list as long as `columns`.
    """
    totals = [sum(counts[i] for _, counts in series) for i in range(len(columns))]
    # Four gridlines at whole numbers: the top is four times a round step.
    top = 4 * _nice_max(math.ceil(max(totals, default=0) / 4))
    plot_w = _WIDTH - _LEFT - 10
    slot = plot_w / max(len(columns), 1)
    col_w = max(int(slot * 0.7), 2)
    base = 10 + _COL_AREA_H
    rects: list[Rect] = []
    labels: list[Label] = []
    every = max(1, math.ceil(len(columns) / 8))  # at most eight date labels fit
    for i, column in enumerate(columns):
        x = _LEFT + round(i * slot + (slot - col_w) / 2)
        y = base
        for s, (name, counts) in enumerate(series):
            if counts[i] == 0:
                continue
            h = max(round(_COL_AREA_H * counts[i] / top), 1)
            y -= h
            css = f"chart__series--{s % SERIES_CLASSES}"
            rects.append(Rect(x, y, col_w, h, css, f"{column}, {name}: {counts[i]}"))
        if i % every == 0:
            labels.append(Label(x + col_w // 2, base + 18, column, "middle"))
    for q in range(5):
        y = base - round(_COL_AREA_H * q / 4)
        labels.append(Label(_LEFT - 6, y + 4, str(top * q // 4), "end"))
    grid = tuple(
        (_LEFT, base - round(_COL_AREA_H * q / 4), _WIDTH - 10, base - round(_COL_AREA_H * q / 4))
        for q in range(5)
    )
    names = [name for name, _ in series]
    return Chart(
        key=key,
        title=title,
        width=_WIDTH,
        height=base + _AXIS_H - 16,
        rects=tuple(rects),
        labels=tuple(labels),
        grid=grid,
        header=("", *names, "Total"),
        # Only the columns with entries: a month of zero rows would bury them
        # (the caption says the others had none).
        rows=tuple(
            (column, *(str(counts[i]) for _, counts in series), str(totals[i]))
            for i, column in enumerate(columns)
            if totals[i]
        ),
        note="Days not listed had none." if 0 in totals and any(totals) else "",
        legend=tuple((name, f"chart__series--{s % SERIES_CLASSES}") for s, name in enumerate(names))
        if len(names) > 1
        else (),
    )


def per_day(
    key: str,
    title: str,
    first_day: dt.date,
    last_day: dt.date,
    points: Sequence[tuple[dt.date, str, int]],
) -> Chart:
    """Stacked columns of (day, series, count) points over every day of [first_day, last_day].

    Days without a point are drawn (and tabled) as zero: a gap is information
    too. Series are ordered by their total, largest first, so the biggest
    sits at the bottom of each column.
    """
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    counts: dict[str, list[int]] = {}
    for day, name, count in points:
        if day in index:
            counts.setdefault(name, [0] * len(days))[index[day]] += count
    ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return stacked_columns(key, title, [d.isoformat() for d in days], ordered)
