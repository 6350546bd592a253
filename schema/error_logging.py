"""How GraphQL errors reach the logs: one quiet line for expected ones, tracebacks for bugs.

strawberry logs every error of every operation at ERROR with its traceback.
Most are not faults of the hub: a refusal by the policy, a malformed
registration number, a query over the agency's limits, a source that is
down. Each already reaches the client with its code and is counted in
/metrics; logging each as an error buries the real ones. So an error the
hub or GraphQL validation raised on purpose is one line with its code and
path (no message: messages may quote the query, and with it a person's
number), at WARNING when a source failed and INFO otherwise; anything else
is unexpected and logged as strawberry does, traceback included.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

log = logging.getLogger("hub.graphql")


def log_graphql_errors(
    errors: list[GraphQLError], execution_context: ExecutionContext | None = None
) -> None:
    """Log `errors` of one operation (see the module docstring)."""
    for error in errors:
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            StrawberryLogger.error(error, execution_context)
            continue
        code = str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))
        path = ".".join(str(part) for part in error.path or ()) or "the operation"
        level = logging.WARNING if code.startswith("SOURCE_") else logging.INFO
        log.log(level, "graphql error %s at %s", code, path)


class QuietExpectedErrors:
    """A strawberry Schema mixin (listed first) logging errors with `log_graphql_errors`."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors as one quiet line each, unexpected ones with their traceback."""
        log_graphql_errors(errors, execution_context)
