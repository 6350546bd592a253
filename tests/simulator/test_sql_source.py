"""Tables of SQL sources derived from the catalog, and seeding them from the population."""

from __future__ import annotations

import json
import os
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import BigInteger, Boolean, Date, Float, Integer, String, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from connectors.base import AS_OF
from connectors.sql_tables import AS_OF_COLUMN, snake_case, source_tables
from hub.catalog import load_catalog
from hub.catalog.model import Catalog, Field, Kind
from simulator.population import Population
from simulator.sqlsource import seed_sql_source
from simulator.testing import mini_catalog

PG_ADMIN_URL = os.environ.get(
    "HUB_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
).replace("postgresql://", "postgresql+asyncpg://", 1)
REQUIRE_POSTGRES = os.environ.get("HUB_REQUIRE_POSTGRES") == "1"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("earnedIncome", "earned_income"),
        ("residentRegistration", "resident_registration"),
        ("isHead", "is_head"),
        ("movedInOn", "moved_in_on"),
        ("year", "year"),
        ("rankHTTPCode", "rank_http_code"),
        ("area2Total", "area2_total"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


def test_tables_follow_the_catalog() -> None:
    metadata, tables = source_tables(mini_catalog(), "WELFARE")
    assert list(tables) == ["welfarePayment"]
    table = tables["welfarePayment"]
    assert table.name == "welfare_payment"
    assert set(metadata.tables) == {"welfare_payment"}
    kinds = {c.name: type(c.type) for c in table.columns}
    assert kinds == {
        "rrn": String,
        "programme": String,
        "amount": BigInteger,
        "paid_on": Date,
        "reclaimed": Boolean,
        "household_share": Float,
        "room_area": Float,
        "paid_months": Integer,
        "note": String,
        "_as_of": Date,
    }
    assert table.c.rrn.index
    assert not table.c.rrn.nullable
    assert all(c.nullable for c in table.columns if c.name != "rrn")


def test_unexposed_fields_have_no_column() -> None:
    _, tables = source_tables(mini_catalog(), "REG")
    assert "members" not in tables["householdComposition"].c
    assert "household_id" in tables["householdComposition"].c


def test_bad_source_or_colliding_names() -> None:
    catalog = mini_catalog()
    with pytest.raises(KeyError):
        source_tables(catalog, "NOPE")
    payment = catalog.info_type("welfarePayment")
    clash = replace(payment, fields=(*payment.fields, Field("rrn", Kind.TEXT, "clash")))
    bad = Catalog(
        info_types=tuple(clash if t is payment else t for t in catalog.info_types),
        sources=catalog.sources,
        agencies=catalog.agencies,
    )
    with pytest.raises(ValueError, match="collide"):
        source_tables(bad, "WELFARE")


async def read_back(url: str, catalog: Catalog, code: str) -> dict[str, dict[str, list[str]]]:
    """Every row of the source's tables as canonical JSON, by type and RRN."""
    _, tables = source_tables(catalog, code)
    out: dict[str, dict[str, list[str]]] = {}
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            for type_name, table in tables.items():
                info_type = catalog.info_type(type_name)
                by_rrn: dict[str, list[str]] = defaultdict(list)
                for row in (await connection.execute(select(table))).mappings():
                    record: dict[str, Any] = {}
                    for f in info_type.exposed_fields:
                        value = row[snake_case(f.name)]
                        if f.kind is Kind.DATE and value is not None:
                            value = value.isoformat()
                        record[f.name] = value
                    record[AS_OF] = row[AS_OF_COLUMN].isoformat()
                    by_rrn[row["rrn"]].append(json.dumps(record, sort_keys=True))
                out[type_name] = by_rrn
    finally:
        await engine.dispose()
    return out


def expected_rows(
    population: Population, catalog: Catalog, code: str
) -> dict[str, dict[str, list[str]]]:
    """What the tables must hold: population.record() for each person and type."""
    out: dict[str, dict[str, list[str]]] = {}
    for info_type in catalog.types_of(code):
        by_rrn: dict[str, list[str]] = {}
        fields = [f.name for f in info_type.exposed_fields]
        for rrn in population.rrns():
            found = population.record(rrn, info_type, fields)
            records = found if isinstance(found, list) else [] if found is None else [found]
            if records:
                by_rrn[rrn] = [json.dumps(r, sort_keys=True) for r in records]
        out[info_type.name] = by_rrn
    return out


def assert_same(actual: dict[str, dict[str, list[str]]], expected: dict[str, Any]) -> None:
    assert set(actual) == set(expected)
    for type_name, by_rrn in expected.items():
        assert set(actual[type_name]) == set(by_rrn), type_name
        for rrn, rows in by_rrn.items():
            assert sorted(actual[type_name][rrn]) == sorted(rows), (type_name, rrn)


async def test_seed_sqlite_equals_population_records(tmp_path: Any) -> None:
    catalog = load_catalog()
    population = Population(10_000)
    url = f"sqlite+aiosqlite:///{tmp_path / 'ssis.db'}"
    # The seeding time is measured by bench/simulator_build.py.
    written = await seed_sql_source(url, population, catalog)
    expected = expected_rows(population, catalog, "SSIS")
    assert written == sum(len(rows) for t in expected.values() for rows in t.values())
    assert written > 1000
    assert_same(await read_back(url, catalog, "SSIS"), expected)


async def test_seeding_twice_gives_the_same_tables(tmp_path: Any) -> None:
    catalog = mini_catalog()
    population = Population(800, seed=3)
    url = f"sqlite+aiosqlite:///{tmp_path / 'welfare.db'}"
    first = await seed_sql_source(url, population, catalog, "WELFARE")
    second = await seed_sql_source(url, population, catalog, "WELFARE")
    assert first == second > 0
    assert_same(
        await read_back(url, catalog, "WELFARE"), expected_rows(population, catalog, "WELFARE")
    )


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """A scratch PostgreSQL database, dropped afterwards."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sim_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        except (OSError, DBAPIError) as exc:
            if REQUIRE_POSTGRES:
                pytest.fail(f"HUB_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable ({exc})")
            pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} is not reachable")
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.mark.postgres
async def test_seed_postgres_equals_population_records(postgres_database: str) -> None:
    catalog = mini_catalog()
    population = Population(1000, seed=5)
    written = await seed_sql_source(postgres_database, population, catalog, "WELFARE")
    expected = expected_rows(population, catalog, "WELFARE")
    assert written == sum(len(rows) for t in expected.values() for rows in t.values())
    assert_same(await read_back(postgres_database, catalog, "WELFARE"), expected)
