"""What a source call raises when the source cannot answer (kept apart to avoid cycles).

`connectors.base` re-exports these; `connectors.resilience` needs them
without importing the connector base it is used by.
"""

from __future__ import annotations


class SourceError(Exception):
    """A source could not answer; carries the GraphQL error code to report."""

    code = "SOURCE_ERROR"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"source {source}: {reason}")
        self.source = source
        self.reason = reason


class SourceUnavailable(SourceError):
    """The source timed out, refused the connection or answered with an error.

    `retryable` marks transient failures (connection errors, timeouts, 5xx
    gateway errors) that another attempt of an idempotent lookup may cure;
    it defaults to False so that an unclassified failure is never repeated.
    """

    code = "SOURCE_UNAVAILABLE"

    def __init__(self, source: str, reason: str, *, retryable: bool = False) -> None:
        super().__init__(source, reason)
        self.retryable = retryable


class SourceInvalidData(SourceError):
    """The source answered, but not in the agreed shape; nothing of it is used."""

    code = "SOURCE_INVALID_DATA"
