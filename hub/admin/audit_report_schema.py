"""The auditors' chart series, checked tree heads and entry proofs on /admin/graphql.

Mounted into `AuditorQuery` (`hub.admin.audit_schema`) by inheritance. Each
resolver adapts its arguments and calls the service the console calls too
(`hub.admin.audit_reports`, `hub.admin.audit_proofs`); each read is
logged and needs `Hub-Case-Ref`, as the other auditor fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from hub.admin.audit_proofs import entry_inclusion, tree_heads
from hub.admin.audit_report_types import (
    AgencyDayCount,
    EntryInclusion,
    RefusalDayCount,
    TreeHeadStatusPage,
)
from hub.admin.audit_reports import access_series, official_series, refusal_series
from hub.admin.audit_types import Long
from hub.admin.auditing import DEFAULT_PAGE
from hub.admin.context import AdminContext
from hub.admin.permissions import AuditorsOnly
from hub.audit.series import MAX_DAYS

_DAYS = (
    f"Days are Asia/Seoul calendar days, `from` to `to` both included, at most {MAX_DAYS}; "
    "days without entries are absent. Logged; needs Hub-Case-Ref."
)
FromDay = Annotated[dt.date, strawberry.argument(name="from")]


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


async def resolve_access_series(
    info: strawberry.Info, from_: FromDay, to: dt.date, agency: str | None = None
) -> list[AgencyDayCount]:
    """Agencies' accesses per day and agency."""
    return await access_series(_ctx(info), from_, to, agency)


async def resolve_refusal_series(
    info: strawberry.Info, from_: FromDay, to: dt.date, agency: str | None = None
) -> list[RefusalDayCount]:
    """Refused information types per day and reason code."""
    return await refusal_series(_ctx(info), from_, to, agency)


async def resolve_official_series(
    info: strawberry.Info, official: str, from_: FromDay, to: dt.date
) -> list[AgencyDayCount]:
    """An official's entries per day and agency."""
    return await official_series(_ctx(info), official, from_, to)


async def resolve_tree_heads(
    info: strawberry.Info, first: int = DEFAULT_PAGE, after: str | None = None
) -> TreeHeadStatusPage:
    """Stored signed heads, newest first, each checked."""
    return await tree_heads(_ctx(info), first, after)


async def resolve_entry_inclusion(
    info: strawberry.Info, seq: Long, tree_size: Long | None = None
) -> EntryInclusion:
    """An entry's proof against a signed head, verified by the hub, with its document."""
    return await entry_inclusion(_ctx(info), seq, tree_size)


@strawberry.type
class AuditorReportsQuery:
    """The auditors' charts, checked heads and downloadable proofs."""

    audit_access_series: list[AgencyDayCount] = strawberry.field(
        resolver=resolve_access_series,
        permission_classes=[AuditorsOnly],
        description="Agencies' accesses (entries of kind access) per day and agency, "
        f"optionally of one agency. {_DAYS}",
    )
    audit_refusal_series: list[RefusalDayCount] = strawberry.field(
        resolver=resolve_refusal_series,
        permission_classes=[AuditorsOnly],
        description="Refused information types per day and reason code, on both endpoints, "
        f"optionally of one agency or office. {_DAYS}",
    )
    official_activity_series: list[AgencyDayCount] = strawberry.field(
        resolver=resolve_official_series,
        permission_classes=[AuditorsOnly],
        description=f"An official's entries per day and agency (every kind). {_DAYS}",
    )
    tree_heads: TreeHeadStatusPage = strawberry.field(
        resolver=resolve_tree_heads,
        permission_classes=[AuditorsOnly],
        description="Stored signed tree heads, newest first (`first` 1 to 500, `after` a "
        "previous page's nextCursor), each checked against the published key set and, by a "
        "consistency proof, against the head signed before it. Logged; needs Hub-Case-Ref.",
    )
    entry_inclusion: EntryInclusion = strawberry.field(
        resolver=resolve_entry_inclusion,
        permission_classes=[AuditorsOnly],
        description="Entry `seq`'s inclusion proof against the stored signed head of "
        "`treeSize` (default: the latest head containing it), verified by the hub, and the "
        "self-contained document `ssis-hub audit verify-proof` checks offline. Logged; needs "
        "Hub-Case-Ref.",
    )
