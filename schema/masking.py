"""The shape of every GraphQL error a client sees, on both endpoints.

- **A code on every error.** The hub's own errors carry `extensions.code`;
  graphql-core's validation errors (an unknown field, a wrong argument
  type, an undefined variable) and variable-coercion errors get
  `GRAPHQL_VALIDATION_FAILED`, syntax errors `GRAPHQL_PARSE_FAILED` (the
  codes Apollo's servers use), so a client branches on codes alone.
- **Masking** (`HUB_MASK_ERRORS`, on in production by default; read per
  request so the schema itself stays shared): an exception that escaped a
  resolver unexpectedly reads only "Unexpected error." with the code
  `INTERNAL_ERROR` (its text stays in the server log), and validation
  errors lose their "Did you mean ...?" suggestions, which would otherwise
  map out the schema for a caller that may not introspect it. The
  administrative endpoint masks unexpected errors whatever the setting
  (`hub.admin.errors`), in the same words (`internal_error`).

strawberry's `MaskErrors` is kept for its handling of results (streamed
ones included); only the per-error decision is ours. graphql-core 3.3 can
omit suggestions itself (`hide_suggestions`), but strawberry's validation
does not pass it on, hence the rewrite of the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from hub.settings import Settings

INTERNAL_ERROR = "INTERNAL_ERROR"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
UNEXPECTED_MESSAGE = "Unexpected error."

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_unexpected(error: GraphQLError) -> bool:
    """An error the hub did not mean to report: a plain exception out of a resolver."""
    if error.extensions and "code" in error.extensions:
        return False
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def internal_error(error: GraphQLError) -> GraphQLError:
    """`error` as a client sees an unexpected one: where it happened, nothing of what."""
    return GraphQLError(
        UNEXPECTED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL_ERROR},
    )


def shaped(error: GraphQLError, *, mask: bool) -> GraphQLError:
    """`error` with its code (validation and syntax errors get theirs), masked if `mask`."""
    if is_unexpected(error):
        return internal_error(error) if mask else error
    extensions = dict(error.extensions or {})
    message = _SUGGESTION.sub("", error.message) if mask else error.message
    if "code" in extensions and message == error.message:
        return error
    if "code" not in extensions:
        syntax = isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error")
        extensions["code"] = PARSE_FAILED if syntax else VALIDATION_FAILED
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class HubMaskErrors(MaskErrors):
    """Gives every error its code, and masks where the settings ask for it (see above)."""

    def __init__(self) -> None:
        super().__init__()
        self._mask = False

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [shaped(error, mask=self._mask) for error in errors]

    def on_operation(self) -> Iterator[None]:
        """Read the setting for this request, then shape the result's errors."""
        # Either endpoint's context: both carry the services and their settings.
        services = getattr(self.execution_context.context, "services", None)
        settings = getattr(services, "settings", None)
        self._mask = isinstance(settings, Settings) and settings.mask_errors_enabled
        try:
            yield from super().on_operation()
        except GraphQLError as error:
            # The parse cache raises syntax errors out of its hook, past the
            # result this extension rewrites: they come through here.
            raise shaped(error, mask=self._mask) from None
