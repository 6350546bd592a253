"""Access-log entries for the administrative endpoint's reads about a named person.

Issue 9: every access to, or refusal about, a named person is an entry, on
either endpoint. On this one three fields name a person: a consent look-up
(`consents`), a simulation (`simulate`) and the person's access report
(`accessReport`). Each writes one entry of kind `admin` for the person and
commits it before the answer leaves; when it cannot be committed the field
is not answered (AUDIT_UNAVAILABLE), as with the auditors' reads
(`hub.admin.auditing.record_read`) and the agencies' requests
(`hub.audit.access_log.commit_access`).

What such an entry holds:

- `agency`: the office the caller's role belongs to (`hub.admin.offices`),
  `official`: the caller as changes are recorded (`AdminContext.actor`:
  an officer's official id, a channel's `client_id:official`);
- `person`: the person's pseudonym under that office, never the number.
  Unlike an auditor's search, which must not become an index of who was
  looked into, a look-up of one person's consents is an access to that
  person's data, which the person may learn of: under a pseudonym the
  person's access report finds it, and a stranger reading the log does not;
- `purpose`: which read it was (`READS`), `case_ref`: the case the caller
  named in `Hub-Case-Ref`;
- `outcome`, `released`, `refused`: what was read (`released`, with the
  registry read under `released`), that nothing was (`simulated`), or that
  it was refused (`refused`, with the reason under `refused`);
- `consent_ids`: the person's consents the answer showed or relied on;
- `query_hash`: a hash of the operation and its arguments, the number
  replaced by the person's keyed subject id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.admin.auditing import AuditLogUnavailable, arguments_hash
from hub.admin.context import AdminContext
from hub.admin.offices import office_of
from hub.audit.entries import EntryContent, EntryKind
from hub.audit.writer import AuditUnavailable
from hub.db.models import Pseudonym, Subject, utcnow
from hub.identity.pseudonyms import agency_person_id
from hub.identity.rrn import InvalidRRN, parse_rrn
from hub.identity.subjects import person_id, subject_rows
from schema.gate import CASE_REF

log = logging.getLogger("hub.admin")

#: The caller was shown what was read.
READ = "released"
#: A simulation: the caller learnt what an agency would receive; nothing was released.
SIMULATED = "simulated"
#: The caller may not make this read; nothing was read.
REFUSED = "refused"
#: The reason of a refused read, as the endpoint answers it.
FORBIDDEN_ROLE = "FORBIDDEN_ROLE"


@dataclass(frozen=True)
class PersonRead:
    """One administrative field that reads about a named person."""

    #: The field, as named in the query hash.
    operation: str
    #: The entry's `purpose`.
    purpose: str
    #: What the field reads: the key under `released` (or `refused`).
    reads: str
    #: What of it the caller is shown: the field under `released`.
    shown: str
    #: The purpose as the person reads it in their access report.
    description: str


CONSENT_LOOKUP = PersonRead(
    "consents",
    "privacy_consent_lookup",
    "consentRegistry",
    "consents",
    "Looked up your consents",
)
# A simulation consults the consent registry but shows only whether a
# consent would permit a type, and releases nothing: its entries' outcome
# is `simulated` and `released` stays empty.
SIMULATION = PersonRead(
    "simulate",
    "privacy_simulation",
    "consentRegistry",
    "consents",
    "Checked what an agency would receive about you; nothing was released",
)
ACCESS_REPORT = PersonRead(
    "access_report",
    "citizen_access_report",
    "accessLog",
    "entries",
    "Your access report",
)
READS = {read.purpose: read for read in (CONSENT_LOOKUP, SIMULATION, ACCESS_REPORT)}

#: What was read, as the person reads it in their access report.
READ_TITLES = {"consentRegistry": "Your consents", "accessLog": "Who used your data"}


async def record_person_read(
    ctx: AdminContext,
    read: PersonRead,
    rrn: str,
    *,
    case_ref: str,
    outcome: str,
    arguments: Mapping[str, Any],
    consent_ids: Sequence[str] = (),
    policy_version: int | None = None,
    refusal: str | None = None,
) -> None:
    """Durably log `read` about the person (`rrn`, normalised); AUDIT_UNAVAILABLE if that fails.

    `arguments` are the field's other arguments, hashed into `query_hash`
    with the person's subject id (never the number).
    """
    keys = ctx.services.keys
    office = office_of(ctx.principal.role)
    pseudonym = agency_person_id(keys, office, rrn)
    subject = person_id(keys, rrn)
    entry = EntryContent(
        kind=EntryKind.ADMIN,
        occurred_at=utcnow(),
        request_id=ctx.request_id,
        agency=office,
        official=ctx.actor,
        purpose=read.purpose,
        case_ref=case_ref,
        person=pseudonym,
        outcome=outcome,
        released={read.reads: {read.shown: "full"}} if outcome == READ else {},
        refused={read.reads: refusal} if refusal is not None else {},
        policy_version=policy_version,
        consent_ids=sorted(set(consent_ids)),
        client_addr=ctx.client_addr,
        query_hash=arguments_hash(read.operation, {**arguments, "subject": subject}),
    )
    # The subject and pseudonym rows, as for an agency's entry (subjects
    # first: the pseudonym refers to it): the pseudonym resolves back to
    # the person through them.
    side_rows: list[tuple[type[Any], list[dict[str, Any]]]] = [
        (Subject, subject_rows(keys, [rrn])),
        (Pseudonym, [{"agency": office, "pseudonym": pseudonym, "subject_id": subject}]),
    ]
    try:
        await ctx.services.audit.append([entry], side_rows)
    except AuditUnavailable as exc:
        log.error("%s's %s withheld: %s", ctx.actor, read.operation, exc)
        raise AuditLogUnavailable(
            "the access log cannot be written, so this read is not answered"
        ) from exc


def well_formed_case_ref(ctx: AdminContext) -> str:
    """The caller's `Hub-Case-Ref` if well-formed, else empty.

    For entries that record a refusal: the refusal stands whatever the
    header says, and a malformed header is not copied into the log.
    """
    case_ref = ctx.case_ref
    return case_ref if case_ref and CASE_REF.match(case_ref) else ""


async def record_refusal(ctx: AdminContext, read: PersonRead, arguments: Mapping[str, Any]) -> None:
    """Log that the caller's role may not make `read`; nothing when `rrn` names nobody.

    A malformed number names no one, so there is no one to log the refusal
    for; a well-formed one names a person someone tried to look into, which
    that person and the auditors may want to know.
    """
    rrn = arguments.get("rrn")
    if not isinstance(rrn, str):
        return
    try:
        digits = parse_rrn(rrn).digits
    except InvalidRRN:
        return
    await record_person_read(
        ctx,
        read,
        digits,
        case_ref=well_formed_case_ref(ctx),
        outcome=REFUSED,
        arguments={k: v for k, v in arguments.items() if k != "rrn"},
        refusal=FORBIDDEN_ROLE,
    )
