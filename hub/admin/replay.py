"""Replaying an agency's recorded requests under a proposed policy (the database side).

Reads the agency's requests of a time window from `request_plans` (what each
asked for, recorded with its access-log entries), newest first and at most
HUB_REPLAY_MAX_REQUESTS of them, and hands them to `policies.replay.replay`,
which decides each under the active policy and the proposal with the gate's
own decision. The limits are the gate's (`schema.gate.limits_for`), and each
request is rebuilt as the gate builds it (`schema.gate.access_request`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from hub.catalog.model import Catalog
from hub.db.models import RequestPlan, utcnow
from hub.db.session import Database
from hub.settings import Settings
from policies import versions
from policies.agency_toml import ProposalInvalid, parse_agency
from policies.compiled import CompiledPolicy, compile_policy
from policies.decision import AccessRequest, Limits
from policies.document import PolicyDocument
from policies.overview import UnknownAgency
from policies.replay import RecordedRequest, ReplayReport, replay
from schema.gate import access_request, limits_for
from schema.plan import FieldPlan

#: The window replayed when none is given: the last week.
DEFAULT_DAYS = 7
#: The longest window: a year, well within the log's retention.
MAX_DAYS = 366


class ReplayWindowInvalid(ValueError):
    """The window asked for is empty, reversed or too long."""


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        # SQLite hands timestamps back without a zone; they were written in UTC.
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _plan(row: RequestPlan) -> FieldPlan:
    return FieldPlan(
        fields={t: set(names) for t, names in row.selected.items()},
        touches_data=True,
        walks_household=row.walks_household,
    )


async def recorded_requests(
    db: Database, agency: str, since: dt.datetime, until: dt.datetime, cap: int
) -> tuple[list[RecordedRequest], bool]:
    """The agency's recorded requests in [since, until), newest first, at most `cap`.

    Returns them, and whether there were more than `cap`.
    """
    async with db.session() as session:
        rows = list(
            await session.scalars(
                select(RequestPlan)
                .where(
                    RequestPlan.agency == agency,
                    # SQLite keeps times as UTC wall-clock text: compare in UTC.
                    RequestPlan.occurred_at >= since.astimezone(dt.UTC),
                    RequestPlan.occurred_at < until.astimezone(dt.UTC),
                )
                .order_by(RequestPlan.occurred_at.desc(), RequestPlan.request_id)
                .limit(cap + 1)
            )
        )
    out = [
        RecordedRequest(
            row.request_id,
            _utc(row.occurred_at),
            access_request(row.agency, row.purpose, _plan(row), row.persons),
        )
        for row in rows[:cap]
    ]
    return out, len(rows) > cap


def _window(days: int, now: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    if not 1 <= days <= MAX_DAYS:
        raise ReplayWindowInvalid(f"days must be between 1 and {MAX_DAYS}, not {days}")
    until = now or utcnow()
    return until - dt.timedelta(days=days), until


async def replay_policy(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    agency: str,
    proposed: CompiledPolicy,
    *,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> ReplayReport:
    """Replay the agency's requests of the last `days` under the active policy and `proposed`.

    UnknownAgency for an agency the catalog does not know; ReplayWindowInvalid
    for a window outside 1..366 days.
    """
    if catalog.agency(agency) is None:
        raise UnknownAgency(f"no consuming agency {agency!r} in the catalog")
    since, until = _window(days, now)
    active = await versions.load_active(db, catalog)
    cap = settings.replay_max_requests
    recorded, capped = await recorded_requests(db, agency, since, until, cap)

    def limits(request: AccessRequest) -> Limits:
        # The gate's limits for this request: the same function over the same
        # selection (it reads only the plan's fields, to weigh their sources).
        return limits_for(
            catalog,
            settings,
            agency,
            FieldPlan(fields={t: set(n) for t, n in request.selected.items()}),
        )

    report = replay(catalog, active, proposed, agency, recorded, limits)
    return dataclasses.replace(report, capped=capped, cap=cap, since=since, until=until)


async def replay_document(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    agency: str,
    document: PolicyDocument,
    *,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> ReplayReport:
    """`replay_policy` for a whole proposed document; PolicyError when it is invalid."""
    proposed = compile_policy(document, catalog, 0)
    return await replay_policy(db, catalog, settings, agency, proposed, days=days, now=now)


async def replay_agency_toml(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    agency: str,
    text: str,
    *,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> ReplayReport:
    """`replay_policy` for an edited agency file on the active version; ProposalInvalid if it
    has problems."""
    active = await versions.active_version(db)
    base = active.document if active is not None else PolicyDocument(agencies=[])
    proposal = parse_agency(text, agency, base, catalog)
    if proposal.document is None:
        raise ProposalInvalid(agency, proposal.problems)
    return await replay_document(
        db, catalog, settings, agency, proposal.document, days=days, now=now
    )


async def replay_version(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    agency: str,
    version: int,
    *,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> ReplayReport:
    """`replay_policy` for a stored version (a proposal awaiting approval, say)."""
    info = await versions.get_version(db, version)
    proposed = compile_policy(info.document, catalog, info.version)
    return await replay_policy(db, catalog, settings, agency, proposed, days=days, now=now)


__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "ReplayWindowInvalid",
    "recorded_requests",
    "replay_agency_toml",
    "replay_document",
    "replay_policy",
    "replay_version",
]
