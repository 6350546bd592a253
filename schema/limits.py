"""Bounds on one operation's shape, checked while parsing and validating.

Tokens (comments included) are the parser's own limit. Right after parsing,
before anything else walks the document, its size with every fragment
spread expanded is bounded (`TOO_MANY_SELECTIONS`): 23 fragments each
spreading the next twice are a 1 kB document of 2^22 paths, and graphql-core's
rules, our plan and gate would each walk what it expands to. Depth, aliases
and root fields are then a graphql-core validation rule. All of them are
counted over the fragment graph once per fragment (`schema.shape`), never
per path. The limits depend on the caller (`HUB_AGENCY_LIMITS` on the
agencies' endpoint, `HUB_ADMIN_LIMITS` on the administrative one), so the
extension picks them per request, but the rule class for one set of limits
is built once (`validation_rules`): the tuple of rules is part of the
validation cache's key, and the same tuple for the same limits keeps the
cache hitting. The estimated cost needs the field plan and the variables
and is checked by the gate (`schema/gate.py`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from hub.settings import OperationLimits
from schema.context import HubContext
from schema.shape import DocumentShape, operation_name

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
TOO_MANY_ROOT_FIELDS = "TOO_MANY_ROOT_FIELDS"
TOO_MANY_SELECTIONS = "TOO_MANY_SELECTIONS"

# In the parser's "Syntax Error: ..." when the token (or comment) limit is exceeded.
_TOKEN_LIMIT_MESSAGE = "Document contains more than"  # noqa: S105


def root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    visited: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The root fields an operation selects, through fragments (`__typename` aside).

    One entry per path, so call it only on a document `check_selections`
    has bounded (the gate does, after validation): the list is as long as
    the root level expands to.
    """
    out: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value != "__typename":
                out.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            out.extend(root_fields(selection.selection_set, fragments, visited))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited:
                out.extend(root_fields(fragment.selection_set, fragments, visited | {name}))
    return out


def _limit_error(
    message: str, code: str, limit: int, found: int, nodes: Any = None
) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": code, "limit": limit, "found": found})


def check_selections(shape: DocumentShape, max_selections: int) -> None:
    """Refuse (TOO_MANY_SELECTIONS) a document expanding to more than `max_selections` fields."""
    found = shape.selections()
    if found > max_selections:
        # `found` may have hundreds of digits: not a number to hand a JSON client.
        raise GraphQLError(
            f"the document expands to more than {max_selections} field selections once its "
            "fragments are spread; spread each fragment where it is needed, once",
            extensions={"code": TOO_MANY_SELECTIONS, "limit": max_selections},
        )


@functools.lru_cache(maxsize=64)
def validation_rules(
    max_depth: int, max_aliases: int, max_root_fields: int
) -> tuple[type[ASTValidationRule], ...]:
    """The rules for one set of limits, the same classes every time they are asked for."""

    class ShapeLimits(ValidationRule):
        """Depth and root fields per operation, aliases over the document."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            shape = DocumentShape(context.document)
            for operation in shape.operations:
                counts = shape.operation(operation)
                if counts.depth > max_depth:
                    context.report_error(
                        _limit_error(
                            f"operation '{operation_name(operation)}' is {counts.depth} fields "
                            f"deep; at most {max_depth} are allowed",
                            QUERY_TOO_DEEP,
                            max_depth,
                            counts.depth,
                            [operation],
                        )
                    )
            found = shape.aliases()
            if found > max_aliases:
                context.report_error(
                    _limit_error(
                        f"the document uses {found} aliases; at most {max_aliases} are allowed",
                        TOO_MANY_ALIASES,
                        max_aliases,
                        found,
                    )
                )
            for operation in shape.operations:
                found = shape.operation(operation).fields
                if found > max_root_fields:
                    context.report_error(
                        _limit_error(
                            f"operation '{operation_name(operation)}' selects {found} root "
                            f"fields; at most {max_root_fields} are allowed",
                            TOO_MANY_ROOT_FIELDS,
                            max_root_fields,
                            found,
                            [operation],
                        )
                    )

    return (ShapeLimits,)


class OperationLimitsExtension(SchemaExtension):
    """Applies the caller's `OperationLimits` to parsing and validation."""

    def limits(self) -> OperationLimits | None:
        """The limits for this request's caller; None leaves the operation unbounded."""
        raise NotImplementedError

    def on_operation(self) -> Iterator[None]:
        """The caller's token limit and shape rules; the token-limit error gets its code."""
        context = self.execution_context
        limits = self.limits()
        if limits is not None:
            # `max_tokens` counts comments too (as strawberry's MaxTokensLimiter sets it).
            context.parse_options["max_tokens"] = limits.max_tokens
            context.validation_rules = context.validation_rules + validation_rules(
                limits.max_depth, limits.max_aliases, limits.max_root_fields
            )
        try:
            yield
        except GraphQLError as error:
            # The parse cache raises the parser's limit error out of its own
            # hook, past every other parsing hook: it comes through here.
            if _TOKEN_LIMIT_MESSAGE not in error.message or error.extensions:
                raise
            limit = self.execution_context.parse_options.get("max_tokens")
            raise GraphQLError(
                f"the document has more than {limit} tokens or comments; parsing stopped",
                source=error.source,
                positions=error.positions,
                extensions={"code": TOO_MANY_TOKENS, "limit": limit},
            ) from None

    def on_parse(self) -> Iterator[None]:
        """Right after parsing, before any rule walks it: bound what the document expands to."""
        yield
        document = self.execution_context.graphql_document
        limits = self.limits()
        if document is not None and limits is not None:
            # Raised out of the parsing hook, the error ends the operation
            # before validation, as the parser's own limit does.
            check_selections(DocumentShape(document), limits.max_selections)


class RequestLimits(OperationLimitsExtension):
    """The agencies' endpoint: the calling agency's limits (`HUB_AGENCY_LIMITS`)."""

    def limits(self) -> OperationLimits | None:
        """The agency's limits."""
        ctx = self.execution_context.context
        if isinstance(ctx, HubContext):
            return ctx.services.settings.limits_for(ctx.principal.agency)
        return None
