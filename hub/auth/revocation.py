"""Refusing, at /graphql and /admin/graphql, the access tokens of a client switched off.

Access tokens are self-contained JWTs living at most 10 minutes. When a
client is disabled or loses a key (`hub.oauth.standing`), its row gets
`tokens_not_before`; a token of that client issued (`iat`) before then, or
any token of a client that is disabled now, is refused here as if it had
expired. The rows are few (only clients ever switched off) and held in
memory, re-read every `ttl_s` seconds (HUB_POLICY_REFRESH_S), so the check
costs a dictionary look-up per request and one small query per interval;
the process that makes the change calls `invalidate()` to apply it at once.
Tokens naming no client (development tokens) are not affected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select

from hub.auth.jwtcheck import Refusal, refuse
from hub.auth.tokens import Principal
from hub.db.models import OAuthClient
from hub.db.session import Database


@dataclass(frozen=True, slots=True)
class _Standing:
    disabled: bool
    not_before: float | None  # epoch seconds


class ClientRevocations:
    """The clients whose tokens are (partly) refused, reloaded every `ttl_s` seconds."""

    def __init__(
        self, db: Database, ttl_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._clock = clock
        self._known: dict[str, _Standing] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._known is not None and self._clock() - self._loaded_at < self.ttl_s

    async def check(self, principal: Principal) -> None:
        """Raise InvalidToken if the principal's client is disabled or revoked its token."""
        if principal.client_id is None:
            return
        if not self._fresh():
            async with self._lock:
                if not self._fresh():
                    self._known = await self._load()
                    self._loaded_at = self._clock()
        assert self._known is not None
        standing = self._known.get(principal.client_id)
        if standing is None:
            return
        if standing.disabled:
            raise refuse(Refusal.CLIENT_DISABLED, principal.client_id)
        # `iat` has whole seconds: a token of the very second of the change is
        # refused too, which errs on the safe side.
        if standing.not_before is not None and principal.issued_at <= standing.not_before:
            raise refuse(
                Refusal.TOKEN_REVOKED,
                f"client {principal.client_id} was switched off or lost a key after issuing it",
            )

    async def _load(self) -> dict[str, _Standing]:
        query = select(
            OAuthClient.client_id, OAuthClient.active, OAuthClient.tokens_not_before
        ).where(or_(OAuthClient.active.is_(False), OAuthClient.tokens_not_before.is_not(None)))
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        known: dict[str, _Standing] = {}
        for client_id, active, not_before in rows:
            if not_before is not None and not_before.tzinfo is None:
                not_before = not_before.replace(tzinfo=dt.UTC)  # SQLite drops the zone
            known[client_id] = _Standing(
                disabled=not active,
                not_before=None if not_before is None else not_before.timestamp(),
            )
        return known

    def invalidate(self) -> None:
        """Forget the cached clients so the next check reloads them."""
        self._known = None
