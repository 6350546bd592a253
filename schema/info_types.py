"""GraphQL object types for the information types, and checked record decoding.

Each information type becomes one object type (PascalCase of its name) whose
fields are the catalog's exposed fields. Records from sources are decoded
into these objects field by field against the catalog's kinds: a value of
the wrong kind, a code outside its choices or a required value missing makes
the whole record SOURCE_INVALID_DATA rather than reaching a client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from connectors.base import SourceInvalidData
from hub.catalog.model import Field, InfoType, Kind

Won = NewType("Won", int)

#: Scalars the schema maps by type (StrawberryConfig.scalar_map).
SCALAR_MAP: dict[object, ScalarDefinition] = {
    Won: strawberry.scalar(
        name="Won",
        serialize=int,
        parse_value=int,
        description="An amount of money in Korean won (integer; may exceed 32 bits).",
    )
}

_PY_TYPES: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.CODE: str,
    Kind.INT: int,
    Kind.WON: Won,
    Kind.AREA_M2: float,
    Kind.PERCENT: float,
    Kind.DATE: dt.date,
    Kind.BOOL: bool,
}


def pascal(name: str) -> str:
    """`earnedIncome` -> `EarnedIncome`."""
    return name[0].upper() + name[1:]


def _field_description(f: Field) -> str:
    parts = [f.description.rstrip(".") + "."]
    if f.unit:
        parts.append(f"Unit: {f.unit}.")
    if f.choices:
        parts.append("One of: " + ", ".join(f.choices) + ".")
    return " ".join(parts)


def build_object_type(info_type: InfoType) -> type:
    """The strawberry type for one information type."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for f in info_type.exposed_fields:
        annotations[f.name] = _PY_TYPES[f.kind] | None
        namespace[f.name] = strawberry.field(default=None, description=_field_description(f))
    cls = type(pascal(info_type.name), (), namespace)
    description = (
        f"{info_type.title}: {info_type.description} Source: {info_type.source}. "
        f"Legal basis: {info_type.legal_basis}. Sensitivity: {info_type.sensitivity}."
    )
    return strawberry.type(cls, description=description)


def _decode_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer")
    return value


def _decode_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)


def _decode_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise TypeError("expected an ISO date")
    return dt.date.fromisoformat(value)


def _decode_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected a boolean")
    return value


def _decode_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


_DECODERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.TEXT: _decode_str,
    Kind.CODE: _decode_str,
    Kind.INT: _decode_int,
    Kind.WON: _decode_int,
    Kind.AREA_M2: _decode_float,
    Kind.PERCENT: _decode_float,
    Kind.DATE: _decode_date,
    Kind.BOOL: _decode_bool,
}


class RecordDecoder:
    """Decodes one information type's raw records into its GraphQL objects."""

    def __init__(self, info_type: InfoType, object_type: type) -> None:
        self.info_type = info_type
        self.object_type = object_type
        self._fields = {f.name: f for f in info_type.exposed_fields}

    def decode(self, raw: Any, names: Sequence[str]) -> Any:
        """Decode a raw single record or list, reading only `names`."""
        if self.info_type.many:
            return [self._one(item, names) for item in raw]
        return None if raw is None else self._one(raw, names)

    def _one(self, raw: Any, names: Sequence[str]) -> Any:
        if not isinstance(raw, dict):
            raise SourceInvalidData(self.info_type.source, f"{self.info_type.name}: not an object")
        values: dict[str, Any] = {}
        for name in names:
            spec = self._fields.get(name)
            if spec is None:
                continue  # internal fields (household keys) are read elsewhere
            value = raw.get(name)
            if value is None:
                if name not in raw or not spec.optional:
                    raise SourceInvalidData(
                        self.info_type.source, f"{self.info_type.name}.{name} is missing"
                    )
                values[name] = None
                continue
            try:
                values[name] = _DECODERS[spec.kind](value)
            except (TypeError, ValueError) as exc:
                raise SourceInvalidData(
                    self.info_type.source, f"{self.info_type.name}.{name}: {exc}"
                ) from None
            if spec.choices and value not in spec.choices:
                raise SourceInvalidData(
                    self.info_type.source, f"{self.info_type.name}.{name}: unknown code"
                )
        return self.object_type(**values)
