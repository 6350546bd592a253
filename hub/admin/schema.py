"""The administrative schema: policy versions, four-eyes activation, simulation, consents.

The auditors' fields (`hub.admin.audit_schema`), the citizen portal's
(`hub.admin.citizen`), the document review (`hub.admin.documents_schema`)
and switching clients off (`hub.admin.clients_schema`) are mounted here by
inheritance.

Each field declares the roles it serves with `permission_classes` (see
`hub.admin.permissions`); resolvers call the policy and consent services and
let their exceptions rise to `hub.admin.errors.DomainErrors`, which gives
them their codes. Every change is recorded under the caller's identity
(`AdminContext.actor`) and logged. The reads about a named person (a
consent look-up, a simulation) are access-log entries, committed before the
answer (`hub.admin.person_log`), under the case the caller names in
`Hub-Case-Ref`.
"""

from __future__ import annotations

import functools
import logging
from typing import Annotated

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from hub.admin.audit_schema import AuditorMutation, AuditorQuery
from hub.admin.audit_types import SCALAR_MAP
from hub.admin.citizen import CitizenQuery
from hub.admin.clients_schema import ClientsMutation, ClientsQuery
from hub.admin.consent_service import change_consent_status, look_up_consents
from hub.admin.context import AdminContext
from hub.admin.documents_schema import DocumentsMutation, DocumentsQuery
from hub.admin.errors import DomainErrors, log_admin_errors
from hub.admin.officer_schema import OfficerMutation, OfficerQuery
from hub.admin.permissions import (
    ConsentChannels,
    ConsentLookup,
    ConsentManagersOnly,
    OfficersOnly,
    OfficersSimulating,
)
from hub.admin.policy_service import (
    decide_policy_version,
    get_policy_version,
    list_policy_versions,
    policy_diff,
    propose_policy_version,
)
from hub.admin.simulation_service import simulate_person
from hub.admin.types import (
    ConsentInfo,
    ConsentInput,
    PolicyVersionInfo,
    SimulationResult,
    consent_info,
    simulation_result,
    version_info,
)
from hub.auth.outage import DatabaseOutages
from hub.db.models import utcnow
from hub.settings import OperationLimits
from policies.consent import ConsentRequest, consent_histories, record_consent
from policies.document import parse_document
from schema.limits import OperationLimitsExtension
from schema.masking import HubMaskErrors

log = logging.getLogger("hub.admin")


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


async def _change(info: strawberry.Info, consent_id: str, action: str, reason: str) -> ConsentInfo:
    changed = await change_consent_status(_ctx(info), consent_id, action, reason)
    return consent_info(changed.consent, changed.history)


async def resolve_policy_versions(info: strawberry.Info) -> list[PolicyVersionInfo]:
    """Every version's metadata, newest first."""
    return [version_info(v) for v in await list_policy_versions(_ctx(info))]


async def resolve_policy_version(info: strawberry.Info, version: int) -> PolicyVersionInfo:
    """One version; NOT_FOUND when it does not exist."""
    return version_info(await get_policy_version(_ctx(info), version))


async def resolve_policy_diff(
    info: strawberry.Info, from_version: int, to_version: int
) -> list[str]:
    """The changes from `from_version` to `to_version`, in plain terms."""
    return await policy_diff(_ctx(info), from_version, to_version)


async def resolve_simulate(
    info: strawberry.Info,
    agency: str,
    purpose: str,
    rrn: str,
    fields: list[str] | None = None,
    version: int | None = None,
) -> SimulationResult:
    """The policy's and the consent registry's answer, without any data; logged first."""
    result = await simulate_person(_ctx(info), agency, purpose, rrn, fields, version)
    return simulation_result(result)


async def resolve_consents(info: strawberry.Info, rrn: str) -> list[ConsentInfo]:
    """Every consent the person gave, to any agency, oldest first; logged first."""
    return [consent_info(r.consent, r.history) for r in await look_up_consents(_ctx(info), rrn)]


@strawberry.type
class Query(AuditorQuery, CitizenQuery, DocumentsQuery, ClientsQuery, OfficerQuery):
    """What privacy officers, consent channels, auditors and the citizen portal may look up."""

    policy_versions: list[PolicyVersionInfo] = strawberry.field(
        resolver=resolve_policy_versions,
        permission_classes=[OfficersOnly],
        description="Every policy version, newest first.",
    )
    policy_version: PolicyVersionInfo = strawberry.field(
        resolver=resolve_policy_version,
        permission_classes=[OfficersOnly],
        description="One version, with its document.",
    )
    policy_diff: list[str] = strawberry.field(
        resolver=resolve_policy_diff,
        permission_classes=[OfficersOnly],
        description="What changes from one version to another, one plain sentence each.",
    )
    simulate: SimulationResult = strawberry.field(
        resolver=resolve_simulate,
        permission_classes=[OfficersSimulating],
        description="What an agency would receive for a person under a purpose, without "
        "calling any source or releasing any value. `fields` as `type.field`; "
        "`version` defaults to the active one. Needs `Hub-Case-Ref`; logged for the person.",
    )
    consents: list[ConsentInfo] = strawberry.field(
        resolver=resolve_consents,
        permission_classes=[ConsentLookup],
        description="A person's consents, oldest first, with effective status and history. "
        "Needs `Hub-Case-Ref`; logged for the person, who sees it in their access report.",
    )


