"""Audit entries and their canonical byte encoding (the Merkle leaves).

The encoding is documented in docs/audit.md so that anyone can recompute a
leaf hash from an export: a UTF-8 JSON object with the keys sorted, no
insignificant whitespace, no floating-point numbers, times as RFC 3339 UTC
with microseconds and a `Z`, the encoding version under "v" and the entry's
sequence number under "seq" (so a moved entry no longer matches its place).
Every value is a string, an integer, a boolean, null, a list or an object,
which makes this a subset of RFC 8785 (JCS) canonical JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

import orjson

from hub.audit.merkle import leaf_hash
from hub.db.models import AuditEntry

ENCODING_VERSION = 1


class EntryKind:
    """What an entry records."""

    ACCESS = "access"  # an agency's request touched a person's data
    AUDIT = "audit"  # an auditor searched the log
    # An office of the hub read, or was refused, something about a named
    # person on the administrative endpoint (a consent look-up, a
    # simulation, the person's access report). A kind of its own so that
    # counts and searches of agencies' accesses stay about agencies.
    ADMIN = "admin"


@dataclass(frozen=True)
class EntryContent:
    """Everything an entry says; all of it is hashed into the leaf."""

    kind: str
    occurred_at: dt.datetime
    request_id: str
    agency: str
    official: str
    purpose: str
    case_ref: str
    person: str | None
    outcome: str
    released: dict[str, dict[str, str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    legal_basis: str | None = None
    policy_version: int | None = None
    consent_ids: list[str] = field(default_factory=list)
    client_addr: str | None = None
    query_hash: str | None = None
    suppressed_until: dt.datetime | None = None


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything the hub writes is UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def format_time(moment: dt.datetime) -> str:
    """RFC 3339 UTC with microseconds: `2026-11-26T09:30:00.000000Z`."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime:
    """The inverse of format_time."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _fields(content: EntryContent) -> dict[str, Any]:
    # A shallow field copy: dataclasses.asdict deep-copies every nested
    # dict and list, which dominated encoding time. The nested values are
    # never mutated afterwards.
    return {name: getattr(content, name) for name in _FIELD_NAMES}


def to_json(seq: int, content: EntryContent) -> dict[str, Any]:
    """The entry as the JSON object that is encoded (and exported)."""
    data = _fields(content)
    data["occurred_at"] = format_time(content.occurred_at)
    data["suppressed_until"] = (
        format_time(content.suppressed_until) if content.suppressed_until else None
    )
    data["v"] = ENCODING_VERSION
    data["seq"] = seq
    return data


def from_json(data: dict[str, Any]) -> tuple[int, EntryContent]:
    """Read an exported entry back; KeyError/ValueError/TypeError if it is malformed."""
    if data.get("v") != ENCODING_VERSION:
        raise ValueError(f"unknown entry encoding version {data.get('v')!r}")
    values = {k: v for k, v in data.items() if k not in ("v", "seq")}
    values["occurred_at"] = parse_time(values["occurred_at"])
    if values.get("suppressed_until"):
        values["suppressed_until"] = parse_time(values["suppressed_until"])
    seq = data["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise TypeError("seq must be an integer")
    return seq, EntryContent(**values)


_FIELD_NAMES = tuple(f.name for f in fields(EntryContent))


def canonical_bytes(seq: int, content: EntryContent) -> bytes:
    """The bytes whose RFC 9162 leaf hash is the entry's leaf in the tree.

    orjson with sorted keys writes exactly what `json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)` writes, as UTF-8 (a test
    holds the two to it), an order of magnitude faster: encoding was the
    audit writer's largest cost.
    """
    return orjson.dumps(to_json(seq, content), option=orjson.OPT_SORT_KEYS)


def entry_leaf_hash(seq: int, content: EntryContent) -> bytes:
    """SHA-256(0x00 || canonical bytes)."""
    return leaf_hash(canonical_bytes(seq, content))


def content_of(row: AuditEntry) -> EntryContent:
    """The content of a stored, unpruned entry."""
    if row.kind is None or row.occurred_at is None:
        raise ValueError(f"entry {row.seq} has been pruned")
    return EntryContent(
        kind=row.kind,
        occurred_at=_utc(row.occurred_at),
        request_id=row.request_id or "",
        agency=row.agency or "",
        official=row.official or "",
        purpose=row.purpose or "",
        case_ref=row.case_ref or "",
        person=row.person,
        outcome=row.outcome or "",
        released=row.released or {},
        refused=row.refused or {},
        legal_basis=row.legal_basis,
        policy_version=row.policy_version,
        consent_ids=row.consent_ids or [],
        client_addr=row.client_addr,
        query_hash=row.query_hash,
        suppressed_until=_utc(row.suppressed_until) if row.suppressed_until else None,
    )


def row_values(seq: int, content: EntryContent) -> dict[str, Any]:
    """Column values for storing the entry (leaf hash included)."""
    values = _fields(content)
    # The encoded form differs from the row only in its times and markers;
    # deriving it from the row's copy spares a second walk over the fields.
    encoded = dict(values)
    encoded["occurred_at"] = format_time(content.occurred_at)
    if content.suppressed_until is not None:
        encoded["suppressed_until"] = format_time(content.suppressed_until)
    encoded["v"] = ENCODING_VERSION
    encoded["seq"] = seq
    values["seq"] = seq
    values["leaf_hash"] = leaf_hash(orjson.dumps(encoded, option=orjson.OPT_SORT_KEYS))
    return values
