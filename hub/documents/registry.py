"""The request path's view of registered documents, refreshed without a restart.

The agencies' endpoint looks documents up on every request from a
restricted agency, so they are held in memory and re-read every
`HUB_POLICY_REFRESH_S` seconds, as the policy is: an officer's revocation
in another process takes effect within that interval, and the process that
decides calls `invalidate()` to see it at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from hub.db.models import TrustedDocument
from hub.db.session import Database
from hub.documents.store import DocumentStatus


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """A registered document as the request path needs it."""

    status: DocumentStatus
    body: str | None  # only approved documents' text is kept: nothing else may run

    @property
    def approved(self) -> bool:
        """Whether the document may run."""
        return self.status is DocumentStatus.APPROVED


class TrustedDocuments:
    """Every registered document's status by (agency, hash), reloaded every `ttl_s` seconds."""

    def __init__(
        self, db: Database, ttl_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._clock = clock
        self._known: dict[tuple[str, str], KnownDocument] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._known is not None and self._clock() - self._loaded_at < self.ttl_s

    async def lookup(self, agency: str, digest: str) -> KnownDocument | None:
        """The agency's document with this hash, or None when it registered none."""
        if not self._fresh():
            async with self._lock:
                if not self._fresh():
                    self._known = await self._load()
                    self._loaded_at = self._clock()
        assert self._known is not None
        return self._known.get((agency, digest))

    async def _load(self) -> dict[tuple[str, str], KnownDocument]:
        query = select(
            TrustedDocument.agency,
            TrustedDocument.document_hash,
            TrustedDocument.status,
            TrustedDocument.body,
        )
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        known: dict[tuple[str, str], KnownDocument] = {}
        for agency, digest, status, body in rows:
            state = DocumentStatus(status)
            kept = body if state is DocumentStatus.APPROVED else None
            known[(agency, digest)] = KnownDocument(state, kept)
        return known

    def invalidate(self) -> None:
        """Forget the cached documents so the next lookup reloads them."""
        self._known = None
