"""Readiness: the database answers, the access log can be written, sources' breakers known.

`/readyz` is 200 only when the hub could serve a request now: its database
answers and an access-log entry could be written. That is proven, not
assumed, in one rolled-back transaction: the tree-size row is locked for
writing, and an INSERT of no rows goes into each table the audit writer
inserts into (audit entries and nodes, subjects, pseudonyms). A statement
that inserts nothing still needs the INSERT privilege and a writable
transaction, so a revoked grant, a read-only database or a hot standby
makes the hub unready, while nothing is written and no sequence is used.

Sources are reported, not probed: each one's circuit-breaker state, the
failed calls since its last success and how long ago the last failure and
success were (connectors.resilience), and `ok` is true only when every
source is closed with no failure since its last success. An unhealthy
source leaves the hub ready (its fields come back null with
SOURCE_UNAVAILABLE), while a database that does not answer or cannot be
written makes it unready, since no answer can be logged.

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

from sqlalchemy import false, insert, select, text, update

from connectors.base import BaseConnector
from hub.db.models import AuditEntry, AuditNode, AuditState, Base, Pseudonym, Subject
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


#: The tables the audit writer inserts into, for the entry of a request.
AUDIT_TABLES: tuple[type[Base], ...] = (AuditEntry, AuditNode, Subject, Pseudonym)


async def check_audit_writable(database: Database) -> None:
    """Raises unless an access-log entry could be written now (then rolls back).

    The audit_state row is locked for writing: PostgreSQL SELECT … FOR
    UPDATE; SQLite has no row locks, and a no-op UPDATE of the row takes the
    database's write lock, as BEGIN IMMEDIATE would. Then each table the
    writer inserts into gets `INSERT INTO t (every column) SELECT … WHERE
    false`: no row, but the privilege on every column and a writable
    transaction are checked as for a real entry.
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
        for model in AUDIT_TABLES:
            columns = list(model.__table__.columns)
            await session.execute(
                insert(model).from_select(
                    [c.name for c in columns], select(*columns).where(false())
                )
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


def source_reports(connectors: Mapping[str, BaseConnector]) -> dict[str, dict[str, Any]]:
    """Each source's breaker report (state, consecutive failures, last failure and success).

    A connector without `breaker_report` reports only its state (or "unknown").
    """
    reports: dict[str, dict[str, Any]] = {}
    for code, connector in sorted(connectors.items()):
        report = getattr(connector, "breaker_report", None)
        try:
            reports[code] = dict(report().as_json()) if callable(report) else {}
        except Exception as exc:
            log.debug("breaker_report of %s failed (%s)", code, exc)
            reports[code] = {}
        reports[code].setdefault("state", _breaker_state(connector))
    return reports


def sources_check(connectors: Mapping[str, BaseConnector]) -> dict[str, Any]:
    """What is known of the sources, without calling them; `ok` only if all are healthy."""
    reports = source_reports(connectors)

    def having(test: Any) -> list[str]:
        return sorted(code for code, report in reports.items() if test(report))

    failing = having(lambda r: r.get("consecutive_failures", 0) > 0)
    unknown = having(lambda r: r["state"] == "unknown")
    not_closed = having(lambda r: r["state"] != "closed")
    return {
        "ok": not (failing or not_closed),
        "open": having(lambda r: r["state"] == "open"),
        "failing": failing,
        "unknown": unknown,
        "breakers": {code: report["state"] for code, report in reports.items()},
        "details": reports,
    }


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
    checks = {
        "database": database_check,
        "audit_log": audit_check,
        # Reported, never a reason to be unready: see the module's docstring.
        "sources": sources_check(connectors),
    }
    ready = bool(database_check["ok"] and audit_check["ok"])
    if rate_limiter is not None and rate_limiter.backend != "database":
        limiter_check = await _run(rate_limiter.check())
        checks["rate_limits"] = {**limiter_check, "backend": rate_limiter.backend}
        ready = ready and bool(limiter_check["ok"])
    return ready, {"status": "ready" if ready else "unready", "checks": checks}
