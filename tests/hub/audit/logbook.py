"""Helpers for the audit tests: a log of varied entries, tampering with rows and lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from hub.audit.access_log import AccessFacts, PersonOutcome, commit_access
from hub.audit.entries import content_of, entry_leaf_hash, from_json
from hub.audit.heads import sign_current
from hub.audit.merkle import Frontier
from hub.audit.writer import AuditWriter
from hub.db.models import AuditEntry, AuditNode
from hub.db.session import Database
from hub.identity.rrn import make_rrn
from hub.keys import KeyRing

AGENCIES = ("LOCAL_WELFARE", "NPS", "NHIS")


def rrn(i: int) -> str:
    """A valid registration number, different for each i."""
    return str(make_rrn(dt.date(1960, 1, 1) + dt.timedelta(days=i), "F", 1000 + i, i))


def facts(i: int) -> AccessFacts:
    """Who asked, varied with i so that entries differ in several fields."""
    return AccessFacts(
        request_id=f"00000000-0000-0000-0000-{i:012d}",
        agency=AGENCIES[i % len(AGENCIES)],
        official=f"kim.{i % 4:02d}",
        purpose="basic_livelihood_eligibility",
        case_ref=f"CASE-{i}",
        client_addr="127.0.0.1",
        policy_version=1 + i % 2,
        legal_basis="National Basic Livelihood Security Act, Art. 23",
    )


def outcome(i: int) -> PersonOutcome:
    """What one request did with one person's data."""
    released = {"earnedIncome": {"annualAmountBand": "coarsened"}} if i % 3 else {}
    refused = {"land": "SOURCE_UNAVAILABLE"} if i % 5 == 0 else {}
    return PersonOutcome(rrn(i), released, refused)


async def write_log(
    database: Database, keys: KeyRing, count: int, *, head_sizes: Iterable[int] = (), start: int = 0
) -> None:
    """Commit entries start..start+count-1 one request each, signing heads at `head_sizes`."""
    writer = AuditWriter(database)
    sizes = set(head_sizes)
    for i in range(start, start + count):
        await commit_access(writer, keys, facts(i), [outcome(i)])
        if i + 1 in sizes:
            await sign_current(database, keys)


async def execute(database: Database, *statements: Any) -> None:
    """Run SQL statements and commit, as someone with write access to the database would."""
    async with database.session() as session:
        for statement in statements:
            await session.execute(statement)
        await session.commit()


async def rewrite_row(database: Database, seq: int, **changes: Any) -> None:
    """Change an entry's content AND its leaf hash AND every stored node, consistently."""
    async with database.session() as session:
        row = await session.get(AuditEntry, seq)
        assert row is not None
        content = dataclasses.replace(content_of(row), **changes)
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == seq)
            .values(**changes, leaf_hash=entry_leaf_hash(seq, content))
        )
        leaves = list(await session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.seq)))
        frontier = Frontier()
        for leaf in leaves:
            for level, index, digest in frontier.append(leaf)[1:]:
                await session.execute(
                    update(AuditNode)
                    .where(AuditNode.level == level, AuditNode.index == index)
                    .values(hash=digest)
                )
        await session.commit()


def entry_at(lines: list[str], index: int, first: int = 0) -> dict[str, Any]:
    """The parsed line of log index `index` in an export of [first, ...)."""
    data: dict[str, Any] = json.loads(lines[1 + index - first])
    return data


def dump(data: dict[str, Any]) -> str:
    """A line as the exporter writes it."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rehash(data: dict[str, Any]) -> dict[str, Any]:
    """An entry line with its leaf hash recomputed from its (edited) content."""
    body = {k: v for k, v in data.items() if k not in ("type", "leaf_hash")}
    seq, content = from_json(body)
    return {**data, "leaf_hash": entry_leaf_hash(seq, content).hex()}
