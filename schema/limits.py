"""Bounds on one operation's shape, checked while parsing and validating.

Depth, aliases and root fields are graphql-core validation rules; tokens
(comments included) are the parser's own limit. The limits depend on the
calling agency (`HUB_AGENCY_LIMITS`), so `RequestLimits` picks them per
request, but the rule classes for one set of limits are built once
(`validation_rules`): the tuple of rules is part of the validation cache's
key, and the same tuple for the same limits keeps the cache hitting. The
estimated cost needs the field plan and the variables and is checked by the
gate (`schema/gate.py`).
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
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import count_fields_with_alias

from schema.context import HubContext

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
TOO_MANY_ROOT_FIELDS = "TOO_MANY_ROOT_FIELDS"

# In the parser's "Syntax Error: ..." when the token (or comment) limit is exceeded.
_TOKEN_LIMIT_MESSAGE = "Document contains more than"  # noqa: S105


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)]


def _name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


def selection_depth(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    visited: frozenset[str] = frozenset(),
) -> int:
    """Levels of fields below a selection set (a leaf at the root is 1); `__` fields count 1."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            below = (
                0
                if selection.name.value.startswith("__")
                else selection_depth(selection.selection_set, fragments, visited)
            )
            deepest = max(deepest, 1 + below)
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, selection_depth(selection.selection_set, fragments, visited))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited:
                deepest = max(
                    deepest, selection_depth(fragment.selection_set, fragments, visited | {name})
                )
    return deepest


def root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    visited: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The root fields an operation selects, through fragments (`__typename` aside)."""
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


@functools.lru_cache(maxsize=64)
def validation_rules(
    max_depth: int, max_aliases: int, max_root_fields: int
) -> tuple[type[ASTValidationRule], ...]:
    """The rules for one set of limits, the same classes every time they are asked for."""

    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            for operation in _operations(context):
                depth = selection_depth(operation.selection_set, fragments)
                if depth > max_depth:
                    context.report_error(
                        _limit_error(
                            f"operation '{_name(operation)}' is {depth} fields deep; "
                            f"at most {max_depth} are allowed",
                            QUERY_TOO_DEEP,
                            max_depth,
                            depth,
                            [operation],
                        )
                    )

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            found = sum(count_fields_with_alias(op, fragments) for op in _operations(context))
            if found > max_aliases:
                context.report_error(
                    _limit_error(
                        f"the document uses {found} aliases; at most {max_aliases} are allowed",
                        TOO_MANY_ALIASES,
                        max_aliases,
                        found,
                    )
                )

    class RootFieldLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            for operation in _operations(context):
                found = len(root_fields(operation.selection_set, fragments))
                if found > max_root_fields:
                    context.report_error(
                        _limit_error(
                            f"operation '{_name(operation)}' selects {found} root fields; "
                            f"at most {max_root_fields} are allowed",
                            TOO_MANY_ROOT_FIELDS,
                            max_root_fields,
                            found,
                            [operation],
                        )
                    )

    return (DepthLimit, AliasLimit, RootFieldLimit)


class RequestLimits(SchemaExtension):
    """Applies the calling agency's limits to parsing and validation."""

    def on_operation(self) -> Iterator[None]:
        """The agency's token limit and shape rules; the token-limit error gets its code."""
        context = self.execution_context
        ctx = context.context
        if isinstance(ctx, HubContext):
            limits = ctx.services.settings.limits_for(ctx.principal.agency)
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
