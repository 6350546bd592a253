"""Rate counters in the hub's database: no extra service, one write transaction per request.

Fixed windows counted in `rate_counters`: each request increments its
counters (for /graphql its official's minute, its agency's minute and its
agency's day; for the token endpoint its address's or its clients' minute)
with one INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING, in
one short transaction. If any counter is then over its limit the
transaction rolls back (a refused request consumes nothing) and the caller
gets a 429 with the seconds until that window ends. If the database cannot be used the request is
let through uncounted (with a warning): the access log, in the same database,
then fails closed. Counters of past windows are deleted about once a minute
per process, by each scope's window length, in a transaction of their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, delete, or_
from sqlalchemy.exc import SQLAlchemyError

from hub.db.errors import is_database_unavailable
from hub.db.models import RateCounter
from hub.db.session import Database
from hub.db.upsert import dialect_insert
from hub.ratelimit.interfaces import RateLimited
from hub.ratelimit.windows import LONGEST_WINDOW_S, Counter, counters, prepared
from hub.settings import Settings

log = logging.getLogger("hub.ratelimit")

#: How often (seconds) a process deletes the counters of past windows.
PURGE_INTERVAL_S = 60.0


class DatabaseRateLimiter:
    """Checks and counts requests against the configured limits in the hub's database."""

    backend = "database"

    def __init__(
        self, database: Database, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self._database = database
        self._settings = settings
        self.clock = clock
        self._next_purge = 0.0
        #: Window length of each scope this process has counted, for the purge.
        self._windows: dict[str, int] = {}

    async def hit(self, agency: str, official: str) -> None:
        """Count one request of `official` of `agency`; raise RateLimited if over a limit."""
        await self.hit_counters(counters(self._settings.rate_limits_for(agency), agency, official))

    async def hit_counters(self, wanted: Sequence[Counter]) -> None:
        """Count one request against each of `wanted` in one transaction; RateLimited if over."""
        counted = prepared(wanted)
        if not counted:
            return
        now = self.clock()
        rows = [
            {"scope": c.scope, "key": c.key, "window_start": c.window_start(now), "count": 1}
            for c in counted
        ]
        try:
            over = await self._count(rows, counted)
        except Exception as exc:
            if not _unusable(exc):
                raise
            # The limits protect the sources, they do not account for data:
            # with the database unusable the access log cannot be written
            # either, and that fails closed (503, nothing released).
            log.warning("rate counters unavailable, request not counted: %s", type(exc).__name__)
            return
        if over is not None:
            raise RateLimited(over.scope, over.allowed, over.seconds_left(now))
        for counter in counted:
            self._windows[counter.scope] = counter.window_s
        if now >= self._next_purge:
            self._next_purge = now + PURGE_INTERVAL_S
            await self._purge(now)

    async def check(self) -> None:
        """Nothing of its own: /readyz checks the database already."""

    async def aclose(self) -> None:
        """Nothing to release: the database's pool is the app's to dispose of."""

    async def _count(self, rows: list[dict[str, Any]], wanted: list[Counter]) -> Counter | None:
        """Increment the counters in one transaction; the first over its limit, if any.

        Over a limit the transaction rolls back: a refused request consumes nothing.
        """
        async with self._database.session() as session:
            insert = dialect_insert(session.get_bind().dialect.name, RateCounter).values(rows)
            statement = insert.on_conflict_do_update(
                index_elements=["scope", "key", "window_start"],
                set_={"count": RateCounter.count + 1},
            ).returning(RateCounter.scope, RateCounter.key, RateCounter.count)
            counts: dict[tuple[str, str], int] = {
                (scope, key): n for scope, key, n in (await session.execute(statement)).all()
            }
            for counter in wanted:
                if counts[(counter.scope, counter.key)] > counter.allowed:
                    await session.rollback()
                    return counter
            await session.commit()
        return None

    async def _purge(self, now: float) -> None:
        """Delete the counters of past windows (a failure only delays it).

        A row does not say how long its window is, so each scope this
        process has counted is purged by its own window length; rows of
        scopes it has not counted (another process's, or a scope no longer
        used) go once they started a longest window ago, and have ended
        whatever their length.
        """
        by_length: dict[int, list[str]] = {}
        for scope, window_s in self._windows.items():
            by_length.setdefault(window_s, []).append(scope)
        ended = [
            and_(
                RateCounter.scope.in_(sorted(scopes)),
                RateCounter.window_start < int(now // window_s) * window_s,
            )
            for window_s, scopes in sorted(by_length.items())
        ]
        ended.append(
            and_(
                RateCounter.scope.not_in(sorted(self._windows)),
                RateCounter.window_start <= now - LONGEST_WINDOW_S,
            )
        )
        try:
            async with self._database.session() as session:
                await session.execute(delete(RateCounter).where(or_(*ended)))
                await session.commit()
        except Exception as exc:
            if not _unusable(exc):
                raise
            log.warning("could not purge old rate counters: %s", type(exc).__name__)


def _unusable(exc: Exception) -> bool:
    """Whether `exc` says the database cannot be used now.

    asyncpg lets a refused connection out as a bare ConnectionRefusedError
    (an OSError SQLAlchemy does not wrap), so SQLAlchemyError alone misses
    the commonest outage.
    """
    return isinstance(exc, SQLAlchemyError) or is_database_unavailable(exc)
