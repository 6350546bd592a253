"""Counts of entries per day, grouped in SQL, for the auditors' charts.

Days are calendar days in Korea Standard Time (Asia/Seoul, UTC+09:00): the
hub's agencies and auditors work by that calendar, and a UTC day would put
a morning's requests (before 09:00) on the previous day. Korea has kept a
fixed offset without daylight saving since 1988, so a day is the fixed
interval [00:00, 24:00) +09:00, and both databases group by the same rule:
PostgreSQL converts with `AT TIME ZONE 'Asia/Seoul'`, SQLite (which stores
the UTC wall time the hub writes) adds nine hours.

A range is given in days, both ends included, at most `MAX_DAYS` of them,
so that a chart's query is bounded whatever the log's size. Days without
entries are absent from a series: the caller fills the gaps it wants drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Date, cast, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import AuditEntry

#: The day's zone: Korea Standard Time, without daylight saving since 1988.
DAY_ZONE = dt.timezone(dt.timedelta(hours=9), "KST")
DAY_ZONE_NAME = "Asia/Seoul"
#: The longest range a series covers: a year, a leap year included.
MAX_DAYS = 366


class SeriesRangeError(ValueError):
    """A range that is empty, backwards or longer than `MAX_DAYS`."""


@dataclass(frozen=True)
class DayRange:
    """Days `first` to `last`, both included, in Korea Standard Time."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise SeriesRangeError(f"the range ends ({self.last}) before it starts ({self.first})")
        days = (self.last - self.first).days + 1
        if days > MAX_DAYS:
            raise SeriesRangeError(f"a series covers at most {MAX_DAYS} days, not {days}")

    @property
    def since(self) -> dt.datetime:
        """The range's first instant, in UTC."""
        return _start_of(self.first)

    @property
    def until(self) -> dt.datetime:
        """The instant just after the range, in UTC."""
        if self.last == dt.date.max:
            raise SeriesRangeError("the range must end before the year 9999 does")
        return _start_of(self.last + dt.timedelta(days=1))


def _start_of(day: dt.date) -> dt.datetime:
    try:
        return dt.datetime.combine(day, dt.time(), DAY_ZONE).astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01 00:00 KST falls before year 1 in UTC
        raise SeriesRangeError("the range must start after 0001-01-01") from None


@dataclass(frozen=True)
class DayCount:
    """How many entries (or refusals) of one key fell on one day."""

    day: dt.date
    key: str
    count: int


def _day(session: AsyncSession) -> ColumnElement[dt.date]:
    """The SQL expression of an entry's day in Korea Standard Time."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(DAY_ZONE_NAME, AuditEntry.occurred_at), Date)
    # SQLite: the stored text is the UTC wall time; date() shifts and truncates it.
    return func.date(AuditEntry.occurred_at, "+9 hours")


def _as_date(value: object) -> dt.date:
    # PostgreSQL hands back a date, SQLite the text 'YYYY-MM-DD'.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _where(
    days: DayRange, kinds: tuple[str, ...] | None, agency: str | None, official: str | None
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [
        AuditEntry.occurred_at >= days.since,
        AuditEntry.occurred_at < days.until,
    ]
    if kinds is not None:
        out.append(AuditEntry.kind.in_(kinds))
    if agency is not None:
        out.append(AuditEntry.agency == agency)
    if official is not None:
        out.append(AuditEntry.official == official)
    return out


async def entries_per_day(
    session: AsyncSession,
    days: DayRange,
    *,
    kinds: tuple[str, ...] | None = None,
    agency: str | None = None,
    official: str | None = None,
) -> list[DayCount]:
    """Entries per day and agency (the key), sorted by day then agency.

    Pruned entries have no time left and so count nowhere.
    """
    day = _day(session).label("day")
    rows = await session.execute(
        select(day, AuditEntry.agency, func.count())
        .where(*_where(days, kinds, agency, official))
        .group_by(day, AuditEntry.agency)
        .order_by(day, AuditEntry.agency)
    )
    return [DayCount(_as_date(d), a or "", int(n)) for d, a, n in rows.all()]


async def refusals_per_day(
    session: AsyncSession,
    days: DayRange,
    *,
    kinds: tuple[str, ...] | None = None,
    agency: str | None = None,
) -> list[DayCount]:
    """Refused information types per day and reason code (the key), sorted by day then code.

    An entry refusing two types counts twice, once under each type's code:
    a refusal is one type withheld from one person in one request.
    """
    if session.get_bind().dialect.name == "postgresql":
        pairs = func.json_each_text(AuditEntry.refused).table_valued("key", "value")
    else:
        pairs = func.json_each(AuditEntry.refused).table_valued("key", "value")
    code = pairs.c.value
    day = _day(session).label("day")
    rows = await session.execute(
        select(day, code, func.count())
        .select_from(AuditEntry)
        .join(pairs, true())
        .where(*_where(days, kinds, agency, None))
        .group_by(day, code)
        .order_by(day, code)
    )
    return [DayCount(_as_date(d), str(c), int(n)) for d, c, n in rows.all()]
