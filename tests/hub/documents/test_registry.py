"""The request path's cache of documents: no database per request, refreshed on time."""

from __future__ import annotations

from hub.db.session import Database
from hub.documents import store
from hub.documents.registry import TrustedDocuments
from hub.documents.store import DocumentStatus
from tests.hub.documents.helpers import INCOME_QUERY, NAME_QUERY, OFFICER, register

AGENCY = "LOCAL_WELFARE"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_revocation_applies_after_the_refresh_interval(database: Database) -> None:
    digest = await register(database, AGENCY, NAME_QUERY)
    clock = Clock()
    registry = TrustedDocuments(database, ttl_s=5.0, clock=clock)
    known = await registry.lookup(AGENCY, digest)
    assert known is not None and known.approved and known.body == NAME_QUERY

    await store.decide(database, AGENCY, digest, OFFICER, "revoke", "no longer needed")
    clock.now += 4.9
    still = await registry.lookup(AGENCY, digest)
    assert still is not None and still.approved  # within the interval: the cached answer
    clock.now += 0.2
    revoked = await registry.lookup(AGENCY, digest)
    assert revoked is not None and revoked.status is DocumentStatus.REVOKED
    assert revoked.body is None  # nothing but approved text is kept for the request path


async def test_invalidate_reloads_at_once(database: Database) -> None:
    registry = TrustedDocuments(database, ttl_s=3600, clock=Clock())
    digest = await register(database, AGENCY, INCOME_QUERY, DocumentStatus.PENDING)
    pending = await registry.lookup(AGENCY, digest)
    assert pending is not None and not pending.approved
    await store.decide(database, AGENCY, digest, OFFICER, "approve")
    registry.invalidate()
    approved = await registry.lookup(AGENCY, digest)
    assert approved is not None and approved.approved
    assert await registry.lookup("NPS", digest) is None
