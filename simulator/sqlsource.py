"""Seeding the database of a SQL-transport source (the welfare system, `SSIS`).

The tables come from `connectors.sql_tables`, the layout the SQL connector
reads, and the rows from `Population.records_at`, so a row read back through
the connector equals what `Population.record()` says for the same person.
Each row's as-of date is the one the population gives on the day of seeding:
like a real database, the rows then age.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from connectors.base import AS_OF
from connectors.sql_tables import AS_OF_COLUMN, snake_case, source_tables
from hub.catalog.model import Catalog, InfoType, Kind
from simulator.population import Population

CHUNK_ROWS = 5000


async def seed_sql_source(
    url: str, population: Population, catalog: Catalog, source_code: str = "SSIS"
) -> int:
    """(Re)create the source's tables at `url` and fill them; the number of rows written.

    `url` is an async SQLAlchemy URL (`sqlite+aiosqlite:///path`,
    `postgresql+asyncpg://...`). The tables are dropped first, so seeding
    twice leaves the same data.
    """
    metadata, tables = source_tables(catalog, source_code)
    types = [catalog.info_type(name) for name in tables]
    wanted: dict[InfoType, list[str] | None] = {
        t: [f.name for f in t.exposed_fields if f.kind is not Kind.MEMBERS] for t in types
    }
    _create_parent(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
            await connection.run_sync(metadata.create_all)
        written = 0
        # One transaction for the whole load: SQLite commits are the slow part.
        async with engine.begin() as connection:
            pending: dict[str, list[dict[str, Any]]] = {t.name: [] for t in types}
            for index in range(population.size):
                rrn = population.rrn_at(index)
                for type_name, found in population.records_at(index, wanted).items():
                    rows = pending[type_name]
                    for record in found if isinstance(found, list) else [found]:
                        if record is not None:
                            rows.append(_row(rrn, record, catalog.info_type(type_name)))
                    if len(rows) >= CHUNK_ROWS:
                        written += await _flush(connection, tables[type_name], rows)
            for type_name, rows in pending.items():
                written += await _flush(connection, tables[type_name], rows)
        return written
    finally:
        await engine.dispose()


def _row(rrn: str, record: dict[str, Any], info_type: InfoType) -> dict[str, Any]:
    row: dict[str, Any] = {"rrn": rrn}
    for name, value in record.items():
        if name == AS_OF:
            row[AS_OF_COLUMN] = dt.date.fromisoformat(value)
            continue
        if value is not None and info_type.field(name).kind is Kind.DATE:
            value = dt.date.fromisoformat(value)
        row[snake_case(name)] = value
    return row


async def _flush(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    await connection.execute(table.insert(), rows)
    count = len(rows)
    rows.clear()
    return count


def _create_parent(url: str) -> None:
    """An SQLite file's directory (and its parents), which a fresh data directory lacks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
