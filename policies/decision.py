"""The one access decision: what an operation may receive, decided before anything runs.

`decide` is a pure function. From what an operation asks for (the field plan
and the persons it names), the compiled policy and the limits in force, it
returns an immutable `Decision`: the fields released per type and the form of
each, the types that still need each person's consent, the person limit,
and, when the operation may not run at all, the refusal with its code. It
does no I/O and reads no clock, so the agencies' gate, the privacy officers'
simulator and trusted-document review all call it and cannot disagree.

Fail closed: a request with no grant, or asking for anything its grant does
not release, is refused as a whole, and a refused decision releases nothing
(`releases` is empty), so code that consults it cannot release by default.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hub.catalog.model import Catalog
from hub.observability.clip import clip
from policies.compiled import CompiledGrant, CompiledPolicy, FieldRelease


class RefusalCode(enum.StrEnum):
    """Why a decision refuses a whole operation; each is a client-facing error code."""

    AGENCY_NOT_REGISTERED = "AGENCY_NOT_REGISTERED"
    PURPOSE_REQUIRED = "PURPOSE_REQUIRED"
    PURPOSE_NOT_DECLARED = "PURPOSE_NOT_DECLARED"
    POLICY_REFUSED = "POLICY_REFUSED"
    TOO_MANY_PERSONS = "TOO_MANY_PERSONS"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"


@dataclass(frozen=True)
class AccessRequest:
    """What one operation asks for, as the decision sees it.

    `selected` maps each information type to the schema fields (raw or
    minimised forms) the operation selects on it. `persons` is every person
    the operation names, over all its root fields and aliases (`person`,
    `persons`, `_entities`); None when it is not known yet (a document
    reviewed before any request, whose list arrives as a variable).
    """

    agency: str
    purpose: str
    selected: Mapping[str, Set[str]]
    persons: int | None = None
    walks_household: bool = False


@dataclass(frozen=True)
class Limits:
    """The hub's own bounds, which no grant can widen."""

    #: HUB_MAX_PERSONS_PER_REQUEST: the most persons one operation may name.
    max_persons: int
    #: The agency's most estimated cost per operation; None for no bound.
    max_cost: int | None = None
    #: Weight of one information type read from each source (default 1).
    source_cost: Mapping[str, int] = field(default_factory=dict)
    #: Persons a household walk is assumed to reach, for the cost estimate.
    household_size: int = 1


@dataclass(frozen=True)
class Refusal:
    """Why the whole operation is refused, in words and as a code with details."""

    code: RefusalCode
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


_NOTHING: Mapping[str, Mapping[str, FieldRelease]] = MappingProxyType({})


@dataclass(frozen=True)
class Decision:
    """The outcome of `decide`; consumers read it, nothing changes it."""

    agency: str
    purpose: str
    policy_version: int
    grant: CompiledGrant | None
    #: Per selected type, each selected field's release (its form). Empty when refused.
    releases: Mapping[str, Mapping[str, FieldRelease]]
    #: The selected types released only with each person's consent.
    consent_types: frozenset[str]
    #: The most persons one operation may name: min(grant, hub).
    person_limit: int
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        """Whether the operation may run."""
        return self.refusal is None

    @property
    def legal_basis(self) -> str | None:
        """The grant's legal basis, when there is a grant."""
        return self.grant.legal_basis if self.grant is not None else None

    def releases_type(self, info_type: str) -> bool:
        """Whether anything of `info_type` is released."""
        return info_type in self.releases

    def needs_consent(self, info_type: str) -> bool:
        """Whether `info_type` is released only with the person's consent."""
        return info_type in self.consent_types

    def form(self, info_type: str, schema_field: str) -> str | None:
        """The form a selected field is released in, or None when it is not released."""
        release = self.releases.get(info_type, {}).get(schema_field)
        return release.form if release is not None else None


def person_limit(grant: CompiledGrant | None, limits: Limits) -> int:
    """The most persons one operation may name: the grant's bound within the hub's."""
    if grant is None:
        return 0
    return min(grant.max_persons, limits.max_persons)


