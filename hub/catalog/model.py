"""The catalog's vocabulary: information types, their fields, sources and agencies.

Everything the hub shares is declared with these classes once; the GraphQL
types, the connectors' field lists, the simulated sources and the CLI summary
are all derived from the declarations, never written a second time.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TypeVar


class Group(enum.StrEnum):
    """How the information types are grouped for people reading the catalog."""

    IDENTITY_HOUSEHOLD = "identity_household"
    INCOME = "income"
    ASSETS = "assets"
    SOCIAL_INSURANCE = "social_insurance"
    STATUS_QUALIFICATION = "status_qualification"
    BENEFITS = "benefits"


class Sensitivity(enum.StrEnum):
    """How much harm a disclosure does; later issues key policy defaults on it."""

    INTERNAL = "internal"  # administrative facts, e.g. school enrolment
    PERSONAL = "personal"  # ordinary personal data, e.g. income, assets
    SENSITIVE = "sensitive"  # special categories, e.g. health, disability


class Kind(enum.StrEnum):
    """The value kinds a field can have, with their units."""

    TEXT = "text"  # free text or an identifier issued by the source
    CODE = "code"  # one of `choices`
    INT = "int"  # a count or a plain number
    WON = "won"  # an amount of money in Korean won, integer
    AREA_M2 = "area_m2"  # an area in square metres, decimal
    PERCENT = "percent"  # a ratio in percent, decimal
    DATE = "date"  # an ISO-8601 calendar date
    BOOL = "bool"
    MEMBERS = "members"  # internal: household members' keys, never exposed


UNITS: dict[Kind, str] = {Kind.WON: "KRW", Kind.AREA_M2: "m2", Kind.PERCENT: "%"}

_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_SOURCE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")


class FormKind(enum.StrEnum):
    """How a minimised form derives from the field it stands beside."""

    MASKED = "masked"  # part of the value hidden, e.g. 850314-2******
    COARSENED = "coarsened"  # less precise, e.g. a band, a year, an age
    DERIVED = "derived"  # only a fact computed from it, e.g. a boolean
    PSEUDONYM = "pseudonym"  # replaced by an agency-specific keyed pseudonym


@dataclass(frozen=True, slots=True)
class Form:
    """A minimised form of a field: its own typed schema field, never the raw value.

    `transform` names a function in `policies.transforms`; `kind` is the
    value kind of the result (with `choices` for CODE results).
    """

    name: str
    form: FormKind
    transform: str
    kind: Kind
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Field:
    """One typed attribute of an information type.

    `low`/`high` bound numeric values and `choices` enumerates codes; both
    document the domain and let the simulated sources produce plausible data.
    `exposed=False` marks a field the hub uses internally (household keys)
    and never places in the schema.
    """

    name: str
    kind: Kind
    description: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    exposed: bool = True
    forms: tuple[Form, ...] = ()

    @property
    def unit(self) -> str | None:
        """The unit of the value, if it has one (KRW, m2, %)."""
        return UNITS.get(self.kind)


@dataclass(frozen=True, slots=True)
class InfoType:
    """One of the information types the hub shares.

    `many=True` means a person has a list of records of this type (vehicles,
    land parcels, benefit payments); otherwise zero or one record.
    """

    name: str
    title: str
    group: Group
    description: str
    source: str
    sensitivity: Sensitivity
    legal_basis: str
    fields: tuple[Field, ...]
    many: bool = False

    def field(self, name: str) -> Field:
        """The field called `name`; KeyError names the type and field if absent."""
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"information type {self.name!r} has no field {name!r}")

    @property
    def exposed_fields(self) -> tuple[Field, ...]:
        """The fields that appear in the GraphQL schema."""
        return tuple(f for f in self.fields if f.exposed)

    @property
    def forms(self) -> dict[str, tuple[Field, Form]]:
        """Every minimised form of the type by name, with the field it derives from."""
        return {form.name: (f, form) for f in self.fields for form in f.forms}

    def schema_field_source(self, name: str) -> str:
        """The source field a schema field (raw or form) is read from."""
        pair = self.forms.get(name)
        return pair[0].name if pair else name


class Transport(enum.StrEnum):
    """How the hub reaches a source institution."""

    HTTP = "http"
    SQL = "sql"


@dataclass(frozen=True, slots=True)
class Source:
    """A source institution that owns information types."""

    code: str
    name: str
    description: str
    transport: Transport = Transport.HTTP


@dataclass(frozen=True, slots=True)
class Purpose:
    """A purpose of use an agency may declare for a request (`Hub-Purpose`)."""

    code: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Agency:
    """A consuming agency and the purposes it may declare."""

    code: str
    name: str
    description: str
    purposes: tuple[Purpose, ...]

    def purpose(self, code: str) -> Purpose | None:
        """The declared purpose with this code, or None when undeclared."""
        return next((p for p in self.purposes if p.code == code), None)


class CatalogError(ValueError):
    """The catalog's declarations contradict each other."""


