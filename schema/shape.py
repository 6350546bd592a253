"""A document's shape counted over its fragment graph: each fragment once.

The limits on depth, aliases, root fields and size are counts over every
path through the document, a fragment counting wherever it is spread. The
obvious recursive walk (ours before, and strawberry's
`count_fields_with_alias`, which graphql-core has no equivalent of) walks
each path: 23 fragments that each spread the next one twice are 2^22 walks
from a 1 kB document, and the walk held the event loop for as long. Here
every fragment's counts are computed once and reused wherever it is spread,
so the work is linear in the document whatever it expands to, and the walk
keeps its own stack, so a long chain of fragments cannot reach the
interpreter's recursion limit.

The counts are the path walk's: a fragment spread twice counts twice (it
is twice the work for a walker and twice the names it may carry), and a
fragment already being counted on the current path (a cycle, which
validation refuses) counts as empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """The counts of one selection set with every fragment spread expanded."""

    #: Field selections, nested ones included (the size a walker visits).
    selections: int = 0
    #: Levels of fields (a leaf is 1; a `__` meta field counts 1 whatever is below it).
    depth: int = 0
    #: Fields selected under an alias.
    aliases: int = 0
    #: Fields at this level, through fragments (`__typename` aside): an operation's root fields.
    fields: int = 0


EMPTY = Shape()


def _combine(
    selection_set: SelectionSetNode, shape_of: dict[int, Shape], fragments: dict[str, Shape]
) -> Shape:
    """The shape of `selection_set`, its children's shapes being known."""
    selections = depth = aliases = fields = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            below = shape_of[id(selection.selection_set)] if selection.selection_set else EMPTY
            selections += 1 + below.selections
            depth = max(depth, 1 if name.startswith("__") else 1 + below.depth)
            aliases += (1 if selection.alias else 0) + below.aliases
            fields += 0 if name == "__typename" else 1
            continue
        if isinstance(selection, InlineFragmentNode):
            inner = shape_of[id(selection.selection_set)]
        elif isinstance(selection, FragmentSpreadNode):
            # Not yet known only when it is being counted above us: a cycle.
            inner = fragments.get(selection.name.value, EMPTY)
        else:  # pragma: no cover - graphql-core has no other selection
            continue
        selections += inner.selections
        depth = max(depth, inner.depth)
        aliases += inner.aliases
        fields += inner.fields
    return Shape(selections, depth, aliases, fields)


class DocumentShape:
    """The shapes of one document's operations, each fragment counted once."""

    def __init__(self, document: DocumentNode) -> None:
        self.definitions: dict[str, FragmentDefinitionNode] = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operations: list[OperationDefinitionNode] = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        self._fragments: dict[str, Shape] = {}

    def of(self, selection_set: SelectionSetNode) -> Shape:
        """The shape of `selection_set` (an operation's, usually)."""
        shape_of: dict[int, Shape] = {}
        active: set[str] = set()
        # (selection set, the fragment it defines or None, children pushed yet?)
        stack: list[tuple[SelectionSetNode, str | None, bool]] = [(selection_set, None, False)]
        while stack:
            node, fragment, expanded = stack.pop()
            if expanded:
                shape = _combine(node, shape_of, self._fragments)
                shape_of[id(node)] = shape
                if fragment is not None:
                    self._fragments[fragment] = shape
                    active.discard(fragment)
                continue
            if fragment is not None:
                if fragment in self._fragments or fragment in active:
                    continue  # counted already (spread twice), or a cycle
                active.add(fragment)
            stack.append((node, fragment, True))
            for selection in node.selections:
                if isinstance(selection, FieldNode | InlineFragmentNode):
                    if selection.selection_set is not None:
                        stack.append((selection.selection_set, None, False))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    definition = self.definitions.get(name)
                    if definition is not None and name not in self._fragments:
                        stack.append((definition.selection_set, name, False))
        return shape_of[id(selection_set)]

    def operation(self, operation: OperationDefinitionNode) -> Shape:
        """The shape of one of the document's operations."""
        return self.of(operation.selection_set)

    def selections(self) -> int:
        """Field selections over every operation, fragments expanded."""
        return sum(self.operation(op).selections for op in self.operations)

    def aliases(self) -> int:
        """Aliased fields over every operation, fragments expanded."""
        return sum(self.operation(op).aliases for op in self.operations)


def operation_name(operation: OperationDefinitionNode) -> str:
    """The operation's name for messages."""
    return operation.name.value if operation.name else "anonymous"
