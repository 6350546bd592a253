"""Production error masking: no exception text, no internal names, no suggestions.

The hub's own errors (`extensions.code`) and graphql-core's syntax and
validation errors pass; anything that escaped a resolver unexpectedly becomes
"Unexpected error." (its text stays in the server log). Validation errors
lose their "Did you mean ...?" suggestions, which would otherwise map out the
schema for a caller that may not introspect it. Masking is on when the
settings say so (`HUB_MASK_ERRORS`, on in production by default), read per
request so the schema itself stays shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from schema.context import HubContext

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_unexpected(error: GraphQLError) -> bool:
    """An error the hub did not mean to report: a plain exception out of a resolver."""
    if error.extensions and "code" in error.extensions:
        return False
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _should_mask(error: GraphQLError) -> bool:
    return is_unexpected(error) or _SUGGESTION.search(error.message) is not None


class HubMaskErrors(MaskErrors):
    """Masks unexpected errors and strips suggestions, when the settings ask for it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """Unexpected errors become "Unexpected error."; others only lose suggestions."""
        if is_unexpected(error):
            return super().anonymise_error(error)
        return GraphQLError(
            _SUGGESTION.sub("", error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=error.extensions,
        )

    def on_operation(self) -> Iterator[None]:
        """Mask only where the settings enable it."""
        ctx = self.execution_context.context
        if isinstance(ctx, HubContext) and ctx.services.settings.mask_errors_enabled:
            yield from super().on_operation()
        else:
            yield
