"""Counting a document's shape over its fragment graph: the path walk's counts, linear work."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    parse,
    validate,
)
from strawberry.extensions.max_aliases import count_fields_with_alias

from hub.catalog import load_catalog
from schema.build import build_schema
from schema.limits import root_fields
from schema.shape import DocumentShape
from tests.hangs import no_hang


def fan_out(levels: int, leaf: str, on: str = "Query") -> str:
    """`levels` fragments each spreading the next twice: 2^levels paths to `leaf`."""
    fragments = [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return "query Fan { ...F0 }\n" + "\n".join(fragments)


def _paths(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    visited: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """(selections, depth) by walking every path: the definition the shape must agree with."""
    if selection_set is None:
        return 0, 0
    selections = depth = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            below_s, below_d = _paths(selection.selection_set, fragments, visited)
            selections += 1 + below_s
            depth = max(depth, 1 if selection.name.value.startswith("__") else 1 + below_d)
        elif isinstance(selection, InlineFragmentNode):
            s, d = _paths(selection.selection_set, fragments, visited)
            selections, depth = selections + s, max(depth, d)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in visited:
                s, d = _paths(fragments[name].selection_set, fragments, visited | {name})
                selections, depth = selections + s, max(depth, d)
    return selections, depth


DOCUMENTS = [
    "{ a b { c d { e } } }",
    "{ x: a y: a ...F ...F } fragment F on Query { z: b { ...G } } fragment G on B { c w: d }",
    "{ ... on Query { a ... on Query { b { c } } } __typename __schema { types { name } } }",
    "query A { ...F } query B { q: a ...F } fragment F on Query { f: b { ...G ...G } } "
    "fragment G on B { g: c ...H } fragment H on B { d { e } }",
    # A cycle (refused by validation later) and an unknown fragment count as empty.
    "{ ...C ...Missing } fragment C on Query { a ...D } fragment D on Query { b ...C }",
    fan_out(6, "a: myGrants { purpose }"),
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_counts_agree_with_the_path_walk(text: str) -> None:
    document = parse(text)
    shape = DocumentShape(document)
    fragments = shape.definitions
    for operation in shape.operations:
        counts = shape.operation(operation)
        assert (counts.selections, counts.depth) == _paths(operation.selection_set, fragments)
        assert counts.aliases == count_fields_with_alias(operation, fragments)
        assert counts.fields == len(root_fields(operation.selection_set, fragments))


def test_a_thirty_level_fan_out_is_counted_not_walked() -> None:
    # 2^30 paths: walking them takes hours; counting 31 fragments does not.
    document = parse(fan_out(30, "a: myGrants { purpose }"))
    with no_hang(10):
        [counts] = [
            DocumentShape(document).operation(op) for op in DocumentShape(document).operations
        ]
    assert counts.selections == 2**31
    assert counts.aliases == 2**30
    assert counts.fields == 2**30
    assert counts.depth == 2


def test_a_long_chain_of_fragments_stays_off_the_recursion_limit() -> None:
    levels = 3000
    chain = [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(levels)]
    document = parse("{ ...F0 }\n" + "\n".join(chain) + f"\nfragment F{levels} on Query {{ a }}")
    [operation] = DocumentShape(document).operations
    assert DocumentShape(document).operation(operation).selections == 1


def test_graphql_core_validation_survives_the_fan_out() -> None:
    # Checked, not assumed: OverlappingFieldsCanBeMerged and the other
    # specified rules compare fragment pairs once each.
    schema = build_schema(load_catalog()).schema._schema
    document = parse(fan_out(30, "myGrants { purpose }"))
    with no_hang(20):
        assert validate(schema, document) == []
