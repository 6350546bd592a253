"""What an agency would receive for a person, worked out without releasing anything.

A privacy officer answering "what would LOCAL_WELFARE get for this person
under basic_livelihood_eligibility?" needs the policy's answer (which
fields, in which form, on which basis) and the consent registry's answer
(does this person have a valid consent right now), never the data: no
source is called, no one-time consent is spent and no access is logged,
because nothing is released.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.catalog.model import Catalog, InfoType, Kind
from hub.db.models import utcnow
from hub.db.session import Database
from hub.identity.subjects import person_id
from hub.keys import KeyRing
from policies.compiled import CompiledGrant, CompiledPolicy, FieldRelease
from policies.consent import ConsentView, consents_of
from policies.decision import AccessRequest, Decision, Limits, RefusalCode, decide


@dataclass(frozen=True)
class SimulatedType:
    """One information type the agency would receive, and on what terms."""

    info_type: str
    source: str
    consent_required: bool
    consent_id: str | None  # a consent that permits the type for this person now
    releases: tuple[FieldRelease, ...]

    @property
    def released(self) -> bool:
        """Whether the type would come back: statute, or a valid consent."""
        return not self.consent_required or self.consent_id is not None


@dataclass(frozen=True)
class Simulation:
    """The outcome of asking, as the real request would meet it."""

    agency: str
    purpose: str
    policy_version: int
    grant: CompiledGrant | None
    #: The decision the agencies' gate would make for this request.
    decision: Decision
    types: tuple[SimulatedType, ...]
    refused_fields: tuple[str, ...]
    unknown_fields: tuple[str, ...]
    refusal: str | None  # why the whole request would be refused before any source call

    @property
    def would_be_refused(self) -> bool:
        """Whether the hub would refuse the request as a whole (POLICY_REFUSED and the like)."""
        return self.refusal is not None


def schema_fields(info_type: InfoType) -> set[str]:
    """The names an agency can select on a type: exposed fields, forms, household members."""
    names = {f.name for f in info_type.fields if f.exposed or f.kind is Kind.MEMBERS}
    return names | set(info_type.forms)


def _requested(catalog: Catalog, fields: Sequence[str]) -> tuple[dict[str, set[str]], list[str]]:
    """`type.field` strings split into known selections and unknown names."""
    selected: dict[str, set[str]] = {}
    unknown: list[str] = []
    for text in fields:
        type_name, _, name = text.partition(".")
        if not catalog.has_info_type(type_name) or name not in schema_fields(
            catalog.info_type(type_name)
        ):
            unknown.append(text)
            continue
        selected.setdefault(type_name, set()).add(name)
    return selected, sorted(set(unknown))


def _first_permitting(consents: list[ConsentView], info_type: str) -> str | None:
    now = utcnow()
    # The order the agencies' endpoint tries them in: oldest first.
    return next((c.id for c in consents if c.permits(info_type, now)), None)


async def simulate(
    db: Database,
    keys: KeyRing,
    catalog: Catalog,
    policy: CompiledPolicy,
    *,
    agency: str,
    purpose: str,
    rrn: str,
    fields: Sequence[str] | None = None,
    limits: Limits | None = None,
) -> Simulation:
    """What `agency` would receive for the person under `purpose` and `policy`.

    `rrn` must already be normalised to its 13 digits. With `fields`
    (`type.field` as an agency would select them), only those are
    considered and any the policy does not grant is listed as refused;
    without, everything the grant releases is described. The decision is
    `policies.decision.decide`, the one the agencies' gate makes, for a
    request naming this one person under `limits` (the hub's; without,
    only the grant's bounds).
    """
    grant = policy.grant(agency, purpose)
    if fields is None:
        selected = {t: set(r) for t, r in grant.releases.items()} if grant else {}
        unknown: list[str] = []
    else:
        selected, unknown = _requested(catalog, fields)
    decision = decide(
        catalog,
        policy,
        AccessRequest(agency=agency, purpose=purpose, selected=selected, persons=1),
        limits or Limits(max_persons=grant.max_persons if grant else 0),
    )
    refusal = decision.refusal
    if grant is None:
        # Nothing is granted without a grant, whichever check refused first.
        refused = tuple(sorted(f"{t}.{n}" for t, names in selected.items() for n in names))
    elif refusal is not None and refusal.code is RefusalCode.POLICY_REFUSED:
        refused = tuple(refusal.details.get("fields", ()))
    else:
        refused = ()
    types: list[SimulatedType] = []
    if grant is not None:
        subject = person_id(keys, rrn)
        consents = (await consents_of(db, [subject], agency, purpose))[subject]
        for type_name in sorted(selected):
            granted = grant.releases.get(type_name, {})
            releases = tuple(granted[n] for n in sorted(selected[type_name]) if n in granted)
            if not releases:
                continue
            types.append(
                SimulatedType(
                    info_type=type_name,
                    source=catalog.info_type(type_name).source,
                    consent_required=type_name in grant.consent_types,
                    consent_id=_first_permitting(consents, type_name),
                    releases=releases,
                )
            )
    # Schema validation comes first at the agencies' endpoint: an unknown
    # field is refused before the gate decides anything.
    message = (
        f"the schema has no field {', '.join(unknown)}"
        if unknown
        else (refusal.message if refusal is not None else None)
    )
    return Simulation(
        agency=agency,
        purpose=purpose,
        policy_version=policy.version,
        grant=grant,
        decision=decision,
        types=tuple(types),
        refused_fields=refused,
        unknown_fields=tuple(unknown),
        refusal=message,
    )
