"""Writing the access log: one entry per person per request, committed first.

The GraphQL view calls `commit_access` after execution and before it sends a
byte of the response; if the commit fails, the response is a 503 without the
data. So the log can hold entries for answers never delivered, but never miss
an answer that was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from hub.db.models import AccessLogEntry, Subject, utcnow
from hub.db.session import Database
from hub.identity.subjects import encrypt_rrn, person_id
from hub.keys import KeyRing


class AuditUnavailable(Exception):
    """The access log could not be written; no data may leave."""


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """Who asked, why and from where: common to a request's entries."""

    request_id: str
    agency: str
    official: str
    purpose: str
    case_ref: str
    client_addr: str | None


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    """What happened to one person's data in the request."""

    rrn: str
    released: Sequence[str]
    refused: dict[str, str]


def _insert_ignoring_duplicates(dialect: str, rows: list[dict[str, Any]]) -> Insert:
    if dialect == "postgresql":
        return postgresql.insert(Subject).values(rows).on_conflict_do_nothing(index_elements=["id"])
    return sqlite.insert(Subject).values(rows).on_conflict_do_nothing(index_elements=["id"])


async def commit_access(
    db: Database, keys: KeyRing, facts: AccessFacts, outcomes: Sequence[PersonOutcome]
) -> int:
    """Durably record the request's entries; raise AuditUnavailable if that fails."""
    if not outcomes:
        return 0
    now = utcnow()
    subjects: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for outcome in outcomes:
        subject_id = person_id(keys, outcome.rrn)
        kid, sealed = encrypt_rrn(keys, outcome.rrn, subject_id)
        subjects.append(
            {"id": subject_id, "rrn_key_id": kid, "rrn_ciphertext": sealed, "first_seen_at": now}
        )
        if outcome.refused and outcome.released:
            verdict = "partial"
        elif outcome.refused:
            verdict = "refused"
        else:
            verdict = "released"
        entries.append(
            {
                "occurred_at": now,
                "request_id": facts.request_id,
                "agency": facts.agency,
                "official": facts.official,
                "purpose": facts.purpose,
                "case_ref": facts.case_ref,
                "subject_id": subject_id,
                "released": sorted(outcome.released),
                "refused": dict(sorted(outcome.refused.items())),
                "outcome": verdict,
                "client_addr": facts.client_addr,
            }
        )
    try:
        async with db.session() as session:
            dialect = session.get_bind().dialect.name
            await session.execute(_insert_ignoring_duplicates(dialect, subjects))
            await session.execute(insert(AccessLogEntry), entries)
            await session.commit()
    except (SQLAlchemyError, OSError) as exc:
        raise AuditUnavailable(f"access log not writable ({type(exc).__name__})") from exc
    return len(entries)
