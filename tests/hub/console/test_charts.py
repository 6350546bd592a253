"""The SVG charts' geometry: bars in proportion, gaps as zeros, numbers in the table."""

from __future__ import annotations

import datetime as dt

from hub.console.charts import bars, per_day

DAY = dt.date(2026, 11, 26)


def test_bars_are_in_proportion_and_tabled() -> None:
    chart = bars(
        "c", "Refusals per code", [("SOURCE_STALE", 10), ("CONSENT_REQUIRED", 5)], "refusals"
    )
    wide, narrow = chart.rects
    assert wide.width == 2 * narrow.width
    assert chart.rows == (("SOURCE_STALE", "10"), ("CONSENT_REQUIRED", "5"))
    assert not chart.empty


def test_an_empty_series_is_empty() -> None:
    assert bars("c", "Nothing", [], "entries").empty


def test_per_day_fills_the_days_without_entries_and_stacks_by_agency() -> None:
    points = [(DAY, "LOCAL_WELFARE", 3), (DAY, "NPS", 1), (DAY + dt.timedelta(days=2), "NPS", 2)]
    chart = per_day("d", "Accesses per day", DAY, DAY + dt.timedelta(days=2), points)
    # The empty day is drawn as a gap and left out of the table, which says so.
    assert [row[0] for row in chart.rows] == ["2026-11-26", "2026-11-28"]
    assert chart.note == "Days not listed had none."
    assert chart.header == ("", "LOCAL_WELFARE", "NPS", "Total")
    assert chart.rows[1] == ("2026-11-28", "0", "2", "2")
    assert chart.rows[0][-1] == "4"
    assert "2026-11-27" in [label.text for label in chart.labels]
    first_day = [r for r in chart.rects if r.tip.startswith("2026-11-26")]
    # Stacked: the second series sits on top of the first.
    assert first_day[1].y + first_day[1].height == first_day[0].y
    assert first_day[0].height == 3 * first_day[1].height
    assert [name for name, _ in chart.legend] == ["LOCAL_WELFARE", "NPS"]


def test_no_entries_at_all_draws_no_chart() -> None:
    assert per_day("d", "Accesses per day", DAY, DAY, []).empty


def test_the_axis_has_whole_numbers_at_each_gridline() -> None:
    chart = per_day("d", "Accesses per day", DAY, DAY, [(DAY, "NPS", 5)])
    axis = [label.text for label in chart.labels if label.anchor == "end"]
    assert axis == ["0", "2", "4", "6", "8"]
