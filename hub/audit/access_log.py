"""Turning what a request did into audit entries, committed before it answers.

The GraphQL view calls `commit_access` after execution and before it sends a
byte of the response; if the commit fails, the response is a 503 without the
data. So the log may hold entries for answers never delivered (the client
hung up, the process died after the commit), but never misses an answer
that was delivered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from hub.audit.entries import EntryContent, EntryKind
from hub.audit.writer import AuditUnavailable, AuditWriter, ConsentAlreadyUsed
from hub.db.models import Pseudonym, RequestPlan, Subject, utcnow
from hub.identity.pseudonyms import agency_person_id
from hub.identity.subjects import person_id, subject_rows
from hub.keys import KeyRing

__all__ = [
    "AccessFacts",
    "AuditUnavailable",
    "ConsentAlreadyUsed",
    "PersonOutcome",
    "PlanFacts",
    "commit_access",
]


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What the request asked for, as the decision saw it: recorded beside its entries.

    `selected` maps each information type to the schema fields selected on
    it; `persons` counts every person named. No person is identified.
    """

    selected: Mapping[str, Set[str]]
    persons: int
    walks_household: bool = False


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """Who asked, why, under what and from where: common to a request's entries."""

    request_id: str
    agency: str
    official: str
    purpose: str
    case_ref: str
    client_addr: str | None
    policy_version: int | None = None
    legal_basis: str | None = None
    query_hash: str | None = None
    suppressed_until: dt.datetime | None = None
    #: The request's plan, recorded in `request_plans` with the entries (None: not recorded).
    plan: PlanFacts | None = None


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    """What happened to one person's data in the request.

    `released` maps each released type to its fields and the form each was
    released in; `refused` maps each refused type to the reason code.
    """

    rrn: str
    released: dict[str, dict[str, str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    consent_ids: Sequence[str] = ()

    @property
    def outcome(self) -> str:
        """released, partial, refused, or identified (nothing but the id)."""
        if self.released and self.refused:
            return "partial"
        if self.refused:
            return "refused"
        return "released" if self.released else "identified"


async def commit_access(
    writer: AuditWriter,
    keys: KeyRing,
    facts: AccessFacts,
    outcomes: Sequence[PersonOutcome],
    spends: Sequence[str] = (),
) -> list[int]:
    """Durably log one entry per person; raise AuditUnavailable if that fails.

    `spends` are the one-time consents the released data was released under:
    they are spent in the entries' transaction (ConsentAlreadyUsed when
    another request spent one first, and then nothing is written).
    """
    if not outcomes:
        return []
    now = utcnow()
    entries = []
    pseudonyms = []
    for outcome in outcomes:
        pseudonym = agency_person_id(keys, facts.agency, outcome.rrn)
        pseudonyms.append(
            {
                "agency": facts.agency,
                "pseudonym": pseudonym,
                "subject_id": person_id(keys, outcome.rrn),
            }
        )
        entries.append(
            EntryContent(
                kind=EntryKind.ACCESS,
                occurred_at=now,
                request_id=facts.request_id,
                agency=facts.agency,
                official=facts.official,
                purpose=facts.purpose,
                case_ref=facts.case_ref,
                person=pseudonym,
                outcome=outcome.outcome,
                released={t: dict(sorted(f.items())) for t, f in sorted(outcome.released.items())},
                refused=dict(sorted(outcome.refused.items())),
                legal_basis=facts.legal_basis,
                policy_version=facts.policy_version,
                consent_ids=sorted(outcome.consent_ids),
                client_addr=facts.client_addr,
                query_hash=facts.query_hash,
                suppressed_until=facts.suppressed_until,
            )
        )
    side_rows: list[tuple[type[Any], list[dict[str, Any]]]] = [
        (Subject, subject_rows(keys, [o.rrn for o in outcomes])),
        (Pseudonym, pseudonyms),
    ]
    if facts.plan is not None:
        side_rows.append((RequestPlan, [_plan_row(facts, facts.plan, now)]))
    return await writer.append(entries, side_rows, spends)


def _plan_row(facts: AccessFacts, plan: PlanFacts, now: dt.datetime) -> dict[str, Any]:
    return {
        "request_id": facts.request_id,
        "occurred_at": now,
        "agency": facts.agency,
        "purpose": facts.purpose,
        "selected": {t: sorted(names) for t, names in sorted(plan.selected.items())},
        "persons": plan.persons,
        "walks_household": plan.walks_household,
        "policy_version": facts.policy_version,
        "query_hash": facts.query_hash,
    }
