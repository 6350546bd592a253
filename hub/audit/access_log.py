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
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import AccessLogEntry, Pseudonym, Subject, utcnow
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
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
    policy_version: int | None = None


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    """What happened to one person's data in the request."""

    rrn: str
    released: Sequence[str]
    refused: dict[str, str]
    consent_ids: Sequence[str] = ()


def _ignoring_duplicates(
    session: AsyncSession, model: type[Subject] | type[Pseudonym], rows: list[dict[str, Any]]
) -> Insert:
    # Both dialects spell "insert unless the key exists" alike, in their own module.
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).values(rows).on_conflict_do_nothing()
    return sqlite.insert(model).values(rows).on_conflict_do_nothing()


async def ensure_subjects(session: AsyncSession, keys: KeyRing, rrns: Sequence[str]) -> None:
    """Make sure each person has a subjects row (id and encrypted number)."""
    rows = []
    now = utcnow()
    for rrn in dict.fromkeys(rrns):
        subject_id = person_id(keys, rrn)
        kid, sealed = encrypt_rrn(keys, rrn, subject_id)
        rows.append(
            {"id": subject_id, "rrn_key_id": kid, "rrn_ciphertext": sealed, "first_seen_at": now}
        )
    if rows:
        await session.execute(_ignoring_duplicates(session, Subject, rows))


async def commit_access(
    db: Database, keys: KeyRing, facts: AccessFacts, outcomes: Sequence[PersonOutcome]
) -> int:
    """Durably record the request's entries; raise AuditUnavailable if that fails."""
    if not outcomes:
        return 0
    now = utcnow()
    entries: list[dict[str, Any]] = []
    pseudonyms: list[dict[str, Any]] = []
    for outcome in outcomes:
        subject_id = person_id(keys, outcome.rrn)
        pseudonyms.append(
            {
                "agency": facts.agency,
                "pseudonym": agency_person_id(keys, facts.agency, outcome.rrn),
                "subject_id": subject_id,
            }
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
                "policy_version": facts.policy_version,
                "consent_ids": sorted(outcome.consent_ids) or None,
            }
        )
    try:
        async with db.session() as session:
            await ensure_subjects(session, keys, [o.rrn for o in outcomes])
            await session.execute(_ignoring_duplicates(session, Pseudonym, pseudonyms))
            await session.execute(insert(AccessLogEntry), entries)
            await session.commit()
    except (SQLAlchemyError, OSError) as exc:
        raise AuditUnavailable(f"access log not writable ({type(exc).__name__})") from exc
    return len(entries)
