"""The auditors' GraphQL types and their construction from stored entries, heads and proofs.

Sequence numbers, tree sizes and timestamps in milliseconds outgrow
GraphQL's 32-bit `Int` (a national log passes 2**31 entries within years),
so they travel as `Long`: an integer up to 2**53 - 1, which every JSON
client reads exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, IntValueNode, ValueNode
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from hub.audit.entries import content_of
from hub.audit.heads import SignedTreeHead
from hub.db.models import AuditEntry

Long = NewType("Long", int)

_LONG_MAX = 2**53 - 1
#: Digits of 2**53 - 1: a longer literal is out of range before it is converted.
_LONG_DIGITS = len(str(_LONG_MAX))


def _invalid_long(shown: str, node: ValueNode | None = None) -> GraphQLError:
    """INVALID_ARGUMENT for a value that is not a Long (a GraphQLError, so graphql-core
    reports it as it is instead of wrapping it as an internal failure)."""
    return GraphQLError(
        f"Long must be an integer between -(2^53 - 1) and 2^53 - 1, not {shown}",
        node,
        extensions={"code": "INVALID_ARGUMENT"},
    )


def _parse_long(value: object) -> Long:
    # Strict: a bool, a float or a numeric string is a client bug, not a number.
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > _LONG_MAX:
        shown = repr(value) if isinstance(value, bool | int | float) else "a non-integer value"
        raise _invalid_long(shown[:40])
    return Long(value)


def _parse_long_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Long:
    # Without it strawberry converts the literal untyped and calls
    # `_parse_long`, whose ValueError graphql-core wrapped as an internal error.
    if not isinstance(node, IntValueNode):
        raise _invalid_long("a literal of another kind", node)
    digits = node.value.lstrip("-")
    if len(digits) > _LONG_DIGITS or int(digits) > _LONG_MAX:
        shown = node.value if len(node.value) <= 24 else f"a {len(digits)}-digit integer"
        raise _invalid_long(shown, node)
    return Long(int(node.value))


#: Scalars of the administrative schema (StrawberryConfig.scalar_map).
SCALAR_MAP: dict[object, ScalarDefinition] = {
    Long: strawberry.scalar(
        name="Long",
        serialize=int,
        parse_value=_parse_long,
        parse_literal=_parse_long_literal,
        description="An integer that may exceed 32 bits (at most 2^53 - 1, exact in JSON).",
    )
}


@strawberry.input(description="Which entries to return; every field given must match.")
class AuditFilter:
    rrn: str | None = strawberry.field(
        default=None,
        description="The person's registration number; matches the pseudonym each agency "
        "knows the person by.",
    )
    agency: str | None = None
    official: str | None = None
    purpose: str | None = None
    case_ref: str | None = None
    outcome: str | None = strawberry.field(
        default=None,
        description="released, partial, refused, identified, searched or simulated.",
    )
    kind: str | None = strawberry.field(
        default=None,
        description="access (an agency's request), audit (an auditor's read) or admin (an "
        "office's read about a person on the administrative endpoint).",
    )
    from_: dt.datetime | None = strawberry.field(
        default=None, name="from", description="Occurred at or after (UTC when no zone is given)."
    )
    to: dt.datetime | None = strawberry.field(
        default=None, description="Occurred before (UTC when no zone is given)."
    )


@strawberry.type(
    name="AuditEntry",
    description="One entry of the log, suppressed or not; every field is in its leaf hash.",
)
class AuditEntryInfo:
    seq: Long = strawberry.field(description="Its place in the log: the Merkle leaf index.")
    occurred_at: dt.datetime
    kind: str = strawberry.field(description="access, audit or admin.")
    request_id: str
    agency: str = strawberry.field(
        description="The agency's code; for the administrative endpoint the office's: "
        "AUDITOR, PRIVACY_OFFICE, CONSENT_CHANNEL or CITIZEN_PORTAL."
    )
    official: str = strawberry.field(description="The official who acted.")
    purpose: str
    case_ref: str
    person: str | None = strawberry.field(
        description="The pseudonym the agency knows the person by (none for an auditor's read)."
    )
    outcome: str
    released: JSON = strawberry.field(description="Released types: each field and its form.")
    refused: JSON = strawberry.field(description="Refused types and the reason code of each.")
    legal_basis: str | None
    policy_version: int | None
    consent_ids: list[str]
    client_addr: str | None
    query_hash: str | None = strawberry.field(
        description="SHA-256 (hex) of the operation text, or of an auditor's arguments."
    )
    suppressed_until: dt.datetime | None = strawberry.field(
        description="Hidden from the person until then (a suppressed investigation purpose)."
    )
    leaf_hash: str = strawberry.field(description="The RFC 9162 leaf hash, hex.")


def entry_info(row: AuditEntry) -> AuditEntryInfo:
    """The GraphQL view of a stored, unpruned entry."""
    content = content_of(row)
    return AuditEntryInfo(
        seq=Long(row.seq),
        occurred_at=content.occurred_at,
        kind=content.kind,
        request_id=content.request_id,
        agency=content.agency,
        official=content.official,
        purpose=content.purpose,
        case_ref=content.case_ref,
        person=content.person,
        outcome=content.outcome,
        released=JSON(content.released),
        refused=JSON(content.refused),
        legal_basis=content.legal_basis,
        policy_version=content.policy_version,
        consent_ids=list(content.consent_ids),
        client_addr=content.client_addr,
        query_hash=content.query_hash,
        suppressed_until=content.suppressed_until,
        leaf_hash=row.leaf_hash.hex(),
    )


@strawberry.type(description="A page of entries, newest (highest seq) first.")
class AuditEntryPage:
    items: list[AuditEntryInfo]
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on the last page."
    )


def page_info(rows: list[AuditEntry], next_seq: int | None) -> AuditEntryPage:
    """A page of rows; the cursor is the last row's seq (the next page starts below it)."""
    return AuditEntryPage(
        items=[entry_info(r) for r in rows],
        next_cursor=None if next_seq is None else str(next_seq),
    )


