"""The privacy officers' policy-editing fields: agency TOML, checks, replays, agencies' grants.

Thin resolvers over `hub.admin.policy_editing` and `hub.admin.replay`, the
same services the console calls; every field is for privacy officers
(`OfficersOnly`). Mounted on the administrative schema by inheritance.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from hub.admin import policy_editing, replay
from hub.admin.context import AdminContext
from hub.admin.permissions import OfficersOnly
from policies.agency_toml import ProposalProblem
from policies.document import parse_document
from policies.overview import AgencyOverview
from policies.replay import FieldChange, Outcomes, ReplayReport
from schema.grants import PurposeGrant, purpose_grant


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


@strawberry.type(name="PolicyProblem", description="One problem of an edited policy, placed.")
class ProblemInfo:
    path: str = strawberry.field(
        description="Where in the agency's file, e.g. `grants[2].types.earnedIncome.fields."
        "annualAmount`; empty for TOML that does not parse."
    )
    message: str
    line: int | None = strawberry.field(description="1-based; null when it cannot be placed.")
    column: int | None


def problem_info(problem: ProposalProblem) -> ProblemInfo:
    """The GraphQL view of a problem."""
    return ProblemInfo(
        path=problem.path, message=problem.message, line=problem.line, column=problem.column
    )


@strawberry.type(description="One agency's part of a policy version, as an editable TOML file.")
class AgencyPolicyToml:
    agency: str
    version: int
    toml: str


@strawberry.type(description="An edited agency file checked as a proposal; nothing stored.")
class AgencyPolicyCheck:
    agency: str
    base_version: int = strawberry.field(description="The version the proposal would replace.")
    valid: bool
    problems: list[ProblemInfo]
    changes: list[str] = strawberry.field(
        description="What it changes from the active version, one plain sentence each."
    )
    document: JSON | None = strawberry.field(
        description="The whole proposed document, when valid (what would be proposed)."
    )


@strawberry.type(description="Requests decided now and under the proposal.")
class ReplayOutcomes:
    considered: int
    refused_now: int
    refused_proposed: int = strawberry.field(description="Would be refused under the proposal.")
    newly_refused: int
    newly_allowed: int


@strawberry.type(description="A field of a type released differently under the proposal.")
class ReplayFieldChange:
    info_type: str
    field: str = strawberry.field(description="The source field.")
    before: str | None = strawberry.field(
        description="full, the form's name (e.g. birthYear), or null: not released."
    )
    after: str | None
    kind: str = strawberry.field(description="released, withheld or form.")
    requests: int = strawberry.field(description="Requests that selected it in any form.")
    summary: str = strawberry.field(description="e.g. `birthDate: full → birthYear`.")


@strawberry.type(description="One purpose's share of a replay.")
class ReplayPurpose:
    purpose: str
    outcomes: ReplayOutcomes
    field_changes: list[ReplayFieldChange]


@strawberry.type(description="Recent requests of an agency replayed under a proposed policy.")
class PolicyReplay:
    agency: str
    active_version: int
    since: dt.datetime | None = strawberry.field(description="The window replayed: [since, until).")
    until: dt.datetime | None
    outcomes: ReplayOutcomes
    capped: bool = strawberry.field(
        description="More requests than the cap: only the newest `cap` were considered."
    )
    cap: int
    newly_refused_by_code: JSON = strawberry.field(description="Refusal code -> requests.")
    newly_refused_requests: list[str] = strawberry.field(description="Request ids, the first.")
    newly_allowed_requests: list[str]
    field_changes: list[ReplayFieldChange]
    purposes: list[ReplayPurpose]


def _outcomes(outcomes: Outcomes) -> ReplayOutcomes:
    return ReplayOutcomes(
        considered=outcomes.considered,
        refused_now=outcomes.refused_now,
        refused_proposed=outcomes.refused_proposed,
        newly_refused=outcomes.newly_refused,
        newly_allowed=outcomes.newly_allowed,
    )


def _change(change: FieldChange) -> ReplayFieldChange:
    return ReplayFieldChange(
        info_type=change.info_type,
        field=change.field,
        before=change.before,
        after=change.after,
        kind=change.kind,
        requests=change.requests,
        summary=str(change),
    )


def policy_replay(report: ReplayReport) -> PolicyReplay:
    """The GraphQL view of a replay."""
    return PolicyReplay(
        agency=report.agency,
        active_version=report.active_version,
        since=report.since,
        until=report.until,
        outcomes=_outcomes(report.outcomes),
        capped=report.capped,
        cap=report.cap or 0,
        newly_refused_by_code=JSON(dict(report.newly_refused_by_code)),
        newly_refused_requests=list(report.newly_refused_requests),
        newly_allowed_requests=list(report.newly_allowed_requests),
        field_changes=[_change(c) for c in report.field_changes],
        purposes=[
            ReplayPurpose(
                purpose=p.purpose,
                outcomes=_outcomes(p.outcomes),
                field_changes=[_change(c) for c in p.field_changes],
            )
            for p in report.purposes
        ],
    )


@strawberry.type(description="A purpose an agency declared, and its grant under the policy.")
class AgencyPurpose:
    purpose: str
    name: str
    description: str
    grant: PurposeGrant | None = strawberry.field(
        description="Null: the active policy grants nothing for this purpose."
    )


@strawberry.type(description="A consuming agency and its purposes' grants.")
class AgencyGrants:
    agency: str
    name: str
    description: str
    purposes: list[AgencyPurpose]


def agency_grants_info(overview: AgencyOverview, version: int) -> AgencyGrants:
    """The GraphQL view of an agency's grants (the fields as `myGrants` shows them)."""
    return AgencyGrants(
        agency=overview.code,
        name=overview.name,
        description=overview.description,
        purposes=[
            AgencyPurpose(
                purpose=p.code,
                name=p.name,
                description=p.description,
                grant=purpose_grant(p.grant, version, p.person_limit) if p.grant else None,
            )
            for p in overview.purposes
        ],
    )


