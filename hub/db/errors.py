"""Telling "the hub's database cannot be reached" apart from every other failure.

A database that is down, restarting, dropped or out of connections is an
outage, not a bug: the hub answers 503 with `DATABASE_UNAVAILABLE` (or
`AUDIT_UNAVAILABLE` when it is the access log that failed) and `Retry-After`,
never a plain 500. The failures arrive in several guises: asyncpg lets a bare
`ConnectionRefusedError`/`OSError` out of `connect()`, which SQLAlchemy does
not wrap; a dropped database is a `DBAPIError` whose cause is asyncpg's
`InvalidCatalogNameError`; a terminated backend invalidates the connection;
SQLite cannot open its file. `is_database_unavailable` recognises them all
by walking the exception's chain.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc

#: Seconds a client is told to wait before retrying after an outage.
RETRY_AFTER_S = 5

#: asyncpg's errors that mean the server cannot be used now (SQLSTATE classes
#: 08 connection, 3D no such database, 28 authorization, 53 resources, 57
#: operator intervention), and a connection that was closed under us.
_ASYNCPG_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.ConnectionDoesNotExistError,
)
#: How far down `__cause__` and `orig` a cause is looked for.
_MAX_CHAIN = 8


class DatabaseUnavailable(Exception):
    """The hub's database could not be reached; the request was not served."""


def _direct(exc: BaseException) -> bool:
    if isinstance(exc, DatabaseUnavailable | OSError | sa_exc.TimeoutError):
        # OSError covers ConnectionRefusedError, socket.gaierror and TimeoutError.
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    return isinstance(exc, _ASYNCPG_UNAVAILABLE)


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) means the database could not be reached."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < _MAX_CHAIN:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _direct(current):
            return True
        orig = getattr(current, "orig", None)
        for cause in (orig, current.__cause__):
            if isinstance(cause, BaseException):
                pending.append(cause)
    return False
