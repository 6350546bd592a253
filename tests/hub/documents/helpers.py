"""Documents and shortcuts shared by the trusted-document tests."""

from __future__ import annotations

from hub.catalog import load_catalog
from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.documents.store import DocumentStatus
from hub.documents.submission import Submission, operation_names
from schema.build import build_schema

NAME_QUERY = """query Applicant($rrn: String!) {
  person(rrn: $rrn) { residentRegistration { name district } }
}
"""

INCOME_QUERY = """query Income($rrn: String!) {
  person(rrn: $rrn) { earnedIncome { annualAmount } }
}
"""

SUBMITTER = "park.07"
OFFICER = "officer.b"


def submission(body: str, origin: str = "test.graphql") -> Submission:
    """`body` as the CLI would submit it, validated against the hub's schema."""
    schema = build_schema(load_catalog()).schema._schema
    return Submission(body, document_hash(body), operation_names(schema, body, origin), origin)


async def register(
    database: Database,
    agency: str,
    body: str,
    status: DocumentStatus = DocumentStatus.APPROVED,
) -> str:
    """Submit `body` for `agency` and take it to `status`; returns its hash."""
    await store.submit(database, agency, [submission(body)], SUBMITTER)
    digest = document_hash(body)
    if status is DocumentStatus.PENDING:
        return digest
    if status is DocumentStatus.REJECTED:
        await store.decide(database, agency, digest, OFFICER, "reject", "reads too much")
        return digest
    await store.decide(database, agency, digest, OFFICER, "approve")
    if status is DocumentStatus.REVOKED:
        await store.decide(database, agency, digest, OFFICER, "revoke", "no longer needed")
    return digest
