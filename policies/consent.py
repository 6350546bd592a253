"""The consent registry: person x agency x purpose x information types.

Consents are recorded and changed only by authorised channels (consent
managers, privacy officers), never by the consuming agency. Changes take
effect on the next request: nothing about a consent is cached across
requests. A one-time consent is spent atomically by its first use.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from hub.catalog.model import Catalog
from hub.crypto import seal, unseal
from hub.db.models import Consent, ConsentEvent, utcnow
from hub.db.session import Database
from hub.identity.rrn import InvalidRRN, parse_rrn
from hub.identity.subjects import ensure_subjects, person_id
from hub.keys import KeyRing


class ConsentStatus(enum.StrEnum):
    """Lifecycle states; EXPIRED is derived from the validity window."""

    ACTIVE = "active"
    PAUSED = "paused"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ConsentUsage(enum.StrEnum):
    """Whether a consent covers one use or every use in its window."""

    ONE_TIME = "one_time"
    PERIODIC = "periodic"


class ConsentChannel(enum.StrEnum):
    """How the person gave the consent."""

    ONLINE_PORTAL = "online_portal"
    IN_PERSON = "in_person"
    MOBILE_APP = "mobile_app"
    WRITTEN = "written"


class ConsentError(ValueError):
    """A consent cannot be recorded or changed as asked."""


class ConsentNotFound(ConsentError):
    """No consent has this id."""


#: The longest reason the database keeps (consent_events.reason).
MAX_REASON = 2000


@dataclass(frozen=True)
class ConsentView:
    """A consent as people and resolvers see it, with its effective status."""

    id: str
    subject_id: str
    agency: str
    purpose: str
    info_types: tuple[str, ...]
    valid_from: dt.datetime
    valid_until: dt.datetime
    usage: ConsentUsage
    channel: ConsentChannel
    status: ConsentStatus
    used_at: dt.datetime | None
    recorded_by: str

    def permits(self, info_type: str, now: dt.datetime) -> bool:
        """Whether this consent releases `info_type` right now."""
        return (
            self.status is ConsentStatus.ACTIVE
            and info_type in self.info_types
            and self.valid_from <= now < self.valid_until
            and not (self.usage is ConsentUsage.ONE_TIME and self.used_at is not None)
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def view(row: Consent, now: dt.datetime | None = None) -> ConsentView:
    """The consent's view, with EXPIRED derived from the window."""
    now = now or utcnow()
    status = ConsentStatus(row.status)
    if status in (ConsentStatus.ACTIVE, ConsentStatus.PAUSED) and now >= _aware(row.valid_until):
        status = ConsentStatus.EXPIRED
    return ConsentView(
        id=row.id,
        subject_id=row.subject_id,
        agency=row.agency,
        purpose=row.purpose,
        info_types=tuple(row.info_types),
        valid_from=_aware(row.valid_from),
        valid_until=_aware(row.valid_until),
        usage=ConsentUsage(row.usage),
        channel=ConsentChannel(row.channel),
        status=status,
        used_at=_aware(row.used_at) if row.used_at else None,
        recorded_by=row.recorded_by,
    )


