"""Reading the audit log for auditors and persons, and logging the auditors' own reads.

The log stores each person under the pseudonym of the agency that asked
(`hub.identity.pseudonyms`), so finding "everything about this person"
means asking for all of their pseudonyms at once. Entries are returned
newest first by sequence number, the log's own order (`occurred_at` is
taken when a request starts, so two requests of one group commit may
interleave by a few milliseconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.admin.context import AdminContext
from hub.admin.errors import AdminError, CaseRefRequired, InvalidArgument
from hub.admin.offices import AUDITOR_AGENCY, office_pseudonyms
from hub.audit.entries import EntryContent, EntryKind
from hub.audit.writer import AuditUnavailable
from hub.catalog.model import Catalog
from hub.db.models import AuditEntry, Pseudonym, utcnow
from hub.identity.pseudonyms import agency_person_id
from hub.identity.subjects import person_id
from hub.keys import KeyRing
from schema.gate import CASE_REF

log = logging.getLogger("hub.admin")

#: The `outcome` of an auditor's entries: entries were read, nothing was released.
SEARCHED = "searched"
DEFAULT_PAGE = 50
MAX_PAGE = 500


class AuditLogUnavailable(AdminError):
    """A read could not be logged, so its result is withheld."""

    code = "AUDIT_UNAVAILABLE"


def utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; a time without a zone is taken to be UTC already.

    SQLite stores the wall time it is given, and the hub writes UTC, so
    filters must be in UTC to compare correctly there too.
    """
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def checked_moment(moment: dt.datetime | None, argument: str) -> dt.datetime | None:
    """`moment` in UTC, or INVALID_ARGUMENT when UTC has no such time.

    0001-01-01T00:00:00+14:00 is a valid DateTime that falls before year 1
    once in UTC, and 9999-12-31T23:00:00-14:00 after year 9999: Python
    cannot represent either (OverflowError, an internal error before).
    """
    if moment is None:
        return None
    try:
        return utc(moment)
    except OverflowError:
        raise InvalidArgument(
            f"{argument} must fall within the years 1 to 9999 in UTC", argument=argument
        ) from None


@dataclass(frozen=True)
class EntryQuery:
    """Conditions on entries; None means "any"."""

    persons: tuple[str, ...] | None = None
    agency: str | None = None
    official: str | None = None
    purpose: str | None = None
    case_ref: str | None = None
    outcome: str | None = None
    kind: str | None = None
    #: Any of these kinds (with `kind`, both must hold).
    kinds: tuple[str, ...] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    #: Leave out entries still suppressed at this moment (the person's view).
    visible_at: dt.datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses."""
        # Pruned entries keep only their leaf hash: nothing left to show.
        out: list[ColumnElement[bool]] = [AuditEntry.kind.is_not(None)]
        if self.persons is not None:
            out.append(AuditEntry.person.in_(self.persons))
        for column, value in (
            (AuditEntry.agency, self.agency),
            (AuditEntry.official, self.official),
            (AuditEntry.purpose, self.purpose),
            (AuditEntry.case_ref, self.case_ref),
            (AuditEntry.outcome, self.outcome),
            (AuditEntry.kind, self.kind),
        ):
            if value is not None:
                out.append(column == value)
        if self.kinds is not None:
            out.append(AuditEntry.kind.in_(self.kinds))
        if self.since is not None:
            out.append(AuditEntry.occurred_at >= utc(self.since))
        if self.until is not None:
            out.append(AuditEntry.occurred_at < utc(self.until))
        if self.visible_at is not None:
            out.append(
                or_(
                    AuditEntry.suppressed_until.is_(None),
                    AuditEntry.suppressed_until <= utc(self.visible_at),
                )
            )
        return out


async def person_pseudonyms(
    session: AsyncSession, keys: KeyRing, catalog: Catalog, rrn: str
) -> tuple[str, ...]:
    """Every pseudonym the person may be logged under.

    Each catalog agency's and each of the hub's offices' is computed (the
    offices' reads on the administrative endpoint); the pseudonyms table
    adds those of agencies since removed from the catalog, whose entries
    remain.
    """
    computed = {agency_person_id(keys, a.code, rrn) for a in catalog.agencies}
    computed |= office_pseudonyms(keys, rrn)
    stored = await session.scalars(
        select(Pseudonym.pseudonym).where(Pseudonym.subject_id == person_id(keys, rrn))
    )
    return tuple(sorted(computed.union(stored)))


def page_size(first: int) -> int:
    """`first`, checked against the page limits."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidArgument(f"first must be between 1 and {MAX_PAGE}", argument="first")
    return first


