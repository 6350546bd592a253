"""The difference between two policy documents, in plain terms for reviewers.

A privacy officer approving a version should read what changes for whom,
not a JSON diff: "LOCAL_WELFARE gains earnedIncome.annualAmount (full) for
basic_livelihood_eligibility". Fields left out and fields said to be
"denied" are the same thing here, as they are to the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.catalog.model import Catalog
from policies.document import DENIED, FULL, ConsentBasis, Grant, PolicyDocument

# type -> source field -> rule (FULL or a form name); DENIED rules are dropped.
_Rules = dict[str, dict[str, str]]


@dataclass(frozen=True)
class _GrantView:
    """One grant reduced to what a reader compares."""

    grant: Grant
    rules: _Rules
    consent_types: frozenset[str]


def _view(grant: Grant) -> _GrantView:
    rules: _Rules = {}
    consent: set[str] = set()
    for type_name, type_grant in grant.types.items():
        released = {name: rule for name, rule in type_grant.fields.items() if rule != DENIED}
        if not released:
            continue
        rules[type_name] = released
        if type_grant.basis is ConsentBasis.CONSENT:
            consent.add(type_name)
    return _GrantView(grant, rules, frozenset(consent))


def _grants(document: PolicyDocument) -> dict[tuple[str, str], _GrantView]:
    return {
        (agency.agency, grant.purpose): _view(grant)
        for agency in document.agencies
        for grant in agency.grants
    }


def _released_name(source_field: str, rule: str) -> str:
    """The schema field an agency selects: the field itself, or the form's own name."""
    return source_field if rule == FULL else rule


def _form(catalog: Catalog, type_name: str, source_field: str, rule: str) -> str:
    """`full`, or the form's kind and origin, e.g. `coarsened form of birthDate`."""
    if rule == FULL:
        return FULL
    if catalog.has_info_type(type_name):
        pair = catalog.info_type(type_name).forms.get(rule)
        if pair is not None:
            return f"{pair[1].form} form of {pair[0].name}"
    # A document the catalog contradicts still gets described; validation
    # reports the contradiction separately.
    return f"form {rule} of {source_field}"


def _grant_attributes(agency: str, old: Grant, new: Grant) -> list[str]:
    where = f"{agency}/{new.purpose}"
    out: list[str] = []
    if old.legal_basis != new.legal_basis:
        out.append(f"legal basis of {where} changes from {old.legal_basis} to {new.legal_basis}")
    if old.max_persons != new.max_persons:
        out.append(f"max persons of {where} changes from {old.max_persons} to {new.max_persons}")
    if old.max_age_days != new.max_age_days:
        out.append(
            f"max age of data for {where} changes from {old.max_age_days} "
            f"to {new.max_age_days} days"
        )
    if old.suppressed != new.suppressed:
        out.append(f"{where} {'becomes' if new.suppressed else 'is no longer'} suppressed")
    return out


def _field_changes(
    agency: str, purpose: str, old: _GrantView, new: _GrantView, catalog: Catalog
) -> list[str]:
    out: list[str] = []
    for type_name in sorted(old.rules.keys() | new.rules.keys()):
        before, after = old.rules.get(type_name, {}), new.rules.get(type_name, {})
        if (
            before
            and after
            and (type_name in old.consent_types) != (type_name in new.consent_types)
        ):
            needs = type_name in new.consent_types
            out.append(
                f"{agency} {'now needs' if needs else 'no longer needs'} consent for "
                f"{type_name} for {purpose}"
            )
        on_consent = ", with consent" if type_name in new.consent_types else ""
        for name in sorted(before.keys() | after.keys()):
            was, now = before.get(name), after.get(name)
            if was == now:
                continue
            if was is None and now is not None:
                form = _form(catalog, type_name, name, now)
                out.append(
                    f"{agency} gains {type_name}.{_released_name(name, now)} "
                    f"({form}{on_consent}) for {purpose}"
                )
            elif now is None and was is not None:
                out.append(f"{agency} loses {type_name}.{_released_name(name, was)} for {purpose}")
            elif was is not None and now is not None:
                out.append(
                    f"{agency} now receives {type_name}.{_released_name(name, now)} instead of "
                    f"{type_name}.{_released_name(name, was)} for {purpose}"
                )
    return out


def describe_changes(old: PolicyDocument, new: PolicyDocument, catalog: Catalog) -> list[str]:
    """What changes from `old` to `new`, one plain sentence per change.

    Ordered by agency, then purpose; within a grant: the grant itself (gained
    or lost), its attributes, then information types and fields by name. A
    gained purpose is followed by every field it releases, because that is
    exactly what a reviewer must check; a lost purpose is one sentence, since
    nothing of it remains.
    """
    before, after = _grants(old), _grants(new)
    empty = _GrantView(Grant(purpose="", legal_basis="-", types={}), {}, frozenset())
    out: list[str] = []
    for agency, purpose in sorted(before.keys() | after.keys()):
        was, now = before.get((agency, purpose)), after.get((agency, purpose))
        if now is None:
            out.append(f"{agency} loses purpose {purpose}")
            continue
        if was is None:
            grant = now.grant
            out.append(
                f"{agency} gains purpose {purpose} (legal basis: {grant.legal_basis}; "
                f"max persons {grant.max_persons})"
            )
            out.extend(_field_changes(agency, purpose, empty, now, catalog))
            continue
        out.extend(_grant_attributes(agency, was.grant, now.grant))
        out.extend(_field_changes(agency, purpose, was, now, catalog))
    return out
