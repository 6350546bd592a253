"""The auditors' charts: agencies' accesses per day, refusals per day and per reason code.

Each series is a logged read through the services of `hub.admin.audit_reports`
(`access_series`, `refusal_series`, `official_series`: grouped by Korean
calendar day in SQL, at most `hub.audit.series.MAX_DAYS` days); this module
only turns their points into charts (`hub.console.charts`), days without
entries drawn as zeros. The official's activity page draws its per-day
chart with `official_day_chart`.
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.audit_report_types import AgencyDayCount
from hub.admin.audit_reports import access_series, official_series, refusal_series
from hub.admin.context import AdminContext
from hub.audit.series import MAX_DAYS
from hub.auth.roles import Role
from hub.console.audit_input import INQUIRY, FormProblems, FormValues
from hub.console.audit_pages import (
    agency_choices,
    audit_context,
    common,
    query_values,
    served,
)
from hub.console.charts import Chart, bars, per_day
from hub.console.guards import PageRequest, for_roles
from hub.console.rendering import KST

#: Days a chart covers when the auditor gives no start: the last month.
DEFAULT_DAYS = 30
INQUIRY_NEEDED = "Name the inquiry this read is recorded under."


def today() -> dt.date:
    """Today in Korea, the calendar the series count by."""
    return dt.datetime.now(KST).date()


def _days(values: FormValues) -> tuple[dt.date, dt.date]:
    last = values.day("last_day") or today()
    first = values.day("first_day") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    return first, last


def _points(series: list[AgencyDayCount]) -> list[tuple[dt.date, str, int]]:
    return [(p.day, p.agency, p.count) for p in series]


@for_roles(Role.AUDITOR)
async def charts_page(page: PageRequest) -> Response:
    """Accesses per day per agency, refusals per day per code, and refusals per code."""
    values = query_values(page)
    first, last = _days(values)
    context = common(
        page,
        values,
        agencies=agency_choices(page.console.services.catalog),
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        charts=None,
    )
    title = "Charts"
    if not values.raw:
        return page.render("auditor_charts.html", title=title, **context)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    agency = values.text("agency")
    try:
        values.check()
        ctx = audit_context(page, inquiry)
        accesses = await served(access_series(ctx, first, last, agency))
        refusals = await served(refusal_series(ctx, first, last, agency))
    except FormProblems as exc:
        # The services name the range's ends `from` and `to`; the form, in days.
        renamed = {"from": "first_day", "to": "last_day"}
        context["problems"] = {renamed.get(k, k): v for k, v in exc.problems.items()}
        return page.render("auditor_charts.html", title=title, status=400, **context)
    per_code: dict[str, int] = {}
    for point in refusals:
        per_code[point.code] = per_code.get(point.code, 0) + point.count
    span = f"{first.isoformat()} to {last.isoformat()} (KST)"
    context["charts"] = [
        per_day("accesses", f"Agencies' accesses per day, {span}", first, last, _points(accesses)),
        per_day(
            "refusals",
            f"Refused information types per day, by reason code, {span}",
            first,
            last,
            [(p.day, p.code, p.count) for p in refusals],
        ),
        bars(
            "codes",
            f"Refused information types per reason code, {span}",
            sorted(per_code.items(), key=lambda kv: (-kv[1], kv[0])),
            "refused types",
        ),
    ]
    return page.render("auditor_charts.html", title=title, **context)


async def official_day_chart(
    ctx: AdminContext, official: str, since: dt.datetime | None, until: dt.datetime | None
) -> Chart:
    """The official's entries per day and agency over the activity's period (a logged read).

    The days of [since, until) in KST; without `until` up to today, without
    `since` the last month; a longer period is charted for its last
    `MAX_DAYS` days (the counts above the chart cover all of it).
    """
    last = (until - dt.timedelta(microseconds=1)).astimezone(KST).date() if until else today()
    first = since.astimezone(KST).date() if since else last - dt.timedelta(days=DEFAULT_DAYS - 1)
    first = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
    if first > last:  # an empty period: chart its one day
        first = last
    points = await served(official_series(ctx, official, first, last))
    span = f"{first.isoformat()} to {last.isoformat()} (KST)"
    return per_day(
        "per-day", f"{official}'s entries per day and agency, {span}", first, last, _points(points)
    )


def chart_routes() -> list[Route]:
    """The charts page."""
    return [Route("/auditor/charts", charts_page, methods=["GET"], name="auditor-charts")]
