"""Submission and officers' decisions: four eyes, the states a document moves through."""

from __future__ import annotations

import pytest

from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.documents.store import DocumentError, DocumentNotFound, DocumentStatus
from tests.hub.documents.helpers import (
    INCOME_QUERY,
    NAME_QUERY,
    OFFICER,
    SUBMITTER,
    register,
    submission,
)

AGENCY = "LOCAL_WELFARE"


async def test_submitted_documents_are_pending(database: Database) -> None:
    results = await store.submit(
        database, AGENCY, [submission(NAME_QUERY), submission(INCOME_QUERY)], SUBMITTER
    )
    assert [r.outcome for r in results] == ["registered", "registered"]
    listed = await store.list_documents(database, AGENCY, DocumentStatus.PENDING)
    assert {d.document_hash for d in listed} == {
        document_hash(NAME_QUERY),
        document_hash(INCOME_QUERY),
    }
    assert all(d.submitted_by == SUBMITTER and d.reviewed_by is None for d in listed)


async def test_the_submitter_cannot_approve_their_own_document(database: Database) -> None:
    digest = await register(database, AGENCY, NAME_QUERY, DocumentStatus.PENDING)
    with pytest.raises(DocumentError, match="submitter cannot approve"):
        await store.decide(database, AGENCY, digest, SUBMITTER, "approve")
    approved = await store.decide(database, AGENCY, digest, OFFICER, "approve")
    assert (approved.status, approved.reviewed_by) == (DocumentStatus.APPROVED, OFFICER)


async def test_rejecting_and_revoking_need_a_reason_and_the_right_state(database: Database) -> None:
    digest = await register(database, AGENCY, NAME_QUERY, DocumentStatus.PENDING)
    with pytest.raises(DocumentError, match="say why you reject"):
        await store.decide(database, AGENCY, digest, OFFICER, "reject", "  ")
    with pytest.raises(DocumentError, match="is pending; only a approved one"):
        await store.decide(database, AGENCY, digest, OFFICER, "revoke", "stop")
    await store.decide(database, AGENCY, digest, OFFICER, "approve")
    revoked = await store.decide(database, AGENCY, digest, OFFICER, "revoke", "case closed")
    assert (revoked.status, revoked.review_note) == (DocumentStatus.REVOKED, "case closed")
    with pytest.raises(DocumentError, match="is revoked"):
        await store.decide(database, AGENCY, digest, "officer.c", "approve")


async def test_documents_are_per_agency(database: Database) -> None:
    digest = await register(database, AGENCY, NAME_QUERY)
    with pytest.raises(DocumentNotFound):
        await store.get_document(database, "NPS", digest)
    with pytest.raises(DocumentNotFound):
        await store.decide(database, "NPS", digest, OFFICER, "revoke", "x")


async def test_resubmitting_keeps_approved_and_reopens_rejected(database: Database) -> None:
    approved = await register(database, AGENCY, NAME_QUERY)
    rejected = await register(database, AGENCY, INCOME_QUERY, DocumentStatus.REJECTED)
    results = await store.submit(
        database, AGENCY, [submission(NAME_QUERY), submission(INCOME_QUERY)], "new.official"
    )
    assert [r.outcome for r in results] == ["unchanged", "resubmitted"]
    assert (await store.get_document(database, AGENCY, approved)).status is DocumentStatus.APPROVED
    reopened = await store.get_document(database, AGENCY, rejected)
    assert (reopened.status, reopened.submitted_by) == (DocumentStatus.PENDING, "new.official")
    # The last decision stays readable until the next one.
    assert reopened.review_note == "reads too much"