async def resolve_propose(
    info: strawberry.Info,
    document: JSON,
    reason: str,
    base_version: Annotated[
        int,
        strawberry.argument(
            description="The version the document was drafted from: it must be the active "
            "one (POLICY_BASE_STALE otherwise), and must still be when it is approved."
        ),
    ],
) -> int:
    """Validate against the catalog and record as proposed; returns the version number."""
    return await propose_policy_version(_ctx(info), parse_document(document), reason, base_version)


async def resolve_approve(info: strawberry.Info, version: int) -> PolicyVersionInfo:
    """Activate a version another officer proposed; this process enforces it at once."""
    return version_info(await decide_policy_version(_ctx(info), version, approve=True))


async def resolve_reject(info: strawberry.Info, version: int) -> PolicyVersionInfo:
    """Reject a version another officer proposed; it can never activate."""
    return version_info(await decide_policy_version(_ctx(info), version, approve=False))


async def resolve_record_consent(info: strawberry.Info, input: ConsentInput) -> ConsentInfo:
    """Record an ACTIVE consent; effective from the next request."""
    ctx = _ctx(info)
    services = ctx.services
    request = ConsentRequest(
        rrn=input.rrn,
        agency=input.agency,
        purpose=input.purpose,
        info_types=input.info_types,
        valid_from=input.valid_from or utcnow(),
        valid_until=input.valid_until,
        usage=input.usage,
        channel=input.channel,
        evidence=input.evidence,
    )
    recorded = await record_consent(
        services.database, services.keys, services.catalog, request, ctx.actor
    )
    log.info(
        "%s recorded consent %s for %s/%s", ctx.actor, recorded.id, input.agency, input.purpose
    )
    events = await consent_histories(services.database, [recorded.id])
    return consent_info(recorded, events[recorded.id])


async def resolve_pause(info: strawberry.Info, id: strawberry.ID, reason: str) -> ConsentInfo:
    """ACTIVE to PAUSED: nothing is released under it until resumed."""
    return await _change(info, id, "pause", reason)


async def resolve_resume(info: strawberry.Info, id: strawberry.ID, reason: str) -> ConsentInfo:
    """PAUSED to ACTIVE."""
    return await _change(info, id, "resume", reason)


async def resolve_revoke(info: strawberry.Info, id: strawberry.ID, reason: str) -> ConsentInfo:
    """ACTIVE or PAUSED to REVOKED, for good."""
    return await _change(info, id, "revoke", reason)


@strawberry.type
class Mutation(AuditorMutation, DocumentsMutation, ClientsMutation, OfficerMutation):
    """Changes, each recorded under the caller's identity."""

    propose_policy_version: int = strawberry.mutation(
        resolver=resolve_propose,
        permission_classes=[OfficersOnly],
        description="Propose a new version (the whole document) drafted from `baseVersion`, "
        "the active version; returns its number. It activates only when another officer "
        "approves it, and only while `baseVersion` is still the active version.",
    )
    approve_policy_version: PolicyVersionInfo = strawberry.mutation(
        resolver=resolve_approve,
        permission_classes=[OfficersOnly],
        description="Approve and activate a version another officer proposed; refused with "
        "POLICY_BASE_STALE (nothing changes) when its base is no longer the active version.",
    )
    reject_policy_version: PolicyVersionInfo = strawberry.mutation(
        resolver=resolve_reject,
        permission_classes=[OfficersOnly],
        description="Reject a version another officer proposed.",
    )
    record_consent: ConsentInfo = strawberry.mutation(
        resolver=resolve_record_consent,
        permission_classes=[ConsentManagersOnly],
        description="Record a consent the channel received from the person.",
    )
    pause_consent: ConsentInfo = strawberry.mutation(
        resolver=resolve_pause,
        permission_classes=[ConsentChannels],
        description="Pause an active consent.",
    )
    resume_consent: ConsentInfo = strawberry.mutation(
        resolver=resolve_resume,
        permission_classes=[ConsentChannels],
        description="Resume a paused consent.",
    )
    revoke_consent: ConsentInfo = strawberry.mutation(
        resolver=resolve_revoke,
        permission_classes=[ConsentChannels],
        description="Revoke a consent for good.",
    )


class AdminSchema(strawberry.Schema):
    """The administrative schema; its expected errors are logged quietly too."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Domain errors as one line with their code, unexpected ones with their traceback."""
        log_admin_errors(errors, execution_context)


class AdminRequestLimits(OperationLimitsExtension):
    """The agencies' bounds on an operation's shape, with this endpoint's values.

    Every caller here holds a valid token, and one of them held the loop for
    6.6 s with 900 kB of conflicting fields before these applied.
    """

    def limits(self) -> OperationLimits | None:
        """HUB_ADMIN_LIMITS, whoever calls."""
        ctx = self.execution_context.context
        return ctx.services.settings.admin_limits if isinstance(ctx, AdminContext) else None


@functools.lru_cache(maxsize=2)
def build_admin_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The administrative schema, built once per introspection setting."""
    # Rules are built once, so ValidationCache keeps hitting.
    rules: list[type[ASTValidationRule]] = (
        [] if introspection else [NoSchemaIntrospectionCustomRule]
    )
    return AdminSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            # First, so that its post-operation hook runs last, after DomainErrors.
            HubMaskErrors,
            AdminRequestLimits,
            lambda: ParserCache(maxsize=64),
            lambda: ValidationCache(maxsize=64),
            lambda: AddValidationRules(rules),
            DomainErrors,
            # Last, so that it sees the resolvers' errors before DomainErrors masks them.
            DatabaseOutages,
        ],
    )
