"""Consent look-up and changes as plain services: the fields of /admin/graphql and the console.

`look_up_consents` is the `consents` field's body: the role check
(`ConsentLookup`, a refusal logged for the person as the field's is), the
case reference, and the `admin` access-log entry committed before anything
is returned. `change_consent_status` is `pauseConsent`, `resumeConsent`
and `revokeConsent`: a reason is required and stays in the consent's
history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hub.admin.auditing import required_case_ref
from hub.admin.context import AdminContext
from hub.admin.permissions import ConsentChannels, ConsentLookup, require_permission
from hub.admin.person_log import CONSENT_LOOKUP, READ, record_person_read
from hub.db.models import ConsentEvent
from hub.identity.rrn import parse_rrn
from hub.identity.subjects import person_id
from policies.consent import (
    ConsentError,
    ConsentView,
    change_consent,
    consent_histories,
    consents_of,
)

log = logging.getLogger("hub.admin")

#: The changes a consent channel may make, as the mutations name them.
ACTIONS = ("pause", "resume", "revoke")


@dataclass(frozen=True)
class ConsentRecord:
    """A consent and its history, oldest event first."""

    consent: ConsentView
    history: list[ConsentEvent]


async def look_up_consents(ctx: AdminContext, rrn: str) -> list[ConsentRecord]:
    """Every consent the person gave, to any agency, oldest first; logged first.

    CaseRefRequired without a well-formed `ctx.case_ref`, InvalidRRN for a
    malformed number, AuditLogUnavailable when the read cannot be logged.
    """
    await require_permission(ConsentLookup, ctx, {"rrn": rrn})
    case_ref = required_case_ref(ctx)
    database, keys = ctx.services.database, ctx.services.keys
    digits = parse_rrn(rrn).digits
    subject = person_id(keys, digits)
    found = (await consents_of(database, [subject]))[subject]
    events = await consent_histories(database, [c.id for c in found])
    await record_person_read(
        ctx,
        CONSENT_LOOKUP,
        digits,
        case_ref=case_ref,
        outcome=READ,
        arguments={},
        consent_ids=[c.id for c in found],
    )
    log.info("%s looked up the consents of subject %s", ctx.actor, subject)
    return [ConsentRecord(c, events[c.id]) for c in found]


async def change_consent_status(
    ctx: AdminContext, consent_id: str, action: str, reason: str
) -> ConsentRecord:
    """Pause, resume or revoke a consent with a reason; effective from the next request.

    ConsentError for a missing reason, an unknown action or a change the
    consent's status does not allow; ConsentNotFound for an unknown id.
    """
    await require_permission(ConsentChannels, ctx, {})
    if action not in ACTIONS:
        raise ConsentError(f"unknown action {action!r}")
    if not reason.strip():
        raise ConsentError(f"say why you {action} the consent")
    database = ctx.services.database
    changed = await change_consent(database, consent_id, action, ctx.actor, reason)
    # The reason stays in the consent's history: it may name the person.
    log.info("%s: %s consent %s", ctx.actor, action, consent_id)
    events = await consent_histories(database, [changed.id])
    return ConsentRecord(changed, events[changed.id])
