"""The auditors' reads of the log as plain services: search, an official's activity, series.

Each function is what both an administrative field (`hub.admin.audit_schema`,
`hub.admin.audit_report_schema`) and the console's auditor pages call, so
that no rule, check or query is written twice. Each one:

1. applies the fields' permission (`AuditorsOnly`: FORBIDDEN_ROLE otherwise);
2. requires the inquiry in `Hub-Case-Ref` (CASE_REF_REQUIRED);
3. checks its arguments (INVALID_ARGUMENT, naming the argument);
4. reads in a session of its own, then logs the read as one `audit` entry
   (purpose `audit_<operation>`, its arguments hashed) and only then
   returns: AUDIT_UNAVAILABLE, and nothing, if that entry cannot be written.

Proofs, heads and exports are in `hub.admin.audit_proofs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.admin.audit_report_types import (
    AgencyDayCount,
    RefusalDayCount,
    agency_days,
    refusal_days,
)
from hub.admin.audit_types import (
    ActivityCount,
    AuditEntryPage,
    AuditFilter,
    Long,
    OfficialActivity,
    page_info,
)
from hub.admin.auditing import (
    DEFAULT_PAGE,
    EntryQuery,
    activity_counts,
    checked_moment,
    cursor_seq,
    entry_page,
    page_size,
    person_pseudonyms,
    record_read,
    required_case_ref,
)
from hub.admin.context import AdminContext
from hub.admin.errors import InvalidArgument
from hub.admin.permissions import AuditorsOnly, require_permission
from hub.audit.entries import EntryKind
from hub.audit.series import DayRange, SeriesRangeError, entries_per_day, refusals_per_day
from hub.identity.rrn import parse_rrn
from hub.identity.subjects import person_id

T = TypeVar("T")


async def auditor_case(ctx: AdminContext) -> str:
    """The inquiry an auditor's read is logged under, after the auditors' permission.

    FORBIDDEN_ROLE for any other role, CASE_REF_REQUIRED without a
    well-formed `Hub-Case-Ref`.
    """
    await require_permission(AuditorsOnly, ctx, {})
    return required_case_ref(ctx)


async def audited(
    ctx: AdminContext,
    case_ref: str,
    operation: str,
    arguments: Mapping[str, Any],
    read: Callable[[AsyncSession], Awaitable[T]],
) -> T:
    """Read in a session of its own, log the read, then hand the result back."""
    async with ctx.services.database.session() as session:
        result = await read(session)
    # The read session is closed first: on SQLite the writer needs the lock.
    await record_read(ctx, case_ref, operation, arguments)
    return result


async def search_entries(
    ctx: AdminContext,
    filter: AuditFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> AuditEntryPage:
    """Entries matching every condition of `filter`, newest first, one page; logged.

    `filter.rrn` finds the person under every pseudonym they may be logged
    under (`person_pseudonyms`); the log entry hashes the person's keyed
    subject id instead of the number. `after` is a previous page's
    `next_cursor`.
    """
    case_ref = await auditor_case(ctx)
    services = ctx.services
    wanted = filter or AuditFilter()
    size, below = page_size(first), cursor_seq(after)
    since, until = checked_moment(wanted.from_, "from"), checked_moment(wanted.to, "to")
    rrn = parse_rrn(wanted.rrn).digits if wanted.rrn is not None else None
    conditions = {
        "subject": person_id(services.keys, rrn) if rrn is not None else None,
        "agency": wanted.agency,
        "official": wanted.official,
        "purpose": wanted.purpose,
        "case_ref": wanted.case_ref,
        "outcome": wanted.outcome,
        "kind": wanted.kind,
        "from": wanted.from_,
        "to": wanted.to,
    }

    async def read(session: AsyncSession) -> AuditEntryPage:
        persons = None
        if rrn is not None:
            persons = await person_pseudonyms(session, services.keys, services.catalog, rrn)
        query = EntryQuery(
            persons=persons,
            agency=wanted.agency,
            official=wanted.official,
            purpose=wanted.purpose,
            case_ref=wanted.case_ref,
            outcome=wanted.outcome,
            kind=wanted.kind,
            since=since,
            until=until,
        )
        return page_info(*await entry_page(session, query, size, below))

    arguments = {"filter": conditions, "first": first, "after": after}
    return await audited(ctx, case_ref, "search", arguments, read)


async def official_activity(
    ctx: AdminContext,
    official: str,
    from_: dt.datetime | None = None,
    to: dt.datetime | None = None,
    agency: str | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> OfficialActivity:
    """What `official` did in [from_, to): counts per agency, purpose, outcome; entries. Logged."""
    case_ref = await auditor_case(ctx)
    size, below = page_size(first), cursor_seq(after)
    since, until = checked_moment(from_, "from"), checked_moment(to, "to")
    query = EntryQuery(official=official, agency=agency, since=since, until=until)

    async def read(session: AsyncSession) -> OfficialActivity:
        counts = [
            ActivityCount(agency=a, purpose=p, outcome=o, count=Long(n))
            for a, p, o, n in await activity_counts(session, query)
        ]
        return OfficialActivity(
            official=official,
            total=Long(sum(c.count for c in counts)),
            counts=counts,
            entries=page_info(*await entry_page(session, query, size, below)),
        )

    arguments = {
        "official": official,
        "agency": agency,
        "from": from_,
        "to": to,
        "first": first,
        "after": after,
    }
    return await audited(ctx, case_ref, "activity", arguments, read)


def day_range(first_day: dt.date, last_day: dt.date) -> DayRange:
    """The days [first_day, last_day] (Asia/Seoul), or INVALID_ARGUMENT naming the problem."""
    try:
        return DayRange(first_day, last_day)
    except SeriesRangeError as exc:
        raise InvalidArgument(str(exc), argument="to") from None


def _day_arguments(days: DayRange, **more: str | None) -> dict[str, Any]:
    return {"from": days.first.isoformat(), "to": days.last.isoformat(), **more}


async def access_series(
    ctx: AdminContext, first_day: dt.date, last_day: dt.date, agency: str | None = None
) -> list[AgencyDayCount]:
    """Agencies' accesses (entries of kind `access`) per day and agency; logged.

    Days are Asia/Seoul calendar days, `first_day` to `last_day` included,
    at most `hub.audit.series.MAX_DAYS`; days without accesses are absent.
    """
    case_ref = await auditor_case(ctx)
    days = day_range(first_day, last_day)

    async def read(session: AsyncSession) -> list[AgencyDayCount]:
        kinds = (EntryKind.ACCESS,)
        return agency_days(await entries_per_day(session, days, kinds=kinds, agency=agency))

    arguments = _day_arguments(days, agency=agency)
    return await audited(ctx, case_ref, "access_series", arguments, read)


async def refusal_series(
    ctx: AdminContext, first_day: dt.date, last_day: dt.date, agency: str | None = None
) -> list[RefusalDayCount]:
    """Refused information types per day and reason code, on either endpoint; logged.

    Days as in `access_series`. Each refused type of an entry counts once
    under its code (`refused` maps type → code).
    """
    case_ref = await auditor_case(ctx)
    days = day_range(first_day, last_day)

    async def read(session: AsyncSession) -> list[RefusalDayCount]:
        return refusal_days(await refusals_per_day(session, days, agency=agency))

    arguments = _day_arguments(days, agency=agency)
    return await audited(ctx, case_ref, "refusal_series", arguments, read)


async def official_series(
    ctx: AdminContext, official: str, first_day: dt.date, last_day: dt.date
) -> list[AgencyDayCount]:
    """An official's entries per day and agency (or office), of every kind; logged.

    The per-day companion of `official_activity`; days as in `access_series`.
    """
    case_ref = await auditor_case(ctx)
    days = day_range(first_day, last_day)

    async def read(session: AsyncSession) -> list[AgencyDayCount]:
        return agency_days(await entries_per_day(session, days, official=official))

    arguments = _day_arguments(days, official=official)
    return await audited(ctx, case_ref, "official_series", arguments, read)
