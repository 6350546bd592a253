"""The background signer: a new signed tree head whenever the log has grown.

A running hub signs every `audit_sign_interval_s` seconds if entries were
added since the last signed head, so that no entry stays uncommitted to a
signature for longer than an interval. A failure (database down, no key)
is logged and retried at the next tick; it never stops the hub, whose
requests do not depend on heads. Stopping lets a tick in progress finish
rather than cancelling it halfway through a transaction.
"""

from __future__ import annotations

import asyncio
import logging

from hub.audit.heads import SignedTreeHead, latest_head, sign_current, tree_size
from hub.db.session import Database
from hub.keys import KeyRing

log = logging.getLogger("hub.audit")

#: How long stopping waits for a tick in progress before cancelling it.
STOP_GRACE_S = 5.0


async def sign_if_grown(db: Database, keys: KeyRing) -> SignedTreeHead | None:
    """Sign a head if the log holds entries no signed head covers; else None."""
    async with db.session() as session:
        size = await tree_size(session)
    latest = await latest_head(db)
    signed = latest.size if latest is not None else 0
    if size <= signed:
        return None
    return await sign_current(db, keys)


class HeadSigner:
    """Runs `sign_if_grown` every `interval_s` seconds between `start` and `stop`."""

    def __init__(self, db: Database, keys: KeyRing, interval_s: float) -> None:
        self.db = db
        self.keys = keys
        self.interval_s = interval_s
        self.heads_signed = 0
        self.failures = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> SignedTreeHead | None:
        """One round: sign if the log grew; failures are logged and counted, not raised."""
        try:
            head = await sign_if_grown(self.db, self.keys)
        except Exception:
            self.failures += 1
            log.exception("signing a tree head failed; retrying in %.3g s", self.interval_s)
            return None
        if head is not None:
            self.heads_signed += 1
            log.info("signed tree head of size %d", head.size)
        return head

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                async with asyncio.timeout(self.interval_s):
                    await self._stop.wait()
            except TimeoutError:
                await self.tick()

    def start(self) -> None:
        """Start signing in the background (once)."""
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self._run(), name="audit-head-signer")

    async def stop(self) -> None:
        """Stop after the tick in progress, if any (cancel it after STOP_GRACE_S)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        done, _ = await asyncio.wait([task], timeout=STOP_GRACE_S)
        if not done:
            log.warning("the tree-head signer did not stop within %.3g s; cancelling", STOP_GRACE_S)
            task.cancel()
            await asyncio.wait([task])