_DAYS = strawberry.argument(
    description=f"The window replayed: the last N days (1-{replay.MAX_DAYS})."
)


async def resolve_agency_policy_toml(
    info: strawberry.Info, agency: str, version: int | None = None
) -> AgencyPolicyToml:
    """The agency's part of a version (default: the active one) as TOML."""
    services = _ctx(info).services
    found = await policy_editing.agency_policy_toml(
        services.database, services.catalog, agency, version=version
    )
    return AgencyPolicyToml(agency=found.agency, version=found.version, toml=found.text)


async def resolve_check_agency_policy(
    info: strawberry.Info, agency: str, toml: str
) -> AgencyPolicyCheck:
    """An edited agency file read as a proposal on the active version; nothing stored."""
    services = _ctx(info).services
    checked = await policy_editing.check_agency_toml(
        services.database, services.catalog, agency, toml
    )
    document = checked.proposal.document
    return AgencyPolicyCheck(
        agency=agency,
        base_version=checked.base_version,
        valid=checked.proposal.valid,
        problems=[problem_info(p) for p in checked.proposal.problems],
        changes=list(checked.changes),
        document=JSON(document.as_json()) if document is not None else None,
    )


async def resolve_policy_diff_from_active(info: strawberry.Info, document: JSON) -> list[str]:
    """What a whole document changes from the active version, in plain words."""
    services = _ctx(info).services
    diff = await policy_editing.diff_against_active(
        services.database, services.catalog, parse_document(document)
    )
    return list(diff.changes)


async def resolve_replay_agency_policy(
    info: strawberry.Info, agency: str, toml: str, days: Annotated[int, _DAYS] = 7
) -> PolicyReplay:
    """The agency's recent requests replayed under its edited file."""
    services = _ctx(info).services
    report = await replay.replay_agency_toml(
        services.database, services.catalog, services.settings, agency, toml, days=days
    )
    return policy_replay(report)


async def resolve_replay_policy_version(
    info: strawberry.Info, agency: str, version: int, days: Annotated[int, _DAYS] = 7
) -> PolicyReplay:
    """The agency's recent requests replayed under a stored version."""
    services = _ctx(info).services
    report = await replay.replay_version(
        services.database, services.catalog, services.settings, agency, version, days=days
    )
    return policy_replay(report)


async def resolve_agency_grants(
    info: strawberry.Info, agency: str | None = None
) -> list[AgencyGrants]:
    """Every agency (or one) with each purpose's grant under the active version."""
    services = _ctx(info).services
    policy = await policy_editing.active_policy(services.database, services.catalog)
    found = await policy_editing.agency_grants(
        services.database, services.catalog, services.settings, agency
    )
    return [agency_grants_info(a, policy.version) for a in found]


async def resolve_propose_agency_policy(
    info: strawberry.Info,
    agency: str,
    toml: str,
    reason: str,
    base_version: Annotated[
        int,
        strawberry.argument(
            description="The version the file was drafted from: it must be the active one."
        ),
    ],
) -> int:
    """Propose the policy with the agency's part replaced by `toml`; returns the version."""
    ctx = _ctx(info)
    services = ctx.services
    return await policy_editing.propose_agency_toml(
        services.database,
        services.catalog,
        agency,
        toml,
        ctx.actor,
        reason,
        base_version=base_version,
    )


@strawberry.type
class OfficerQuery:
    """The officers' policy-editing reads."""

    agency_policy_toml: AgencyPolicyToml = strawberry.field(
        resolver=resolve_agency_policy_toml,
        permission_classes=[OfficersOnly],
        description="One agency's grants in a version (default: the active one) as TOML.",
    )
    check_agency_policy: AgencyPolicyCheck = strawberry.field(
        resolver=resolve_check_agency_policy,
        permission_classes=[OfficersOnly],
        description="Read an edited agency TOML file as a proposal on the active version: "
        "every problem with its place, or the changes it makes. Nothing is stored.",
    )
    policy_diff_from_active: list[str] = strawberry.field(
        resolver=resolve_policy_diff_from_active,
        permission_classes=[OfficersOnly],
        description="What a whole policy document changes from the active version.",
    )
    replay_agency_policy: PolicyReplay = strawberry.field(
        resolver=resolve_replay_agency_policy,
        permission_classes=[OfficersOnly],
        description="The agency's recorded requests of the last `days` decided under the "
        "active policy and under its edited TOML file (POLICY_INVALID if it has problems).",
    )
    replay_policy_version: PolicyReplay = strawberry.field(
        resolver=resolve_replay_policy_version,
        permission_classes=[OfficersOnly],
        description="The agency's recorded requests of the last `days` decided under the "
        "active policy and under a stored version.",
    )
    agency_grants: list[AgencyGrants] = strawberry.field(
        resolver=resolve_agency_grants,
        permission_classes=[OfficersOnly],
        description="Every agency (or one) with its purposes and what each is granted under "
        "the active version.",
    )


@strawberry.type
class OfficerMutation:
    """The officers' policy-editing changes."""

    propose_agency_policy: int = strawberry.mutation(
        resolver=resolve_propose_agency_policy,
        permission_classes=[OfficersOnly],
        description="Propose the active policy with one agency's part replaced by an edited "
        "TOML file, on `baseVersion`; POLICY_INVALID with every problem placed, and nothing "
        "stored, when it has problems. Activates only on another officer's approval.",
    )
