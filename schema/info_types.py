"""GraphQL object types for the information types, and checked record decoding.

Each information type becomes one object type (PascalCase of its name) whose
fields are the catalog's exposed fields. Records from sources are decoded
into these objects field by field against the catalog's kinds: a value of
the wrong kind, a code outside its choices or a required value missing makes
the whole record SOURCE_INVALID_DATA rather than reaching a client. So does
a record's as-of date (`record_as_of`) that is missing or not `YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from connectors.base import AS_OF, SourceInvalidData
from hub.catalog.model import Field, Form, InfoType, Kind
from policies import transforms
from policies.transforms import TransformContext

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


def _form_description(f: Field, form: Form) -> str:
    text = f"{form.description.rstrip('.')} ({form.form} form of {f.name})."
    return text + (" One of: " + ", ".join(form.choices) + "." if form.choices else "")


def build_object_type(info_type: InfoType) -> type:
    """The strawberry type for one information type, its minimised forms beside each field.

    A form is a field of its own with its own type (`birthYear: Int` beside
    `birthDate: Date`), so a query states the form it receives and a field's
    type never changes with the caller.
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for f in info_type.exposed_fields:
        annotations[f.name] = _PY_TYPES[f.kind] | None
        namespace[f.name] = strawberry.field(default=None, description=_field_description(f))
    for f in info_type.fields:
        for form in f.forms:
            annotations[form.name] = _PY_TYPES[form.kind] | None
            namespace[form.name] = strawberry.field(
                default=None, description=_form_description(f, form)
            )
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


# Exactly the protocol's form: date.fromisoformat alone would also take
# `20261204` and week dates, which no source is meant to send.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_of(info_type: InfoType, record: Any) -> dt.date:
    if not isinstance(record, dict):
        raise SourceInvalidData(info_type.source, f"{info_type.name}: not an object")
    value = record.get(AS_OF)
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise SourceInvalidData(
            info_type.source, f"{info_type.name}.{AS_OF}: missing or not YYYY-MM-DD"
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SourceInvalidData(
            info_type.source, f"{info_type.name}.{AS_OF}: not a calendar date"
        ) from None


def record_as_of(info_type: InfoType, raw: Any) -> dt.date | None:
    """The as-of date a source states for a person's record(s) of one type.

    For a `many` type it is the oldest item's: the list is released whole or
    not at all. None when there is nothing to date (no record, an empty
    list). A missing or malformed as-of is SourceInvalidData, never a guess.
    """
    if info_type.many:
        if not isinstance(raw, list):
            raise SourceInvalidData(info_type.source, f"{info_type.name}: not a list")
        return min((_as_of(info_type, item) for item in raw), default=None)
    return None if raw is None else _as_of(info_type, raw)


class RecordDecoder:
    """Decodes one information type's raw records into its GraphQL objects.

    It reads the source fields the selected schema fields need, checks them
    against the catalog, and computes minimised forms from them; the raw
    value of a field selected only in a minimised form never reaches the
    object.
    """

    def __init__(self, info_type: InfoType, object_type: type) -> None:
        self.info_type = info_type
        self.object_type = object_type
        self._fields = {f.name: f for f in info_type.exposed_fields}
        self._forms = info_type.forms

    def decode(self, raw: Any, names: Sequence[str], ctx: TransformContext) -> Any:
        """Decode a raw single record or list into objects with just the schema fields `names`."""
        if self.info_type.many:
            return [self._one(item, names, ctx) for item in raw]
        return None if raw is None else self._one(raw, names, ctx)

    def _one(self, raw: Any, names: Sequence[str], ctx: TransformContext) -> Any:
        if not isinstance(raw, dict):
            raise SourceInvalidData(self.info_type.source, f"{self.info_type.name}: not an object")
        values: dict[str, Any] = {}
        for name in names:
            pair = self._forms.get(name)
            if pair is not None:
                source_field, form = pair
                values[name] = transforms.apply(
                    form.transform, self._value(raw, source_field.name), ctx
                )
            elif name in self._fields:
                values[name] = self._value(raw, name)
        return self.object_type(**values)

    def _value(self, raw: dict[str, Any], name: str) -> Any:
        spec = self._fields[name]
        value = raw.get(name)
        if value is None:
            if name not in raw or not spec.optional:
                raise SourceInvalidData(
                    self.info_type.source, f"{self.info_type.name}.{name} is missing"
                )
            return None
        try:
            decoded = _DECODERS[spec.kind](value)
        except (TypeError, ValueError) as exc:
            raise SourceInvalidData(
                self.info_type.source, f"{self.info_type.name}.{name}: {exc}"
            ) from None
        if spec.choices and value not in spec.choices:
            raise SourceInvalidData(
                self.info_type.source, f"{self.info_type.name}.{name}: unknown code"
            )
        return decoded
