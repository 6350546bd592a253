"""Registered documents in the database: submission, listing and officers' decisions.

A document is submitted `pending`; a privacy officer other than the
submitter approves it, or any officer rejects it; an approved document may
be revoked. Every decision keeps who made it, when and why.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from hub.db.models import TrustedDocument, utcnow
from hub.db.session import Database
from hub.documents.submission import Submission
from hub.identity.officials import same_official

#: The longest review note the database keeps (trusted_documents.review_note).
MAX_NOTE = 2000


class DocumentStatus(enum.StrEnum):
    """Where a registered document is in its review."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class DocumentError(ValueError):
    """A decision that is not allowed (wrong state, same officer, no reason)."""


class DocumentNotFound(DocumentError):
    """The agency has no document with this hash."""


@dataclass(frozen=True)
class DocumentInfo:
    """A registered document and the last decision on it."""

    agency: str
    document_hash: str
    body: str
    operation_names: tuple[str, ...]
    status: DocumentStatus
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str | None


@dataclass(frozen=True)
class Submitted:
    """What submitting one document did."""

    document: DocumentInfo
    outcome: str  # "registered", "resubmitted" or "unchanged"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _info(row: TrustedDocument) -> DocumentInfo:
    submitted_at = _aware(row.submitted_at)
    assert submitted_at is not None
    return DocumentInfo(
        agency=row.agency,
        document_hash=row.document_hash,
        body=row.body,
        operation_names=tuple(row.operation_names),
        status=DocumentStatus(row.status),
        submitted_by=row.submitted_by,
        submitted_at=submitted_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=_aware(row.reviewed_at),
        review_note=row.review_note,
    )


async def submit(
    db: Database, agency: str, submissions: Sequence[Submission], submitted_by: str
) -> list[Submitted]:
    """Register `submissions` for `agency` as pending, in one transaction.

    A document already pending or approved is left as it is; a rejected or
    revoked one goes back to pending review (its last decision stays
    readable until the next one).
    """
    if not submitted_by.strip():
        raise DocumentError("say who submits the documents")
    results: list[Submitted] = []
    async with db.session() as session:
        for submission in submissions:
            key = (agency, submission.document_hash)
            row = await session.get(TrustedDocument, key, with_for_update=True)
            if row is None:
                row = TrustedDocument(
                    agency=agency,
                    document_hash=submission.document_hash,
                    body=submission.body,
                    operation_names=list(submission.operation_names),
                    status=DocumentStatus.PENDING,
                    submitted_by=submitted_by,
                    submitted_at=utcnow(),
                )
                session.add(row)
                outcome = "registered"
            elif row.status in (DocumentStatus.REJECTED, DocumentStatus.REVOKED):
                row.status = DocumentStatus.PENDING
                row.submitted_by = submitted_by
                row.submitted_at = utcnow()
                outcome = "resubmitted"
            else:
                outcome = "unchanged"
            await session.flush()
            results.append(Submitted(_info(row), outcome))
        await session.commit()
    return results


async def list_documents(
    db: Database, agency: str | None = None, status: DocumentStatus | None = None
) -> list[DocumentInfo]:
    """Registered documents, by agency and then newest submission first."""
    query = select(TrustedDocument).order_by(
        TrustedDocument.agency, TrustedDocument.submitted_at.desc(), TrustedDocument.document_hash
    )
    if agency is not None:
        query = query.where(TrustedDocument.agency == agency)
    if status is not None:
        query = query.where(TrustedDocument.status == status)
    async with db.session() as session:
        return [_info(row) for row in await session.scalars(query)]


async def get_document(db: Database, agency: str, digest: str) -> DocumentInfo:
    """One document; DocumentNotFound when the agency has none with this hash."""
    async with db.session() as session:
        row = await session.get(TrustedDocument, (agency, digest))
        if row is None:
            raise DocumentNotFound(f"{agency} has no document {digest}")
        return _info(row)


#: Which states each decision may start from, and the state it leads to.
_DECISIONS: dict[str, tuple[tuple[DocumentStatus, ...], DocumentStatus]] = {
    "approve": ((DocumentStatus.PENDING,), DocumentStatus.APPROVED),
    "reject": ((DocumentStatus.PENDING,), DocumentStatus.REJECTED),
    "revoke": ((DocumentStatus.APPROVED,), DocumentStatus.REVOKED),
}


async def decide(
    db: Database, agency: str, digest: str, officer: str, action: str, note: str | None = None
) -> DocumentInfo:
    """Approve, reject or revoke a document; the submitter cannot approve their own.

    Rejecting and revoking need a reason (`note`), since the agency must
    learn why; an approval may carry one.
    """
    sources, target = _DECISIONS[action]
    note = (note or "").strip() or None
    if action != "approve" and note is None:
        raise DocumentError(f"say why you {action} the document")
    if note is not None and len(note) > MAX_NOTE:
        raise DocumentError(f"a reason is at most {MAX_NOTE} characters")
    async with db.session() as session:
        row = await session.get(TrustedDocument, (agency, digest), with_for_update=True)
        if row is None:
            raise DocumentNotFound(f"{agency} has no document {digest}")
        if row.status not in sources:
            allowed = " or ".join(sources)
            raise DocumentError(
                f"document {digest} of {agency} is {row.status}; only a {allowed} one "
                f"can be {target}"
            )
        if action == "approve" and same_official(row.submitted_by, officer):
            raise DocumentError("the submitter cannot approve their own document")
        row.status = target
        row.reviewed_by = officer
        row.reviewed_at = utcnow()
        row.review_note = note
        await session.commit()
        return _info(row)
