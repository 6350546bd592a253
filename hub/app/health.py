"""Readiness: the database answers, the access log can be written, sources' breakers known.

`/readyz` is 200 only when the hub could serve a request now: its database
answers and the audit log's tree-size row can be locked for writing (the
lock is taken and released in a rolled-back transaction; no entry is
written). Sources are reported, not probed: each one's circuit-breaker
state is listed, and an open breaker leaves the hub ready (the fields of
that source come back null with SOURCE_UNAVAILABLE), while a database that
does not answer makes it unready, since no answer can be logged.

When the rate limits are counted in Redis (HUB_REDIS_URL), Redis must answer
a PING too: a configured Redis that is down would let every request through
uncounted, so the instance is reported unready for the balancer to notice.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text, update

from connectors.base import BaseConnector
from hub.db.models import AuditState
from hub.db.session import Database
from hub.ratelimit import RateLimiter

log = logging.getLogger("hub.health")

#: How long one readiness check may take before it counts as failed.
CHECK_TIMEOUT_S = 3.0


async def check_database(database: Database) -> None:
    """Raises unless the database answers a trivial query."""
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
        await session.rollback()


async def check_audit_writable(database: Database) -> None:
    """Raises unless the audit_state row can be locked for writing (then rolls back).

    PostgreSQL: SELECT … FOR UPDATE of the row. SQLite has no row locks; a
    no-op UPDATE of the row takes the database's write lock, as BEGIN
    IMMEDIATE would, and fails on a read-only or unmigrated database.
    """
    async with database.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            found = await session.scalar(
                select(AuditState.size).where(AuditState.id == 1).with_for_update()
            )
        else:
            found = await session.scalar(
                update(AuditState)
                .where(AuditState.id == 1)
                .values(size=AuditState.size)
                .returning(AuditState.size)
            )
        await session.rollback()
    if found is None:
        raise LookupError("audit_state row missing")


def breaker_states(connectors: Mapping[str, BaseConnector]) -> dict[str, str]:
    """Each source's circuit-breaker state ("unknown" where a connector reports none).

    Uses `connectors.resilience.breaker_states` when it is there, else (or if
    it fails) each connector's `breaker_state` (a method or an attribute).
    """
    try:
        resilience: Any = importlib.import_module("connectors.resilience")
    except ImportError:
        resilience = None
    provider = getattr(resilience, "breaker_states", None)
    if callable(provider):
        try:
            return {str(k): str(v) for k, v in provider(connectors).items()}
        except Exception as exc:  # a connector without a breaker: read each defensively
            log.debug("breaker_states failed (%s); reading connectors one by one", exc)
    return {code: _breaker_state(connector) for code, connector in sorted(connectors.items())}


def _breaker_state(connector: object) -> str:
    state = getattr(connector, "breaker_state", None)
    if callable(state):
        try:
            state = state()
        except Exception:
            state = None
    if state is None:
        return "unknown"
    return str(getattr(state, "value", state))


async def _run(check: Any) -> dict[str, Any]:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT_S)
    except Exception as exc:
        # The exception's type only: messages can carry hosts or credentials.
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


async def readiness(
    database: Database,
    connectors: Mapping[str, BaseConnector],
    rate_limiter: RateLimiter | None = None,
) -> tuple[bool, dict[str, Any]]:
    """Whether the hub is ready, and the JSON body listing each check.

    The rate limiter's store is checked only when it is a service of its own
    (Redis); counted in the database, the database check covers it.
    """
    database_check = await _run(check_database(database))
    audit_check = (
        await _run(check_audit_writable(database))
        if database_check["ok"]
        else {"ok": False, "error": "database unreachable"}
    )
    breakers = breaker_states(connectors)
    open_sources = sorted(code for code, state in breakers.items() if state == "open")
    checks = {
        "database": database_check,
        "audit_log": audit_check,
        "sources": {"ok": True, "open": open_sources, "breakers": breakers},
    }
    ready = bool(database_check["ok"] and audit_check["ok"])
    if rate_limiter is not None and rate_limiter.backend != "database":
        limiter_check = await _run(rate_limiter.check())
        checks["rate_limits"] = {**limiter_check, "backend": rate_limiter.backend}
        ready = ready and bool(limiter_check["ok"])
    return ready, {"status": "ready" if ready else "unready", "checks": checks}
