"""Policies validated against the catalog and compiled into lookups.

Compiling happens once, when a version activates; afterwards deciding a
field is a dictionary lookup, not an interpretation of the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field

from hub.catalog.model import Catalog, InfoType, Kind
from policies.document import DENIED, FULL, ConsentBasis, Grant, PolicyDocument
from policies.transforms import TRANSFORMS


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One contradiction with the catalog, and where in the document it is.

    `path` names the offending value in the document, e.g.
    `agencies[3].grants[2].types.earnedIncome.fields.annualAmount`, so an
    editor can point at it.
    """

    path: str
    message: str


class PolicyError(ValueError):
    """A policy contradicts the catalog; `problems` names every offender.

    `located` holds the same problems with their paths in the document.
    """

    def __init__(self, problems: list[str], located: list[PolicyProblem] | None = None) -> None:
        super().__init__("policy rejected: " + "; ".join(problems))
        self.problems = problems
        self.located = located if located is not None else [PolicyProblem("", p) for p in problems]


class _Problems:
    """Collects problems with their paths; the messages alone stay PolicyError.problems."""

    def __init__(self) -> None:
        self.located: list[PolicyProblem] = []

    def add(self, path: str, message: str) -> None:
        self.located.append(PolicyProblem(path, message))

    def __bool__(self) -> bool:
        return bool(self.located)

    def error(self) -> PolicyError:
        return PolicyError([p.message for p in self.located], self.located)


@dataclass(frozen=True, slots=True)
class FieldRelease:
    """How one schema field is released: read `source_field`, apply `transform`."""

    schema_field: str
    source_field: str
    form: str  # "full", or the FormKind of the minimised form
    transform: str | None


@dataclass(frozen=True)
class CompiledGrant:
    """One (agency, purpose) grant, ready for per-field lookups."""

    agency: str
    purpose: str
    legal_basis: str
    max_persons: int
    max_age_days: int
    suppressed: bool
    suppression_days: int
    consent_types: frozenset[str]
    releases: dict[str, dict[str, FieldRelease]] = field(default_factory=dict)

    def allows(self, info_type: str, schema_field: str) -> bool:
        """Whether this schema field of this type may be released."""
        return schema_field in self.releases.get(info_type, {})

    def refused(self, selected: Mapping[str, Set[str]]) -> list[str]:
        """`type.field` for every selected field the grant does not release, sorted."""
        return sorted(
            f"{info_type}.{name}"
            for info_type, names in selected.items()
            for name in names
            if not self.allows(info_type, name)
        )


@dataclass(frozen=True)
class CompiledPolicy:
    """Every grant of one policy version."""

    version: int
    grants: dict[tuple[str, str], CompiledGrant]

    def grant(self, agency: str, purpose: str) -> CompiledGrant | None:
        """The grant for (agency, purpose), or None when there is none."""
        return self.grants.get((agency, purpose))

    def grants_of(self, agency: str) -> list[CompiledGrant]:
        """The agency's grants in purpose order."""
        return sorted(
            (g for (a, _), g in self.grants.items() if a == agency), key=lambda g: g.purpose
        )


def _release(
    info_type: InfoType, name: str, rule: str, problems: _Problems, path: str
) -> FieldRelease | None:
    where = f"{info_type.name}.{name}"
    declared = {f.name: f for f in info_type.fields}
    spec = declared.get(name)
    if spec is None:
        problems.add(path, f"unknown field {where}")
        return None
    if rule == DENIED:
        return None
    if rule == FULL:
        if spec.kind is Kind.MEMBERS or spec.exposed:
            return FieldRelease(name, name, FULL, None)
        problems.add(path, f"field {where} cannot be released")
        return None
    form = next((f for f in spec.forms if f.name == rule), None)
    if form is None:
        choices = ", ".join([FULL, DENIED, *(f.name for f in spec.forms)])
        problems.add(path, f"field {where}: {rule!r} is not one of {choices}")
        return None
    if form.transform not in TRANSFORMS:
        problems.add(path, f"form {info_type.name}.{form.name}: unknown transform {form.transform}")
        return None
    return FieldRelease(form.name, name, str(form.form), form.transform)


def _compile_grant(
    agency: str, grant: Grant, catalog: Catalog, problems: _Problems, path: str
) -> CompiledGrant:
    releases: dict[str, dict[str, FieldRelease]] = {}
    consent_types: set[str] = set()
    for type_name, type_grant in grant.types.items():
        if not catalog.has_info_type(type_name):
            problems.add(
                f"{path}.types.{type_name}",
                f"{agency}/{grant.purpose}: unknown information type {type_name}",
            )
            continue
        info_type = catalog.info_type(type_name)
        released = {}
        for name, rule in type_grant.fields.items():
            field_path = f"{path}.types.{type_name}.fields.{name}"
            release = _release(info_type, name, rule, problems, field_path)
            if release is not None:
                released[release.schema_field] = release
        if released:
            releases[type_name] = released
            if type_grant.basis is ConsentBasis.CONSENT:
                consent_types.add(type_name)
    return CompiledGrant(
        agency=agency,
        purpose=grant.purpose,
        legal_basis=grant.legal_basis,
        max_persons=grant.max_persons,
        max_age_days=grant.max_age_days,
        suppressed=grant.suppressed,
        suppression_days=grant.suppression_days,
        consent_types=frozenset(consent_types),
        releases=releases,
    )


def compile_policy(document: PolicyDocument, catalog: Catalog, version: int) -> CompiledPolicy:
    """Validate `document` against the catalog and compile it; PolicyError lists all problems.

    Each problem is located too (`PolicyError.located`), by its path in the
    document: `agencies[i].grants[j].types.T.fields.F`.
    """
    problems = _Problems()
    grants: dict[tuple[str, str], CompiledGrant] = {}
    seen_agencies: set[str] = set()
    for i, agency_policy in enumerate(document.agencies):
        code = agency_policy.agency
        agency = catalog.agency(code)
        if agency is None:
            problems.add(f"agencies[{i}].agency", f"unknown agency {code}")
            continue
        if code in seen_agencies:
            problems.add(f"agencies[{i}].agency", f"agency {code} appears twice")
        seen_agencies.add(code)
        for j, grant in enumerate(agency_policy.grants):
            path = f"agencies[{i}].grants[{j}]"
            if agency.purpose(grant.purpose) is None:
                problems.add(
                    f"{path}.purpose", f"agency {code} has not declared purpose {grant.purpose}"
                )
                continue
            if (code, grant.purpose) in grants:
                problems.add(f"{path}.purpose", f"{code}/{grant.purpose} is granted twice")
                continue
            grants[(code, grant.purpose)] = _compile_grant(code, grant, catalog, problems, path)
    if problems:
        raise problems.error()
    return CompiledPolicy(version=version, grants=grants)


def describe(releases: Iterable[FieldRelease]) -> list[str]:
    """`field (form)` descriptions, for people reading a grant."""
    return [
        r.schema_field if r.form == FULL else f"{r.schema_field} ({r.form} of {r.source_field})"
        for r in releases
    ]
