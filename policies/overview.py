"""Every agency, its purposes and what each grant releases: the officers' agencies page.

Read off the catalog (who the agencies are, which purposes they declared)
and the compiled policy (what each purpose is granted: types and fields
with their forms, statute or consent, legal basis, freshness), with the
person limit the gate applies (`policies.decision.person_limit`). Nothing
is worked out here that the compiled grant does not already say.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.catalog.model import Catalog
from policies.compiled import CompiledGrant, CompiledPolicy
from policies.decision import Limits, person_limit


@dataclass(frozen=True)
class PurposeOverview:
    """One declared purpose and its grant (None: the policy grants nothing for it)."""

    code: str
    name: str
    description: str
    grant: CompiledGrant | None
    #: The most persons one request may name, as the gate applies it: min(grant, hub).
    person_limit: int


@dataclass(frozen=True)
class AgencyOverview:
    """A consuming agency and each of its declared purposes."""

    code: str
    name: str
    description: str
    purposes: tuple[PurposeOverview, ...]


class UnknownAgency(LookupError):
    """The catalog has no consuming agency with this code."""


def agencies_overview(
    catalog: Catalog, policy: CompiledPolicy, limits: Limits, agency: str | None = None
) -> list[AgencyOverview]:
    """Every agency (or only `agency`) in catalog order, each purpose with its grant.

    UnknownAgency when `agency` is not in the catalog.
    """
    if agency is not None and catalog.agency(agency) is None:
        raise UnknownAgency(f"no consuming agency {agency!r} in the catalog")
    out: list[AgencyOverview] = []
    for entry in catalog.agencies:
        if agency is not None and entry.code != agency:
            continue
        purposes = []
        for purpose in entry.purposes:
            grant = policy.grant(entry.code, purpose.code)
            purposes.append(
                PurposeOverview(
                    code=purpose.code,
                    name=purpose.name,
                    description=purpose.description,
                    grant=grant,
                    person_limit=person_limit(grant, limits),
                )
            )
        out.append(AgencyOverview(entry.code, entry.name, entry.description, tuple(purposes)))
    return out


__all__ = ["AgencyOverview", "PurposeOverview", "UnknownAgency", "agencies_overview"]
