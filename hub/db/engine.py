"""Async engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _json_text(value: Any) -> str:
    # orjson: the audit entries' JSON columns are serialised for every
    # entry, and the standard library's encoder was a large share of it.
    return orjson.dumps(value).decode()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`, with SQLite made to behave transactionally.

    pysqlite (and so aiosqlite) defers BEGIN and commits around DDL, which
    breaks savepoints and the test suite's rollback-per-test; taking BEGIN into
    our own hands is SQLAlchemy's documented remedy. WAL lets readers and the
    writer proceed together; the busy timeout turns brief lock contention into
    a wait instead of an error.
    """
    kwargs.setdefault("json_serializer", _json_text)
    if is_sqlite(url):
        sqlite_path = make_url(url).database
        if sqlite_path and sqlite_path != ":memory:":
            from pathlib import Path

            Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)