@dataclass(frozen=True)
class ConsentRequest:
    """What a consent channel submits to record a consent."""

    rrn: str
    agency: str
    purpose: str
    info_types: Sequence[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    usage: ConsentUsage
    channel: ConsentChannel
    evidence: str | None = None


def _check(request: ConsentRequest, catalog: Catalog) -> str:
    """Validate the request; return the registration number's 13 digits."""
    try:
        digits = parse_rrn(request.rrn).digits
    except InvalidRRN as exc:
        raise ConsentError(str(exc)) from None
    agency = catalog.agency(request.agency)
    if agency is None:
        raise ConsentError(f"unknown agency {request.agency}")
    if agency.purpose(request.purpose) is None:
        raise ConsentError(f"agency {request.agency} has not declared purpose {request.purpose}")
    unknown = [t for t in request.info_types if not catalog.has_info_type(t)]
    if unknown or not request.info_types:
        raise ConsentError(f"unknown or missing information types: {', '.join(unknown) or '-'}")
    if request.valid_from.tzinfo is None or request.valid_until.tzinfo is None:
        raise ConsentError("valid_from and valid_until need a time zone")
    if request.valid_until <= request.valid_from:
        raise ConsentError("valid_until must be after valid_from")
    return digits


async def record_consent(
    db: Database, keys: KeyRing, catalog: Catalog, request: ConsentRequest, actor: str
) -> ConsentView:
    """Record a new ACTIVE consent for the person."""
    # The person id is a hash of the 13 digits: a hyphenated number must
    # land on the same person as the agencies' queries, which normalise too.
    rrn = _check(request, catalog)
    subject = person_id(keys, rrn)
    consent_id = str(uuid.uuid4())
    evidence_kid, evidence = (
        seal(keys, request.evidence, consent_id) if request.evidence else (None, None)
    )
    row = Consent(
        id=consent_id,
        subject_id=subject,
        agency=request.agency,
        purpose=request.purpose,
        info_types=sorted(set(request.info_types)),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        usage=request.usage,
        channel=request.channel,
        status=ConsentStatus.ACTIVE,
        evidence_key_id=evidence_kid,
        evidence_ciphertext=evidence,
        recorded_by=actor,
    )
    async with db.session() as session:
        await ensure_subjects(session, keys, [rrn])
        session.add(row)
        await session.flush()
        session.add(ConsentEvent(consent_id=consent_id, actor=actor, action="recorded"))
        await session.commit()
    return view(row)


_TRANSITIONS = {
    "pause": ({ConsentStatus.ACTIVE}, ConsentStatus.PAUSED),
    "resume": ({ConsentStatus.PAUSED}, ConsentStatus.ACTIVE),
    "revoke": ({ConsentStatus.ACTIVE, ConsentStatus.PAUSED}, ConsentStatus.REVOKED),
}


def possible_changes(status: ConsentStatus) -> tuple[str, ...]:
    """The changes (`pause`, `resume`, `revoke`) `change_consent` accepts in `status`."""
    return tuple(action for action, (allowed, _) in _TRANSITIONS.items() if status in allowed)


async def change_consent(
    db: Database, consent_id: str, action: str, actor: str, reason: str | None = None
) -> ConsentView:
    """Pause, resume or revoke; takes effect on the next request."""
    if action not in _TRANSITIONS:
        raise ConsentError(f"unknown action {action!r}")
    if reason is not None and len(reason) > MAX_REASON:
        raise ConsentError(f"a reason is at most {MAX_REASON} characters")
    allowed, target = _TRANSITIONS[action]
    async with db.session() as session:
        row = await session.get(Consent, consent_id, with_for_update=True)
        if row is None:
            raise ConsentNotFound(f"no consent {consent_id}")
        current = view(row).status
        if current not in allowed:
            raise ConsentError(f"cannot {action} a consent that is {current}")
        row.status = target
        row.updated_at = utcnow()
        session.add(ConsentEvent(consent_id=consent_id, actor=actor, action=action, reason=reason))
        await session.commit()
        return view(row)


async def consents_of(
    db: Database, subject_ids: Sequence[str], agency: str | None = None, purpose: str | None = None
) -> dict[str, list[ConsentView]]:
    """Consents by subject, optionally for one agency and purpose."""
    query = select(Consent).where(Consent.subject_id.in_(list(subject_ids)))
    if agency is not None:
        query = query.where(Consent.agency == agency)
    if purpose is not None:
        query = query.where(Consent.purpose == purpose)
    out: dict[str, list[ConsentView]] = {s: [] for s in subject_ids}
    now = utcnow()
    async with db.session() as session:
        for row in await session.scalars(query.order_by(Consent.created_at)):
            out[row.subject_id].append(view(row, now))
    return out


async def spend_one_time(db: Database, consent_id: str) -> bool:
    """Mark a one-time consent used; False when another request used it first."""
    async with db.session() as session:
        result = await session.execute(
            update(Consent)
            .where(Consent.id == consent_id, Consent.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            return False
        session.add(ConsentEvent(consent_id=consent_id, actor="hub", action="used"))
        await session.commit()
    return True


async def consent_evidence(db: Database, keys: KeyRing, consent_id: str) -> str | None:
    """The decrypted evidence note of a consent, if it has one."""
    async with db.session() as session:
        row = await session.get(Consent, consent_id)
        if row is None or row.evidence_ciphertext is None or row.evidence_key_id is None:
            return None
        return unseal(keys, row.evidence_key_id, row.evidence_ciphertext, consent_id)


async def consent_history(db: Database, consent_id: str) -> list[ConsentEvent]:
    """The consent's events, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.consent_id == consent_id)
            .order_by(ConsentEvent.id)
        )
        return list(rows)


async def consent_histories(
    db: Database, consent_ids: Sequence[str]
) -> dict[str, list[ConsentEvent]]:
    """Each consent's events, oldest first, in one query."""
    out: dict[str, list[ConsentEvent]] = {c: [] for c in consent_ids}
    if not out:
        return out
    async with db.session() as session:
        rows = await session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.consent_id.in_(list(out)))
            .order_by(ConsentEvent.id)
        )
        for row in rows:
            out[row.consent_id].append(row)
    return out
