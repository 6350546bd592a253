"""The simulation of one person as a plain service: the `simulate` field and the console call it.

What an agency would receive about a person under a purpose, from the
policy (active or any version) and the consent registry alone: no
connector is called, no one-time consent is spent. Whether a person has
consented is personal data, so the look is an `admin` access-log entry
with outcome `simulated`, committed before the answer (AuditLogUnavailable
otherwise), under the case the caller names.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hub.admin.auditing import required_case_ref
from hub.admin.context import AdminContext
from hub.admin.permissions import OfficersSimulating, require_permission
from hub.admin.person_log import SIMULATED, SIMULATION, record_person_read
from hub.admin.policy_service import compiled_policy
from hub.identity.rrn import parse_rrn
from hub.identity.subjects import person_id
from policies.simulate import Simulation, simulate

log = logging.getLogger("hub.admin")


async def simulate_person(
    ctx: AdminContext,
    agency: str,
    purpose: str,
    rrn: str,
    fields: Sequence[str] | None = None,
    version: int | None = None,
) -> Simulation:
    """The policy's and the consent registry's answer for the person; logged first.

    `fields` as `type.field` (None: everything the grant releases);
    `version` defaults to the active one. CaseRefRequired, InvalidRRN,
    VersionNotFound as the field answers them.
    """
    await require_permission(OfficersSimulating, ctx, {"rrn": rrn})
    case_ref = required_case_ref(ctx)
    services = ctx.services
    digits = parse_rrn(rrn).digits
    result = await simulate(
        services.database,
        services.keys,
        services.catalog,
        await compiled_policy(ctx, version),
        agency=agency,
        purpose=purpose,
        rrn=digits,
        fields=fields,
    )
    # Whether a person has consented is personal data: an entry says who
    # looked, and which of the person's consents the answer tells of.
    await record_person_read(
        ctx,
        SIMULATION,
        digits,
        case_ref=case_ref,
        outcome=SIMULATED,
        arguments={
            "agency": agency,
            "purpose": purpose,
            "fields": list(fields) if fields is not None else None,
            "version": version,
        },
        consent_ids=[t.consent_id for t in result.types if t.consent_id is not None],
        policy_version=result.policy_version,
    )
    subject = person_id(services.keys, digits)
    log.info("%s simulated %s/%s for subject %s", ctx.actor, agency, purpose, subject)
    return result
