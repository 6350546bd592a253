"""Connector for sources whose records are a database the hub reads directly.

The welfare system's own benefit records (source `SSIS`) are such a source.
Tables and columns are derived from the catalog (`connectors.sql_tables`), so
the connector reads exactly the requested columns, one query per type for the
whole batch of persons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError

from connectors.base import AS_OF, BaseConnector, FetchResult, FieldRequest, SourceUnavailable
from connectors.registry import register
from connectors.sql_tables import AS_OF_COLUMN, snake_case, source_tables
from hub.catalog.model import Catalog, Source
from hub.db.engine import create_engine
from hub.settings import Settings


def _plain(value: Any) -> Any:
    # Hand values onward in the wire protocol's JSON shapes, as HTTP sources do.
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class SqlConnector(BaseConnector):
    """Reads a source's tables through a pooled async engine."""

    def __init__(self, source: Source, catalog: Catalog, settings: Settings) -> None:
        super().__init__(source, catalog, settings)
        self._timeout = settings.source_timeout(source.code, sql=True)
        url = settings.source(source.code, sql=True).url
        self._engine = create_engine(url, pool_size=5, max_overflow=5, pool_timeout=self._timeout)
        _, self._tables = source_tables(catalog, source.code)

    async def _fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Read the requested columns for the batch; see BaseConnector.fetch.

        The time budget is BaseConnector's; the engine's pool timeout bounds
        the wait for a connection by the same budget.
        """
        result = FetchResult(records={rrn: {} for rrn in subjects})
        try:
            async with self._engine.connect() as connection:
                for type_name, names in fields.items():
                    info_type = self.catalog.info_type(type_name)
                    table = self._tables[type_name]
                    # Every row's as-of goes with it, as an HTTP source sends it.
                    keys = [*names, AS_OF]
                    columns = [table.c[snake_case(n)] for n in names] + [table.c[AS_OF_COLUMN]]
                    query = select(table.c.rrn, *columns).where(table.c.rrn.in_(list(subjects)))
                    rows = (await connection.execute(query)).all()
                    grouped: dict[str, list[dict[str, Any]]] = {}
                    for row in rows:
                        record = {n: _plain(v) for n, v in zip(keys, row[1:], strict=True)}
                        grouped.setdefault(row[0], []).append(record)
                    for rrn in subjects:
                        found = grouped.get(rrn, [])
                        if info_type.many:
                            result.records[rrn][type_name] = found
                        else:
                            result.records[rrn][type_name] = found[0] if found else None
        except (OSError, DisconnectionError) as exc:
            raise SourceUnavailable(
                self.code, f"unreachable ({type(exc).__name__})", retryable=True
            ) from None
        except SQLAlchemyError as exc:
            # A lost or refused connection may come back; an invalid query or
            # a saturated pool will not be cured by asking again.
            transient = isinstance(exc, DBAPIError) and exc.connection_invalidated
            raise SourceUnavailable(
                self.code, f"database error ({type(exc).__name__})", retryable=transient
            ) from None
        return result

    async def aclose(self) -> None:
        """Dispose of the engine's pool."""
        await self._engine.dispose()


@register("sqlite+aiosqlite", "postgresql+asyncpg")
def _sql(source: Source, catalog: Catalog, settings: Settings) -> BaseConnector:
    return SqlConnector(source, catalog, settings)