@strawberry.type(description="How many entries share an agency, purpose and outcome.")
class ActivityCount:
    agency: str
    purpose: str
    outcome: str
    count: Long


@strawberry.type(description="What one official did in a period.")
class OfficialActivity:
    official: str
    total: Long = strawberry.field(description="Entries in the period, all pages.")
    counts: list[ActivityCount]
    entries: AuditEntryPage


@strawberry.type(
    name="SignedTreeHead",
    description="The hub's Ed25519 signature over the canonical JSON "
    '`{"root":"<hex>","size":N,"timestamp_ms":T,"v":1}`: a commitment to the first '
    "`size` entries.",
)
class TreeHeadInfo:
    size: Long
    root_hash: str = strawberry.field(description="Hex.")
    timestamp_ms: Long
    key_id: str
    signature: str = strawberry.field(description="Hex.")


def tree_head_info(head: SignedTreeHead) -> TreeHeadInfo:
    """The GraphQL view of a signed tree head."""
    return TreeHeadInfo(
        size=Long(head.size),
        root_hash=head.root_hash.hex(),
        timestamp_ms=Long(head.timestamp_ms),
        key_id=head.key_id,
        signature=head.signature.hex(),
    )


@strawberry.type(description="RFC 9162 inclusion proof of one entry in a tree of `treeSize`.")
class InclusionProof:
    leaf_index: Long
    tree_size: Long
    leaf_hash: str = strawberry.field(description="Hex.")
    audit_path: list[str] = strawberry.field(description="Sibling hashes from the leaf up, hex.")
    root_hash: str = strawberry.field(description="The root of the tree of `treeSize`, hex.")


@strawberry.type(description="RFC 9162 consistency proof: the smaller tree is a prefix.")
class ConsistencyProof:
    from_size: Long
    to_size: Long
    proof: list[str] = strawberry.field(description="Hex.")
    from_root: str = strawberry.field(description="Hex.")
    to_root: str = strawberry.field(description="Hex.")
