"""The auditors' chart series, checked tree heads and entry proofs, as GraphQL types.

The services of `hub.admin.audit_reports` return these; the console
renders them, the administrative endpoint serialises them.
"""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from hub.admin.audit_types import InclusionProof, Long, TreeHeadInfo, tree_head_info
from hub.audit.head_status import HeadStatus
from hub.audit.inclusion import ProofCheck
from hub.audit.series import DayCount


@strawberry.type(description="Entries of one agency (or office) on one day (Asia/Seoul).")
class AgencyDayCount:
    day: dt.date = strawberry.field(description="The calendar day in Korea Standard Time.")
    agency: str
    count: Long


def agency_days(points: list[DayCount]) -> list[AgencyDayCount]:
    """A series keyed by agency, as GraphQL values."""
    return [AgencyDayCount(day=p.day, agency=p.key, count=Long(p.count)) for p in points]


@strawberry.type(description="Information types refused with one reason code on one day.")
class RefusalDayCount:
    day: dt.date = strawberry.field(description="The calendar day in Korea Standard Time.")
    code: str = strawberry.field(description="SOURCE_UNAVAILABLE, CONSENT_REQUIRED, ...")
    count: Long = strawberry.field(
        description="Refused types: an entry refusing two types counts twice."
    )


def refusal_days(points: list[DayCount]) -> list[RefusalDayCount]:
    """A series keyed by reason code, as GraphQL values."""
    return [RefusalDayCount(day=p.day, code=p.key, count=Long(p.count)) for p in points]


@strawberry.type(description="A stored signed tree head and what checking it found.")
class TreeHeadStatus:
    head: TreeHeadInfo
    signed_at: dt.datetime | None = strawberry.field(
        description="The head's timestamp, UTC; null if it names no representable time."
    )
    key_known: bool = strawberry.field(
        description="The published key set (auditPublicKeys) holds the key the head names."
    )
    signature_valid: bool = strawberry.field(
        description="The signature verifies with that key (false when the key is unknown)."
    )
    consistent_with_previous: bool | None = strawberry.field(
        description="An RFC 9162 consistency proof from the stored log joins this head's "
        "root and the root of the head signed before it; null for the first head."
    )


def _signed_at(timestamp_ms: int) -> dt.datetime | None:
    # A stored head is data to check, not to trust: a forged timestamp
    # beyond the calendar must show as such, not fail the whole page.
    try:
        return dt.datetime.fromtimestamp(timestamp_ms / 1000, dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def head_status_info(status: HeadStatus) -> TreeHeadStatus:
    """The GraphQL view of a checked head."""
    head = status.head
    return TreeHeadStatus(
        head=tree_head_info(head),
        signed_at=_signed_at(head.timestamp_ms),
        key_known=status.key_known,
        signature_valid=status.signature_valid,
        consistent_with_previous=status.consistent_with_previous,
    )


@strawberry.type(description="Stored signed tree heads, newest first.")
class TreeHeadStatusPage:
    items: list[TreeHeadStatus]
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next (older) page; null on the last page."
    )


@strawberry.type(description="An entry's inclusion proof, as checked by the hub itself.")
class EntryInclusion:
    proof: InclusionProof
    tree_head: TreeHeadInfo = strawberry.field(description="The signed head proved against.")
    verified: bool = strawberry.field(
        description="The hub ran the offline verifier on `document` with its published key "
        "set: signature, leaf hash of the entry's content, and audit path all hold."
    )
    verification: str = strawberry.field(description="The verifier's verdict in words.")
    document: JSON = strawberry.field(
        description="The self-contained proof (format ssis-hub-inclusion-proof/1, "
        "docs/audit.md), for `ssis-hub audit verify-proof`."
    )


def entry_inclusion_info(
    proof: InclusionProof, head: TreeHeadInfo, check: ProofCheck, document: JSON
) -> EntryInclusion:
    """The GraphQL view of a proof, its document and the hub's own check of it."""
    return EntryInclusion(
        proof=proof,
        tree_head=head,
        verified=check.ok,
        verification=check.message,
        document=document,
    )
