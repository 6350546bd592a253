"""The administrative schema's types and their construction from the services' data."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from hub.db.models import ConsentEvent
from policies.compiled import FieldRelease
from policies.consent import ConsentChannel, ConsentStatus, ConsentUsage, ConsentView
from policies.simulate import SimulatedType, Simulation
from policies.versions import VersionInfo, VersionStatus

strawberry.enum(VersionStatus, name="PolicyVersionStatus", description="Where a version is.")
strawberry.enum(ConsentStatus, description="A consent's effective status (EXPIRED is derived).")
strawberry.enum(ConsentUsage, description="One use, or every use within the window.")
strawberry.enum(ConsentChannel, description="How the person gave the consent.")


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _document(root: PolicyVersionInfo) -> JSON:
    # Resolved only when selected: a version list need not serialise every document.
    return JSON(root.info.document.as_json())


@strawberry.type(name="PolicyVersion", description="One immutable version of the policy set.")
class PolicyVersionInfo:
    version: int
    status: VersionStatus
    reason: str = strawberry.field(description="Why the version was proposed.")
    proposed_by: str = strawberry.field(description="The proposing officer's id.")
    base_version: int | None = strawberry.field(
        description="The version this one was proposed on top of (null for the baseline "
        "and for proposals older than the recording of bases)."
    )
    proposed_at: dt.datetime | None
    decided_by: str | None = strawberry.field(description="The officer who approved or rejected.")
    decided_at: dt.datetime | None
    activated_at: dt.datetime | None
    info: strawberry.Private[VersionInfo]
    document: JSON = strawberry.field(
        resolver=_document, description="The whole policy document, as stored."
    )


def version_info(info: VersionInfo) -> PolicyVersionInfo:
    """The GraphQL view of a version."""
    return PolicyVersionInfo(
        version=info.version,
        status=info.status,
        reason=info.reason,
        proposed_by=info.proposed_by,
        base_version=info.base_version,
        proposed_at=info.proposed_at,
        decided_by=info.decided_by,
        decided_at=info.decided_at,
        activated_at=info.activated_at,
        info=info,
    )


@strawberry.type(name="ConsentEvent", description="One step in a consent's life.")
class ConsentEventInfo:
    at: dt.datetime
    actor: str = strawberry.field(
        description="Who: an official id, `client_id:official` for a consent channel, "
        "or `hub` when a request used a one-time consent."
    )
    action: str = strawberry.field(description="recorded, pause, resume, revoke or used.")
    reason: str | None


@strawberry.type(name="Consent", description="A person's consent to an agency for a purpose.")
class ConsentInfo:
    id: strawberry.ID
    agency: str
    purpose: str
    info_types: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    usage: ConsentUsage
    channel: ConsentChannel
    status: ConsentStatus = strawberry.field(description="Effective now: EXPIRED past the window.")
    used_at: dt.datetime | None = strawberry.field(description="When a one-time consent was used.")
    recorded_by: str
    history: list[ConsentEventInfo] = strawberry.field(description="Oldest first.")


def consent_info(consent: ConsentView, events: list[ConsentEvent]) -> ConsentInfo:
    """The GraphQL view of a consent and its history."""
    return ConsentInfo(
        id=strawberry.ID(consent.id),
        agency=consent.agency,
        purpose=consent.purpose,
        info_types=list(consent.info_types),
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        usage=consent.usage,
        channel=consent.channel,
        status=consent.status,
        used_at=consent.used_at,
        recorded_by=consent.recorded_by,
        history=[
            ConsentEventInfo(at=_aware(e.at), actor=e.actor, action=e.action, reason=e.reason)
            for e in events
        ],
    )


@strawberry.input(description="A consent as the channel received it.")
class ConsentInput:
    rrn: str = strawberry.field(description="13 digits, hyphen optional.")
    agency: str
    purpose: str
    info_types: list[str]
    valid_until: dt.datetime = strawberry.field(description="With a time zone.")
    usage: ConsentUsage
    channel: ConsentChannel
    valid_from: dt.datetime | None = strawberry.field(
        default=None, description="With a time zone; now when omitted."
    )
    evidence: str | None = strawberry.field(
        default=None, description="Document numbers or notes; stored encrypted."
    )


@strawberry.type(name="SimulatedField", description="A field the agency would receive.")
class SimulatedFieldInfo:
    field: str = strawberry.field(description="The schema field the agency selects.")
    form: str = strawberry.field(description="full, masked, coarsened, derived or pseudonym.")
    derived_from: str | None


@strawberry.type(name="SimulatedInfoType", description="An information type, on its terms.")
class SimulatedTypeInfo:
    info_type: str
    source: str = strawberry.field(description="The institution it would be fetched from.")
    consent_required: bool
    consent_id: str | None = strawberry.field(
        description="A consent of this person that permits the type now (none is spent here)."
    )
    has_valid_consent: bool
    released: bool = strawberry.field(
        description="Whether it would come back: statute suffices, or a valid consent exists."
    )
    fields: list[SimulatedFieldInfo]


@strawberry.type(description="What an agency would receive; no source was called.")
class SimulationResult:
    agency: str
    purpose: str
    policy_version: int
    granted: bool = strawberry.field(description="Whether any grant covers agency and purpose.")
    legal_basis: str | None
    max_persons: int | None
    would_be_refused: bool = strawberry.field(
        description="Whether the hub would refuse the request as a whole, before any source."
    )
    refusal: str | None = strawberry.field(description="Why it would be refused.")
    refused_fields: list[str] = strawberry.field(description="Requested, not granted.")
    unknown_fields: list[str] = strawberry.field(description="Requested, not in the schema.")
    info_types: list[SimulatedTypeInfo]


def _field(release: FieldRelease) -> SimulatedFieldInfo:
    derived = None if release.schema_field == release.source_field else release.source_field
    return SimulatedFieldInfo(field=release.schema_field, form=release.form, derived_from=derived)


def _type(simulated: SimulatedType) -> SimulatedTypeInfo:
    return SimulatedTypeInfo(
        info_type=simulated.info_type,
        source=simulated.source,
        consent_required=simulated.consent_required,
        consent_id=simulated.consent_id,
        has_valid_consent=simulated.consent_id is not None,
        released=simulated.released,
        fields=[_field(r) for r in simulated.releases],
    )


def simulation_result(simulation: Simulation) -> SimulationResult:
    """The GraphQL view of a simulation."""
    grant = simulation.grant
    return SimulationResult(
        agency=simulation.agency,
        purpose=simulation.purpose,
        policy_version=simulation.policy_version,
        granted=grant is not None,
        legal_basis=grant.legal_basis if grant else None,
        max_persons=grant.max_persons if grant else None,
        would_be_refused=simulation.would_be_refused,
        refusal=simulation.refusal,
        refused_fields=list(simulation.refused_fields),
        unknown_fields=list(simulation.unknown_fields),
        info_types=[_type(t) for t in simulation.types],
    )