@dataclass(frozen=True)
class Catalog:
    """The whole catalog, validated on construction."""

    info_types: tuple[InfoType, ...]
    sources: tuple[Source, ...]
    agencies: tuple[Agency, ...]
    _types_by_name: dict[str, InfoType] = field(init=False, repr=False, compare=False)
    _sources_by_code: dict[str, Source] = field(init=False, repr=False, compare=False)
    _agencies_by_code: dict[str, Agency] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_types_by_name", _index(self.info_types, "information type"))
        object.__setattr__(self, "_sources_by_code", _index(self.sources, "source"))
        object.__setattr__(self, "_agencies_by_code", _index(self.agencies, "agency"))
        self._validate()

    def _validate(self) -> None:
        for source in self.sources:
            if not _SOURCE_CODE.match(source.code):
                raise CatalogError(f"source code {source.code!r} must be UPPER_SNAKE")
        for info_type in self.info_types:
            if not _CAMEL.match(info_type.name):
                raise CatalogError(f"information type {info_type.name!r} must be camelCase")
            if info_type.source not in self._sources_by_code:
                raise CatalogError(
                    f"information type {info_type.name!r} names unknown source {info_type.source!r}"
                )
            if not info_type.legal_basis.strip():
                raise CatalogError(f"information type {info_type.name!r} has no legal basis")
            seen: set[str] = set()
            for f in info_type.fields:
                if not _CAMEL.match(f.name):
                    raise CatalogError(f"field {info_type.name}.{f.name} must be camelCase")
                if f.name in seen:
                    raise CatalogError(f"field {info_type.name}.{f.name} is declared twice")
                seen.add(f.name)
                if (f.kind is Kind.CODE) != bool(f.choices):
                    raise CatalogError(
                        f"field {info_type.name}.{f.name}: choices go with kind CODE only"
                    )
                for form in f.forms:
                    if not _CAMEL.match(form.name):
                        raise CatalogError(f"form {info_type.name}.{form.name} must be camelCase")
                    if form.name in seen or any(form.name == g.name for g in info_type.fields):
                        raise CatalogError(
                            f"form {info_type.name}.{form.name} clashes with another name"
                        )
                    seen.add(form.name)
                    if (form.kind is Kind.CODE) != bool(form.choices):
                        raise CatalogError(
                            f"form {info_type.name}.{form.name}: choices go with kind CODE only"
                        )
            if not info_type.exposed_fields:
                raise CatalogError(f"information type {info_type.name!r} exposes no field")
        owned = {t.source for t in self.info_types}
        for source in self.sources:
            if source.code not in owned:
                raise CatalogError(f"source {source.code!r} owns no information type")
        for agency in self.agencies:
            if not agency.purposes:
                raise CatalogError(f"agency {agency.code!r} declares no purpose")
            _index(agency.purposes, f"purpose of agency {agency.code}")

    def info_type(self, name: str) -> InfoType:
        """The information type called `name` (KeyError if unknown)."""
        return self._types_by_name[name]

    def source(self, code: str) -> Source:
        """The source with this code (KeyError if unknown)."""
        return self._sources_by_code[code]

    def agency(self, code: str) -> Agency | None:
        """The agency with this code, or None when the code is not registered."""
        return self._agencies_by_code.get(code)

    def types_of(self, source_code: str) -> tuple[InfoType, ...]:
        """The information types a source owns, in catalog order."""
        return tuple(t for t in self.info_types if t.source == source_code)

    def has_info_type(self, name: str) -> bool:
        """Whether an information type of this name is declared."""
        return name in self._types_by_name


_Keyed = TypeVar("_Keyed", InfoType, Source, Agency, Purpose)


def _index(items: tuple[_Keyed, ...], what: str) -> dict[str, _Keyed]:
    out: dict[str, _Keyed] = {}
    for item in items:
        key = item.name if isinstance(item, InfoType) else item.code
        if key in out:
            raise CatalogError(f"{what} {key!r} is declared twice")
        out[key] = item
    return out
