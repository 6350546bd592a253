"""Reading a resolver's own sub-selection (through fragments, honouring @skip/@include).

Walks graphql-core's AST directly: strawberry's `info.selected_fields`
converts the whole sub-tree (arguments, directives, every nested field) into
its own objects on each call, which cost more per request than the policy
decision, only for the names of the first level to be read.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
)

_Node = FieldNode | FragmentSpreadNode | InlineFragmentNode


def _condition(directive: DirectiveNode, variables: dict[str, Any]) -> bool:
    """The value of a validated `if: Boolean!` argument (a literal or a variable)."""
    for argument in directive.arguments or ():
        if argument.name.value == "if":
            value = argument.value
            if isinstance(value, VariableNode):
                return bool(variables.get(value.name.value))
            if isinstance(value, BooleanValueNode):
                return value.value
    return False


def _included(node: _Node, variables: dict[str, Any]) -> bool:
    """@skip wins over @include, as in graphql-core's executor."""
    for directive in node.directives or ():
        name = directive.name.value
        if name == "skip" and _condition(directive, variables):
            return False
        if name == "include" and not _condition(directive, variables):
            return False
    return True


def _collect(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, Any],
    variables: dict[str, Any],
    out: set[str],
    seen: set[str],
) -> None:
    if selection_set is None:
        return
    for node in selection_set.selections:
        if not isinstance(node, _Node) or not _included(node, variables):
            continue
        if isinstance(node, FieldNode):
            out.add(node.name.value)
        elif isinstance(node, InlineFragmentNode):
            _collect(node.selection_set, fragments, variables, out, seen)
        else:
            name = node.name.value
            fragment = fragments.get(name)
            # Validation forbids fragment cycles; `seen` only keeps a
            # fragment spread twice from being walked twice.
            if fragment is not None and name not in seen:
                seen.add(name)
                _collect(fragment.selection_set, fragments, variables, out, seen)


def selected_names(info: strawberry.Info) -> set[str]:
    """Names of the fields selected under the field being resolved."""
    raw = info._raw_info
    # graphql-core 3.3 declares VariableValues (with `.coerced`); strawberry hands a dict.
    variables: Any = raw.variable_values
    variables = getattr(variables, "coerced", variables)
    out: set[str] = set()
    for field_node in raw.field_nodes:
        _collect(field_node.selection_set, raw.fragments, variables, out, set())
    return out
