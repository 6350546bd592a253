"""A trusted document's id: the sha256 hex of its exact UTF-8 text.

The access log records the same hash of every executed document
(`query_hash`), so an auditor joins an entry to the registered document
without any other key.
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "sha256:"
_HEX = re.compile(r"^[0-9a-f]{64}$")


class InvalidDocumentId(ValueError):
    """A document id that is not `sha256:` followed by 64 lower-case hex digits."""


def document_hash(text: str) -> str:
    """The sha256 hex of `text` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_hash(text: str) -> bool:
    """Whether `text` is a sha256 hex digest (64 lower-case hex digits)."""
    return bool(_HEX.match(text))


def parse_document_id(text: str) -> str:
    """The hash named by a GraphQL-over-HTTP `documentId` (`sha256:<hex>`)."""
    if not text.startswith(PREFIX) or not is_hash(text[len(PREFIX) :]):
        raise InvalidDocumentId(
            f"documentId must be {PREFIX} followed by 64 lower-case hex digits, not {text[:80]!r}"
        )
    return text[len(PREFIX) :]


def document_id(digest: str) -> str:
    """The `documentId` form of a hash."""
    return PREFIX + digest
