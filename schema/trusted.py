"""Trusted documents on the agencies' endpoint: ids in, approved documents out.

A request may name its document by id, in the GraphQL-over-HTTP form
(`"documentId": "sha256:<hex>"`) or Apollo's
(`"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`).
With an id and no query the hub runs the caller's agency's approved
document of that hash; with both, the query's hash must be the id. An
agency restricted to trusted documents (`HUB_TRUSTED_DOCUMENT_AGENCIES`)
is served only documents approved for it, however it names them.

Everything here happens after the token and before parsing: a refusal
executes nothing, calls no source and logs no access.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, NoReturn

from strawberry.http import GraphQLRequestData

from hub.auth.graphql_view import RequestRefused
from hub.auth.tokens import Principal
from hub.documents.ids import (
    InvalidDocumentId,
    document_hash,
    document_id,
    is_hash,
    parse_document_id,
)
from hub.documents.registry import KnownDocument, TrustedDocuments
from hub.settings import Settings

log = logging.getLogger("hub.graphql")

#: A body mentions this key only when it names a document by id.
_DOCUMENT_ID_KEY = b'"documentId"'


@dataclasses.dataclass
class TrustedRequestData(GraphQLRequestData):
    """strawberry's request data and the document hash the request names, if any."""

    document_hash: str | None = None


def _refuse(
    code: str, message: str, http_status: int, digest: str | None, /, **details: Any
) -> NoReturn:
    if digest is not None:
        details["documentId"] = document_id(digest)
    raise RequestRefused(message, code, http_status, **details)


def _persisted_query_hash(extensions: dict[str, Any] | None) -> str | None:
    found = (extensions or {}).get("persistedQuery")
    if found is None:
        return None
    if (
        not isinstance(found, dict)
        or found.get("version") != 1
        or not isinstance(found.get("sha256Hash"), str)
        or not is_hash(found["sha256Hash"])
    ):
        _refuse(
            "INVALID_DOCUMENT_ID",
            "extensions.persistedQuery must be {version: 1, sha256Hash: <64 lower-case hex>}",
            400,
            None,
        )
    digest: str = found["sha256Hash"]
    return digest


def requested(data: GraphQLRequestData, decoded: Any) -> TrustedRequestData:
    """`data` with the document hash its body names (documentId or persistedQuery).

    `decoded` is the parsed JSON body, or None when the body cannot name a
    `documentId` (see `names_document_id`: the caller skips decoding it twice).
    """
    named: str | None = None
    value = decoded.get("documentId") if isinstance(decoded, dict) else None
    if value is not None:  # clients that name no document may send null
        try:
            if not isinstance(value, str):
                raise InvalidDocumentId("documentId must be a string")
            named = parse_document_id(value)
        except InvalidDocumentId as exc:
            _refuse("INVALID_DOCUMENT_ID", str(exc), 400, None)
    apollo = _persisted_query_hash(data.extensions)
    if named is not None and apollo is not None and named != apollo:
        _refuse(
            "INVALID_DOCUMENT_ID",
            "documentId and extensions.persistedQuery name different documents",
            400,
            None,
        )
    fields = {f.name: getattr(data, f.name) for f in dataclasses.fields(GraphQLRequestData)}
    return TrustedRequestData(**fields, document_hash=named or apollo)


def names_document_id(raw_body: bytes) -> bool:
    """Whether a body may carry a `documentId` (decoding it again is needed only then)."""
    return _DOCUMENT_ID_KEY in raw_body


def _refuse_untrusted(agency: str, digest: str, known: KnownDocument | None) -> NoReturn:
    if known is None:
        reason = "is not registered"
        details: dict[str, Any] = {}
    else:
        reason = f"is {known.status}, not approved"
        details = {"status": str(known.status)}
    log.warning("untrusted document refused: agency %s, document %s", agency, digest)
    _refuse(
        "UNTRUSTED_DOCUMENT",
        f"{agency} may run only trusted documents approved by a privacy officer; "
        f"document {document_id(digest)} {reason} for {agency} (see docs/trusted-documents.md)",
        403,
        digest,
        **details,
    )


async def admit(
    registry: TrustedDocuments, settings: Settings, principal: Principal, data: GraphQLRequestData
) -> GraphQLRequestData:
    """The request data to execute (the approved text substituted for an id), or a refusal.

    Raises RequestRefused with INVALID_DOCUMENT_ID or DOCUMENT_ID_MISMATCH
    (400), PERSISTED_DOCUMENT_NOT_FOUND (400) or UNTRUSTED_DOCUMENT (403).
    """
    agency = principal.agency
    required = settings.trusted_documents_required(agency)
    named = data.document_hash if isinstance(data, TrustedRequestData) else None
    if named is None:
        named = _persisted_query_hash(data.extensions)
    if named is None:
        if not required or data.query is None:
            # A missing query is strawberry's own 400; nothing would run.
            return data
        digest = document_hash(data.query)
        known = await registry.lookup(agency, digest)
        if known is None or not known.approved:
            _refuse_untrusted(agency, digest, known)
        return data
    if data.query is not None:
        actual = document_hash(data.query)
        if actual != named:
            _refuse(
                "DOCUMENT_ID_MISMATCH",
                f"the query's sha256 is {actual}, not the id the request names",
                400,
                named,
            )
        if required:
            known = await registry.lookup(agency, named)
            if known is None or not known.approved:
                _refuse_untrusted(agency, named, known)
        return data
    known = await registry.lookup(agency, named)
    if known is None:
        # Another agency's document is as unknown as one never registered:
        # an agency learns nothing about what others run.
        _refuse(
            "PERSISTED_DOCUMENT_NOT_FOUND",
            f"{agency} has registered no document {document_id(named)}; "
            "submit it with `ssis-hub documents submit` or send the query text",
            400,
            named,
        )
    if known.body is None:
        _refuse_untrusted(agency, named, known)
    return dataclasses.replace(data, query=known.body)
