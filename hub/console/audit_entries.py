"""The auditors' search of the log, one entry's detail, and an official's activity.

Search and activity are GET forms (a search changes nothing but the log of
reads, and its address can be kept and shared within the inquiry); the
first visit, with nothing asked, shows the form and reads nothing. An
entry's detail is the search service asked for that one entry (the page
below its successor's cursor), so it is logged as the same `audit_search`.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.audit_reports import official_activity, search_entries
from hub.admin.audit_types import AuditEntryInfo, AuditFilter, OfficialActivity
from hub.admin.auditing import DEFAULT_PAGE
from hub.auth.roles import Role
from hub.console.audit_charts import official_day_chart
from hub.console.audit_input import INQUIRY, PAGE_SIZES, FormProblems, FormValues
from hub.console.audit_pages import (
    KINDS,
    OUTCOMES,
    agency_choices,
    agency_name,
    audit_context,
    common,
    link,
    purpose_choices,
    query_values,
    served,
)
from hub.console.charts import Chart, bars
from hub.console.errors import NotFound
from hub.console.guards import PageRequest, for_roles

ENTRIES_PATH = "/console/auditor/entries"
ACTIVITY_PATH = "/console/auditor/activity"
INTEGRITY_PATH = "/console/auditor/integrity"
#: The filter fields of the search form, in the query string's names.
SEARCH_FIELDS = ("rrn", "agency", "official", "purpose", "case", "outcome", "kind", "from", "to")
#: Sequence numbers travel as cursors of at most 16 digits (`auditing.cursor_seq`).
_MAX_SEQ = 10**16 - 2
INQUIRY_NEEDED = "Name the inquiry this read is recorded under."


def _choice(values: FormValues, name: str, allowed: dict[str, str]) -> str | None:
    value = values.text(name)
    if value is not None and value not in allowed:
        values.problems[name] = "Pick one of the values offered."
        return None
    return value


def search_filter(values: FormValues) -> AuditFilter:
    """The search form's conditions (problems recorded in `values`)."""
    return AuditFilter(
        rrn=values.text("rrn"),
        agency=values.text("agency"),
        official=values.text("official"),
        purpose=values.text("purpose"),
        case_ref=values.text("case"),
        outcome=_choice(values, "outcome", OUTCOMES),
        kind=_choice(values, "kind", KINDS),
        from_=values.moment("from"),
        to=values.moment("to"),
    )


@for_roles(Role.AUDITOR)
async def entries_page(page: PageRequest) -> Response:
    """Search the log by person, agency, official, purpose, case, outcome, kind and time."""
    values = query_values(page)
    catalog = page.console.services.catalog
    context = common(
        page,
        values,
        agencies=agency_choices(catalog),
        purposes=purpose_choices(catalog),
        page_sizes=PAGE_SIZES,
        result=None,
        older=None,
    )
    if not values.raw:
        return page.render("auditor_entries.html", title="Search the log", **context)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    wanted = search_filter(values)
    first = values.choice("first", PAGE_SIZES, DEFAULT_PAGE)
    after = values.text("after")
    try:
        values.check()
        result = await served(search_entries(audit_context(page, inquiry), wanted, first, after))
    except FormProblems as exc:
        context["problems"] = exc.problems
        return page.render("auditor_entries.html", title="Search the log", status=400, **context)
    older = None
    if result.next_cursor is not None:
        kept = {k: v for k, v in values.raw.items() if k != "after"}
        older = link(ENTRIES_PATH, **kept, after=result.next_cursor)
    context.update(result=result, older=older)
    return page.render("auditor_entries.html", title="Search the log", **context)


async def one_entry(page: PageRequest, inquiry: str | None, seq: int) -> AuditEntryInfo:
    """Entry `seq` through the search service (logged as a search); NotFound if none."""
    if seq > _MAX_SEQ:
        raise NotFound(f"The log has no entry {seq}.")
    found = await served(
        search_entries(audit_context(page, inquiry), AuditFilter(), 1, str(seq + 1))
    )
    if not found.items or found.items[0].seq != seq:
        raise NotFound(
            f"The log has no entry {seq} with content: it is beyond the log's end, or "
            "retention has pruned it (its leaf hash remains, and proofs still cover it)."
        )
    return found.items[0]