def estimated_cost(catalog: Catalog, request: AccessRequest, limits: Limits) -> int:
    """Persons x the selected information types, each weighted by its source's cost.

    A household walk reaches further persons: it multiplies the persons by
    the assumed household size.
    """
    weight = sum(
        limits.source_cost.get(catalog.info_type(name).source, 1)
        for name in request.selected
        if catalog.has_info_type(name)
    )
    persons = request.persons or 0
    if request.walks_household:
        persons *= limits.household_size
    return persons * max(weight, 1)


def _everything(selected: Mapping[str, Set[str]]) -> list[str]:
    return sorted(f"{t}.{f}" for t, names in selected.items() for f in names)


def decide(
    catalog: Catalog, policy: CompiledPolicy, request: AccessRequest, limits: Limits
) -> Decision:
    """Decide the whole operation: the checks in order, the first failing one refuses.

    1. the agency is registered, the request states a purpose and the agency
       has declared it;
    2. the policy has a grant for (agency, purpose) and it releases every
       selected field (POLICY_REFUSED lists exactly the others);
    3. the persons named are within min(grant, hub) persons;
    4. the estimated cost is within the agency's limit.
    """
    agency, purpose = request.agency, request.purpose
    grant = policy.grant(agency, purpose)

    def refused(code: RefusalCode, message: str, **details: Any) -> Decision:
        return Decision(
            agency=agency,
            purpose=purpose,
            policy_version=policy.version,
            grant=grant,
            releases=_NOTHING,
            consent_types=frozenset(),
            person_limit=person_limit(grant, limits),
            refusal=Refusal(code, message, MappingProxyType(details)),
        )

    registered = catalog.agency(agency)
    if registered is None:
        return refused(
            RefusalCode.AGENCY_NOT_REGISTERED,
            f"agency {clip(agency)!r} is not a registered consuming agency",
        )
    if not purpose:
        return refused(
            RefusalCode.PURPOSE_REQUIRED,
            "the Hub-Purpose header must name the purpose of this request",
        )
    if registered.purpose(purpose) is None:
        declared = ", ".join(p.code for p in registered.purposes)
        return refused(
            RefusalCode.PURPOSE_NOT_DECLARED,
            f"agency {agency} has not declared purpose {clip(purpose)!r} (declared: {declared})",
        )
    if grant is None:
        return refused(
            RefusalCode.POLICY_REFUSED,
            f"no policy (version {policy.version}) grants {agency} anything for {purpose}",
            fields=_everything(request.selected),
            policyVersion=policy.version,
        )
    not_granted = grant.refused(request.selected)
    # A type selected for nothing but `__typename` still reveals whether the
    # person has a record of it: it is granted only if the grant names it.
    not_granted += [
        t for t, names in request.selected.items() if not names and t not in grant.releases
    ]
    not_granted = sorted(set(not_granted))
    if not_granted:
        return refused(
            RefusalCode.POLICY_REFUSED,
            f"the policy (version {policy.version}) for {agency}/{purpose} does not grant "
            f"{', '.join(not_granted)}; ask only for what you may (see myGrants)",
            fields=not_granted,
            policyVersion=policy.version,
        )
    most = person_limit(grant, limits)
    if request.persons is not None and request.persons > most:
        return refused(
            RefusalCode.TOO_MANY_PERSONS,
            f"the operation names {request.persons} persons; at most {most} per request "
            f"for {agency}/{purpose} (every person, persons and _entities field counts)",
            limit=most,
            found=request.persons,
        )
    if limits.max_cost is not None and request.persons is not None:
        estimate = estimated_cost(catalog, request, limits)
        if estimate > limits.max_cost:
            return refused(
                RefusalCode.QUERY_TOO_COSTLY,
                f"the operation's estimated cost is {estimate}, over the limit of "
                f"{limits.max_cost} (persons x information types, weighted by source); "
                "ask for fewer persons or types per request",
                estimate=estimate,
                limit=limits.max_cost,
            )
    releases = MappingProxyType(
        {
            info_type: MappingProxyType({name: grant.releases[info_type][name] for name in names})
            for info_type, names in request.selected.items()
        }
    )
    return Decision(
        agency=agency,
        purpose=purpose,
        policy_version=policy.version,
        grant=grant,
        releases=releases,
        consent_types=frozenset(t for t in request.selected if t in grant.consent_types),
        person_limit=most,
    )


__all__ = [
    "AccessRequest",
    "Decision",
    "Limits",
    "Refusal",
    "RefusalCode",
    "decide",
    "estimated_cost",
    "person_limit",
]
