"""Table definitions of SQL-transport sources, derived from the catalog.

docs/sources.md fixes the layout: one table per information type of the
source, named after the type in snake_case, with an indexed text column
`rrn`, one nullable column per exposed field in snake_case, and the date
column `_as_of` (the record's as-of date, `_asOf` on the wire; no field's
snake_case starts with an underscore). Both the SQL
connector and the simulator's seeder use these definitions, so the two can
never disagree about a name or a type.

Decimal kinds (`area_m2`, `percent`) are Float columns rather than Numeric:
the values carry two decimals at most, a double holds them exactly enough,
and Float comes back as a Python float that serialises to JSON as-is.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.types import TypeEngine

from hub.catalog.model import Catalog, Kind

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_COLUMN_TYPES: dict[Kind, type[TypeEngine[Any]]] = {
    Kind.TEXT: String,
    Kind.CODE: String,
    Kind.INT: Integer,
    Kind.WON: BigInteger,
    Kind.AREA_M2: Float,
    Kind.PERCENT: Float,
    Kind.DATE: Date,
    Kind.BOOL: Boolean,
}


#: The column holding each row's as-of date. Nullable like the field columns:
#: a row without one is the source's mistake, which the hub reports as
#: invalid data rather than the database refusing to hold it.
AS_OF_COLUMN = "_as_of"


def snake_case(name: str) -> str:
    """`earnedIncome` -> `earned_income`; `rrnHTTPCode` -> `rrn_http_code`."""
    return _BOUNDARY.sub("_", name).lower()


def source_tables(catalog: Catalog, source_code: str) -> tuple[MetaData, dict[str, Table]]:
    """The tables of one source: a fresh MetaData and the tables by info type name.

    Raises KeyError for an unknown source and ValueError when two names of
    a type collide in snake_case (or a field would be called `rrn`).
    """
    catalog.source(source_code)  # KeyError names the unknown source
    metadata = MetaData()
    tables: dict[str, Table] = {}
    for info_type in catalog.types_of(source_code):
        columns: list[Column[Any]] = [Column("rrn", String(13), nullable=False, index=True)]
        for f in info_type.exposed_fields:
            column_type = _COLUMN_TYPES.get(f.kind)
            if column_type is None:  # members lists are never exposed, so never stored
                continue
            columns.append(Column(snake_case(f.name), column_type(), nullable=True))
        columns.append(Column(AS_OF_COLUMN, Date(), nullable=True))
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"columns of {info_type.name!r} collide in snake_case: {names}")
        name = snake_case(info_type.name)
        if name in metadata.tables:
            raise ValueError(f"two information types map to table {name!r}")
        tables[info_type.name] = Table(name, metadata, *columns)
    return metadata, tables