@for_roles(Role.AUDITOR)
async def entry_page(page: PageRequest) -> Response:
    """One entry in full: what was released in which form, refused and why, on what basis."""
    seq = int(page.request.path_params["seq"])
    values = query_values(page)
    catalog = page.console.services.catalog
    context = common(page, values, seq=seq, entry=None, catalog=catalog, agency_name=agency_name)
    title = f"Entry {seq}"
    if INQUIRY not in values.raw:
        return page.render("auditor_entry.html", title=title, **context)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    try:
        values.check()
        entry = await one_entry(page, inquiry, seq)
    except FormProblems as exc:
        context["problems"] = exc.problems
        return page.render("auditor_entry.html", title=title, status=400, **context)
    context.update(
        entry=entry,
        proof=link(INTEGRITY_PATH, inquiry=inquiry, seq=seq),
        by_request=link(ENTRIES_PATH, inquiry=inquiry, case=entry.case_ref),
        by_official=link(ACTIVITY_PATH, inquiry=inquiry, official=entry.official),
    )
    return page.render("auditor_entry.html", title=title, **context)


def activity_charts(activity: OfficialActivity) -> list[Chart]:
    """The official's counts as charts: per agency and purpose, and per outcome."""
    per_purpose: dict[str, int] = {}
    per_outcome: dict[str, int] = {}
    for count in activity.counts:
        key = f"{count.agency} · {count.purpose}"
        per_purpose[key] = per_purpose.get(key, 0) + count.count
        label = OUTCOMES.get(count.outcome, count.outcome)
        per_outcome[label] = per_outcome.get(label, 0) + count.count
    return [
        bars(
            "per-purpose",
            "Entries per agency and purpose",
            sorted(per_purpose.items(), key=lambda kv: (-kv[1], kv[0])),
            "entries",
        ),
        bars(
            "per-outcome",
            "Entries per outcome",
            sorted(per_outcome.items(), key=lambda kv: (-kv[1], kv[0])),
            "entries",
        ),
    ]


@for_roles(Role.AUDITOR)
async def activity_page(page: PageRequest) -> Response:
    """What one official did over a period, optionally at one agency, with charts.

    Two logged reads, as through the API: `official_activity` (counts and
    entries) and `official_series` (the per-day chart).
    """
    values = query_values(page)
    catalog = page.console.services.catalog
    context = common(
        page,
        values,
        agencies=agency_choices(catalog),
        page_sizes=PAGE_SIZES,
        activity=None,
        daily=None,
        charts=[],
        older=None,
    )
    title = "Official's activity"
    if not values.raw:
        return page.render("auditor_activity.html", title=title, **context)
    inquiry = values.text(INQUIRY, required=INQUIRY_NEEDED)
    official = values.text("official", required="Name the official whose activity to show.")
    agency = values.text("agency")
    since, until = values.moment("from"), values.moment("to")
    first = values.choice("first", PAGE_SIZES, DEFAULT_PAGE)
    after = values.text("after")
    try:
        values.check()
        assert official is not None  # required: check() raised otherwise
        ctx = audit_context(page, inquiry)
        activity = await served(
            official_activity(ctx, official, since, until, agency, first, after)
        )
        daily = await official_day_chart(ctx, official, since, until)
    except FormProblems as exc:
        context["problems"] = exc.problems
        return page.render("auditor_activity.html", title=title, status=400, **context)
    if activity.entries.next_cursor is not None:
        kept = {k: v for k, v in values.raw.items() if k != "after"}
        context["older"] = link(ACTIVITY_PATH, **kept, after=activity.entries.next_cursor)
    context.update(activity=activity, daily=daily, charts=activity_charts(activity))
    return page.render("auditor_activity.html", title=title, **context)


def entry_routes() -> list[Route]:
    """The search, detail and activity pages."""
    return [
        Route("/auditor/entries", entries_page, methods=["GET"], name="auditor-entries"),
        Route("/auditor/entries/{seq:int}", entry_page, methods=["GET"], name="auditor-entry"),
        Route("/auditor/activity", activity_page, methods=["GET"], name="auditor-activity"),
    ]
