"""Per-day series grouped in SQL: Asia/Seoul days, refusals per code, bounded ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.audit.entries import EntryContent, EntryKind
from hub.audit.series import (
    MAX_DAYS,
    DayCount,
    DayRange,
    SeriesRangeError,
    entries_per_day,
    refusals_per_day,
)
from hub.audit.writer import AuditWriter
from hub.db.session import Database

DAY = dt.date(2026, 11, 26)


def _entry(
    at: dt.datetime,
    agency: str = "NPS",
    *,
    kind: str = EntryKind.ACCESS,
    official: str = "kim.01",
    refused: dict[str, str] | None = None,
) -> EntryContent:
    return EntryContent(
        kind=kind,
        occurred_at=at,
        request_id="00000000-0000-0000-0000-000000000001",
        agency=agency,
        official=official,
        purpose="p",
        case_ref="CASE-1",
        person="PSEUDONYM",
        outcome="refused" if refused else "released",
        refused=refused or {},
    )


def _utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)


async def test_days_are_seoul_calendar_days(database: Database) -> None:
    before = DAY - dt.timedelta(days=1)
    await AuditWriter(database).append(
        [
            _entry(_utc(before, 14, 59)),  # 23:59 KST on the 25th: outside the range
            _entry(_utc(before, 15, 0)),  # 00:00 KST on the 26th
            _entry(_utc(DAY, 14, 59)),  # 23:59 KST on the 26th
            _entry(_utc(DAY, 15, 0), "NHIS"),  # 00:00 KST on the 27th
            _entry(_utc(DAY, 16, 0), "NHIS"),
            _entry(_utc(DAY, 16, 0), "NPS", kind=EntryKind.AUDIT),
            _entry(_utc(DAY, 17, 0), "NPS", official="lee.07"),
        ]
    )
    days = DayRange(DAY, DAY + dt.timedelta(days=1))
    async with database.session() as session:
        accesses = await entries_per_day(session, days, kinds=(EntryKind.ACCESS,))
        of_nhis = await entries_per_day(session, days, agency="NHIS")
        of_lee = await entries_per_day(session, days, official="lee.07")
    next_day = DAY + dt.timedelta(days=1)
    assert accesses == [
        DayCount(DAY, "NPS", 2),
        DayCount(next_day, "NHIS", 2),
        DayCount(next_day, "NPS", 1),
    ]
    assert of_nhis == [DayCount(next_day, "NHIS", 2)]
    assert of_lee == [DayCount(next_day, "NPS", 1)]


async def test_refusals_count_each_refused_type_under_its_code(database: Database) -> None:
    await AuditWriter(database).append(
        [
            _entry(
                _utc(DAY, 1),
                refused={"land": "SOURCE_UNAVAILABLE", "earnedIncome": "CONSENT_REQUIRED"},
            ),
            _entry(_utc(DAY, 2), "NHIS", refused={"land": "SOURCE_UNAVAILABLE"}),
            _entry(_utc(DAY, 3), kind=EntryKind.ADMIN, refused={"accessLog": "FORBIDDEN_ROLE"}),
            _entry(_utc(DAY, 4)),  # nothing refused: counts nowhere
        ]
    )
    days = DayRange(DAY, DAY)
    async with database.session() as session:
        every = await refusals_per_day(session, days)
        of_nhis = await refusals_per_day(session, days, agency="NHIS")
        of_access = await refusals_per_day(session, days, kinds=(EntryKind.ACCESS,))
    assert every == [
        DayCount(DAY, "CONSENT_REQUIRED", 1),
        DayCount(DAY, "FORBIDDEN_ROLE", 1),
        DayCount(DAY, "SOURCE_UNAVAILABLE", 2),
    ]
    assert of_nhis == [DayCount(DAY, "SOURCE_UNAVAILABLE", 1)]
    assert [p.key for p in of_access] == ["CONSENT_REQUIRED", "SOURCE_UNAVAILABLE"]


@pytest.mark.parametrize(
    ("first", "last", "problem"),
    [
        (DAY, DAY - dt.timedelta(days=1), "before it starts"),
        (DAY, DAY + dt.timedelta(days=MAX_DAYS), f"at most {MAX_DAYS} days"),
    ],
)
def test_ranges_are_bounded(first: dt.date, last: dt.date, problem: str) -> None:
    with pytest.raises(SeriesRangeError, match=problem):
        DayRange(first, last)


def test_the_longest_range_and_the_calendars_ends() -> None:
    assert DayRange(DAY, DAY + dt.timedelta(days=MAX_DAYS - 1)).until > _utc(DAY, 0)
    with pytest.raises(SeriesRangeError, match="after 0001-01-01"):
        _ = DayRange(dt.date.min, dt.date.min).since
    with pytest.raises(SeriesRangeError, match="before the year 9999"):
        _ = DayRange(dt.date.max, dt.date.max).until
