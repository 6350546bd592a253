"""Reading a resolver's own sub-selection (through fragments)."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _names(selections: Iterable[Selection]) -> set[str]:
    out: set[str] = set()
    for item in selections:
        if isinstance(item, SelectedField):
            out.add(item.name)
        elif isinstance(item, FragmentSpread | InlineFragment):
            out |= _names(item.selections)
    return out


def selected_names(info: strawberry.Info) -> set[str]:
    """Names of the fields selected under the field being resolved."""
    return _names(s for field in info.selected_fields for s in field.selections)