def cursor_seq(after: str | None) -> int | None:
    """The seq a cursor names (entries below it come next)."""
    if after is None:
        return None
    # ASCII digits only: str.isdigit accepts any script's ("١٢"), and int() reads them.
    if not (after.isascii() and after.isdigit()) or len(after) > 16:
        raise InvalidArgument("after must be a cursor this API returned", argument="after")
    return int(after)


async def entry_page(
    session: AsyncSession, query: EntryQuery, first: int, after: int | None
) -> tuple[list[AuditEntry], int | None]:
    """Up to `first` entries below seq `after`, newest first, and the next cursor's seq."""
    stmt = select(AuditEntry).where(*query.conditions())
    if after is not None:
        stmt = stmt.where(AuditEntry.seq < after)
    rows = list(await session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(first + 1)))
    if len(rows) > first:
        return rows[:first], rows[first - 1].seq
    return rows, None


async def all_entries(session: AsyncSession, query: EntryQuery) -> list[AuditEntry]:
    """Every matching entry, newest first."""
    stmt = select(AuditEntry).where(*query.conditions()).order_by(AuditEntry.seq.desc())
    return list(await session.scalars(stmt))


async def activity_counts(
    session: AsyncSession, query: EntryQuery
) -> list[tuple[str, str, str, int]]:
    """(agency, purpose, outcome, count) of the matching entries, sorted."""
    columns = (AuditEntry.agency, AuditEntry.purpose, AuditEntry.outcome)
    rows = await session.execute(
        select(*columns, func.count())
        .where(*query.conditions())
        .group_by(*columns)
        .order_by(*columns)
    )
    return [(a or "", p or "", o or "", int(n)) for a, p, o, n in rows.all()]


def required_case_ref(ctx: AdminContext) -> str:
    """The case or inquiry the read is recorded under, or CASE_REF_REQUIRED.

    Auditors name their audit or inquiry; privacy officers and consent
    channels the case that made them look a person up.
    """
    case_ref = ctx.case_ref
    if not case_ref:
        raise CaseRefRequired("the Hub-Case-Ref header must name the case, audit or inquiry")
    return checked_case_ref(case_ref)


def checked_case_ref(case_ref: str) -> str:
    """`case_ref` if well-formed, else CASE_REF_REQUIRED."""
    if not CASE_REF.match(case_ref):
        raise CaseRefRequired(
            "Hub-Case-Ref must be 1-128 letters, digits or ._:/- starting with a letter or digit"
        )
    return case_ref


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc(value).isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_canonical(v) for v in value]
    return value


def arguments_hash(operation: str, arguments: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the operation and its arguments as canonical JSON.

    Callers replace a registration number by the person's keyed subject id
    first: numbers are few enough to recover from a plain hash by trying
    them all, the keyed id is not.
    """
    body = {"operation": operation, "arguments": _canonical(arguments)}
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def record_read(
    ctx: AdminContext, case_ref: str, operation: str, arguments: Mapping[str, Any]
) -> None:
    """Durably log that the auditor read the log; AUDIT_UNAVAILABLE if that fails.

    The entry names the operation (purpose `audit_<operation>`) and a hash
    of its arguments, never the person searched for: the log of the
    auditors' reads must not become an index of who was looked into.
    """
    entry = EntryContent(
        kind=EntryKind.AUDIT,
        occurred_at=utcnow(),
        request_id=ctx.request_id,
        agency=AUDITOR_AGENCY,
        official=ctx.principal.official,
        purpose=f"audit_{operation}",
        case_ref=case_ref,
        person=None,
        outcome=SEARCHED,
        client_addr=ctx.client_addr,
        query_hash=arguments_hash(operation, arguments),
    )
    try:
        await ctx.services.audit.append([entry])
    except AuditUnavailable as exc:
        log.error("auditor %s's %s withheld: %s", ctx.principal.official, operation, exc)
        raise AuditLogUnavailable(
            "the audit log cannot be written, so this read is not answered"
        ) from exc
