"""The administrative schema's types for trusted documents and their review."""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.admin.context import AdminContext
from hub.admin.document_review import DocumentReview
from hub.admin.document_service import review_trusted_document
from hub.documents.ids import document_id
from hub.documents.store import DocumentInfo, DocumentStatus

strawberry.enum(
    DocumentStatus,
    name="TrustedDocumentStatus",
    description="Where a registered document is in its review.",
)


@strawberry.type(description="A purpose under which the active policy releases a field.")
class PurposeRelease:
    purpose: str
    form: str = strawberry.field(description="`full`, or the minimised form released.")
    consent_required: bool = strawberry.field(
        description="Whether the type needs the person's consent under this purpose."
    )


@strawberry.type(description="One field an operation selects, and who may have it.")
class FieldReview:
    info_type: str
    field: str = strawberry.field(description="The schema field (a minimised form by name).")
    granted: bool = strawberry.field(description="Whether any of the agency's purposes grants it.")
    granted_for: list[PurposeRelease]


@strawberry.type(description="One operation of a document, as the hub would plan and decide it.")
class OperationReview:
    name: str | None = strawberry.field(description="Null for an anonymous operation.")
    reads_data: bool = strawberry.field(
        description="Whether it reads persons' data (else only grants or the schema)."
    )
    persons_per_request: int | None = strawberry.field(
        description="Persons one request names; null when a variable decides "
        "(bounded by the grant's maxPersons and HUB_MAX_PERSONS_PER_REQUEST)."
    )
    walks_household: bool = strawberry.field(
        description="Whether it reads household members' data too."
    )
    runnable_for: list[str] = strawberry.field(
        description="The agency's purposes under which the active policy grants every field."
    )
    fields: list[FieldReview]


@strawberry.type(description="What a document reads, against the policy the hub enforces.")
class TrustedDocumentReview:
    policy_version: int
    fully_covered: bool = strawberry.field(
        description="Whether every operation can run under at least one purpose."
    )
    operations: list[OperationReview]


def review_info(review: DocumentReview, policy_version: int) -> TrustedDocumentReview:
    """The GraphQL view of a review."""
    return TrustedDocumentReview(
        policy_version=policy_version,
        fully_covered=review.fully_covered,
        operations=[
            OperationReview(
                name=op.name or None,
                reads_data=op.touches_data,
                persons_per_request=op.persons,
                walks_household=op.walks_household,
                runnable_for=list(op.runnable_for),
                fields=[
                    FieldReview(
                        info_type=f.info_type,
                        field=f.field,
                        granted=f.granted,
                        granted_for=[
                            PurposeRelease(
                                purpose=r.purpose, form=r.form, consent_required=r.consent_required
                            )
                            for r in f.granted_for
                        ],
                    )
                    for f in op.fields
                ],
            )
            for op in review.operations
        ],
    )


async def _review(root: TrustedDocumentInfo, info: strawberry.Info) -> TrustedDocumentReview:
    # Resolved only when selected.
    context = info.context
    assert isinstance(context, AdminContext)
    review, version = await review_trusted_document(context, root.info)
    return review_info(review, version)


@strawberry.type(name="TrustedDocument", description="An operation an agency registered by hash.")
class TrustedDocumentInfo:
    agency: str
    document_id: str = strawberry.field(
        description="`sha256:<hex>` of the exact text: what requests send as `documentId`."
    )
    hash: str = strawberry.field(
        description="The sha256 hex alone: the access log's `queryHash` of every run."
    )
    operation_names: list[str]
    status: DocumentStatus
    document: str = strawberry.field(description="The exact text that runs.")
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_by: str | None = strawberry.field(description="The officer of the last decision.")
    reviewed_at: dt.datetime | None
    review_note: str | None = strawberry.field(description="The last decision's reason.")
    info: strawberry.Private[DocumentInfo]
    review: TrustedDocumentReview = strawberry.field(
        resolver=_review,
        description="Types, fields and forms it reads, persons per request, and whether "
        "the active policy grants them to the agency, per purpose.",
    )


def document_info(info: DocumentInfo) -> TrustedDocumentInfo:
    """The GraphQL view of a registered document."""
    return TrustedDocumentInfo(
        agency=info.agency,
        document_id=document_id(info.document_hash),
        hash=info.document_hash,
        operation_names=list(info.operation_names),
        status=info.status,
        document=info.body,
        submitted_by=info.submitted_by,
        submitted_at=info.submitted_at,
        reviewed_by=info.reviewed_by,
        reviewed_at=info.reviewed_at,
        review_note=info.review_note,
        info=info,
    )
