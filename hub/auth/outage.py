"""Carrying a database outage out of GraphQL execution to the HTTP reply.

graphql-core turns an exception out of a resolver into a field error, and
the masking extensions then replace its text (and drop the exception). A
resolver that could not reach the database (the subject loader, consents,
an admin read) must instead make the whole reply a 503 with no data, so
`DatabaseOutages`, the last extension of each schema (its post-operation
hook runs first, before any masking), notes the failure in a per-request
holder the view opened (`watching`), and the view's `process_result` calls
`raise_if_failed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.audit.writer import AuditUnavailable
from hub.db.errors import DatabaseUnavailable, is_database_unavailable

_failures: ContextVar[list[BaseException] | None] = ContextVar(
    "hub_database_failures", default=None
)


@contextmanager
def watching() -> Iterator[None]:
    """Collect the database failures of one request's execution."""
    token = _failures.set([])
    try:
        yield
    finally:
        _failures.reset(token)


def note_errors(errors: Iterable[GraphQLError] | None) -> None:
    """Remember each error whose original exception is a database outage."""
    holder = _failures.get()
    if holder is None:
        return
    for error in errors or ():
        original = error.original_error
        if original is not None and is_database_unavailable(original):
            holder.append(original)


def raise_if_failed() -> None:
    """Raise the request's first outage (AuditUnavailable as is, else DatabaseUnavailable)."""
    holder = _failures.get()
    if not holder:
        return
    first = holder[0]
    if isinstance(first, AuditUnavailable | DatabaseUnavailable):
        raise first
    raise DatabaseUnavailable(
        f"the hub's database could not be reached ({type(first).__name__})"
    ) from first


class DatabaseOutages(SchemaExtension):
    """Notes the resolvers' database outages before any extension masks them."""

    def on_operation(self) -> Iterator[None]:
        """After execution, look at the raw errors."""
        yield
        note_errors(getattr(self.execution_context.result, "errors", None))
