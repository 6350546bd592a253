"""The person's own view of the log: who looked at my data, when, which, why, on what basis.

Served to the citizen-portal client role (`CitizenPortalOnly`), which has
authenticated the person and passes their registration number, as
Estonia's Data Tracker serves its X-Road usage reports through eesti.ee.

What the person sees, and what not:

- Agencies' accesses (kind `access`), and the hub's offices' reads about
  the person on the administrative endpoint (kind `admin`: a privacy
  officer's or consent desk's look-up of their consents, a simulation of
  what an agency would receive), named by the office and the read's
  purpose. Auditors' searches of the log are accountable to the auditors'
  own oversight, not to each person, and name no one (kind `audit`).
- Not the person's own fetches of this report: the portal fetches it for
  the person it authenticated, and showing every earlier fetch back would
  bury the reads by others (auditors see them).
- Entries made under a suppressed grant (an investigation purpose the
  policy flags as such) are left out until `suppressed_until` has passed;
  then they appear like any other. Auditors always see them.
- The agency or office, never the official's personal id (an officer's
  neither). The agency is accountable to the person and the official to
  the auditor, as in the Data Tracker,
  which names the institution that made a query and sends the person to
  that institution for details. The entry's `reference` (the hub's request
  id, which the agency received with its answer) lets the person, the
  agency and an auditor find the same request.
"""

from __future__ import annotations

import datetime as dt
import logging

import strawberry

from hub.admin.auditing import EntryQuery, all_entries, checked_case_ref, person_pseudonyms
from hub.admin.context import AdminContext
from hub.admin.offices import CITIZEN_PORTAL, OFFICE_NAMES
from hub.admin.permissions import CitizenPortalOnly, require_permission
from hub.admin.person_log import ACCESS_REPORT, READ, READ_TITLES, READS, record_person_read
from hub.audit.entries import EntryContent, EntryKind, content_of
from hub.catalog.model import Catalog
from hub.db.models import utcnow
from hub.identity.rrn import parse_rrn
from hub.identity.subjects import person_id

log = logging.getLogger("hub.admin")


@strawberry.type(description="A code of the catalog and its name in plain words.")
class CodeName:
    code: str
    name: str


@strawberry.type(description="An information type the agency received, and in which form.")
class AccessedInfoType:
    info_type: str
    title: str
    fields: list[str] = strawberry.field(description="The fields received.")
    forms: list[str] = strawberry.field(
        description="The form each field was received in, in the order of `fields`: full, "
        "or a minimised form (masked, coarsened, derived, pseudonym)."
    )


@strawberry.type(description="One agency's or office's use of the person's data in one request.")
class AccessReportEntry:
    when: dt.datetime
    reference: str = strawberry.field(
        description="The hub's request id: quote it when asking the agency about this use."
    )
    agency: CodeName
    purpose: CodeName
    info_types: list[AccessedInfoType] = strawberry.field(
        description="What the agency received about the person."
    )
    refused_info_types: list[str] = strawberry.field(
        description="Asked for but not given (not granted, no consent, or unavailable)."
    )
    legal_basis: str | None
    consent_ids: list[str] = strawberry.field(description="The person's consents it relied on.")
    outcome: str = strawberry.field(
        description="released, partial, refused, identified, or simulated (an officer "
        "checked what an agency would receive; nothing was released)."
    )


def _accessed(catalog: Catalog, name: str, fields: dict[str, str]) -> AccessedInfoType:
    if catalog.has_info_type(name):
        title = catalog.info_type(name).title
    else:
        # An office's read (the consent registry), or a type since removed.
        title = READ_TITLES.get(name, name)
    ordered = sorted(fields)
    return AccessedInfoType(
        info_type=name, title=title, fields=ordered, forms=[fields[f] for f in ordered]
    )


def report_entry(catalog: Catalog, entry: EntryContent) -> AccessReportEntry:
    """An access entry in the person's terms, names from the catalog (or of the hub's offices)."""
    agency = catalog.agency(entry.agency)
    if agency is not None:
        purpose = agency.purpose(entry.purpose)
        agency_name = agency.name
        purpose_name = purpose.name if purpose else entry.purpose
    else:
        # An office's read; an agency or purpose since removed from the
        # catalog still shows, by code.
        read = READS.get(entry.purpose)
        agency_name = OFFICE_NAMES.get(entry.agency, entry.agency)
        purpose_name = read.description if read else entry.purpose
    return AccessReportEntry(
        when=entry.occurred_at,
        reference=entry.request_id,
        agency=CodeName(code=entry.agency, name=agency_name),
        purpose=CodeName(code=entry.purpose, name=purpose_name),
        info_types=[_accessed(catalog, t, f) for t, f in sorted(entry.released.items())],
        refused_info_types=sorted(entry.refused),
        legal_basis=entry.legal_basis,
        consent_ids=list(entry.consent_ids),
        outcome=entry.outcome,
    )


def own_fetch(entry: EntryContent) -> bool:
    """Whether the entry records a fetch of the person's report by the portal."""
    return (
        entry.kind == EntryKind.ADMIN
        and entry.agency == CITIZEN_PORTAL
        and entry.purpose == ACCESS_REPORT.purpose
    )


async def access_report(ctx: AdminContext, rrn: str) -> list[AccessReportEntry]:
    """The person's access report, newest first, without entries still suppressed; logged first.

    The service behind both the `accessReport` field and the console's
    citizen page: the caller's role is checked here too (`CitizenPortalOnly`,
    a refusal logged as the field's is), the number parsed (InvalidRRN),
    and the read committed to the access log before anything is returned
    (AuditLogUnavailable otherwise).

    `Hub-Case-Ref` is optional here (the person asks about themselves; a
    portal may name its session or ticket), but checked when given.
    """
    await require_permission(CitizenPortalOnly, ctx, {"rrn": rrn})
    case_ref = checked_case_ref(ctx.case_ref) if ctx.case_ref else ""
    services = ctx.services
    digits = parse_rrn(rrn).digits
    async with services.database.session() as session:
        pseudonyms = await person_pseudonyms(session, services.keys, services.catalog, digits)
        query = EntryQuery(
            persons=pseudonyms,
            kinds=(EntryKind.ACCESS, EntryKind.ADMIN),
            visible_at=utcnow(),
        )
        rows = await all_entries(session, query)
    entries = [content_of(row) for row in rows]
    # The report is itself data about the person: who fetched it is logged
    # before it leaves.
    await record_person_read(
        ctx, ACCESS_REPORT, digits, case_ref=case_ref, outcome=READ, arguments={}
    )
    # Which persons' reports a portal fetched is itself worth knowing.
    log.info(
        "%s:%s fetched the access report of subject %s",
        ctx.principal.client_id or ctx.principal.role,
        ctx.principal.official,
        person_id(services.keys, digits),
    )
    return [report_entry(services.catalog, e) for e in entries if not own_fetch(e)]


async def resolve_access_report(info: strawberry.Info, rrn: str) -> list[AccessReportEntry]:
    """The `accessReport` field: `access_report` for the portal's context."""
    ctx = info.context
    assert isinstance(ctx, AdminContext)
    return await access_report(ctx, rrn)


@strawberry.type
class CitizenQuery:
    """What the citizen portal may look up."""

    access_report: list[AccessReportEntry] = strawberry.field(
        resolver=resolve_access_report,
        permission_classes=[CitizenPortalOnly],
        description="Who used the person's data, newest first: when, which agency (or office "
        "of the hub, such as the privacy office looking up their consents), for what "
        "purpose, which types in which form, on what legal basis or consent. Uses under a "
        "suppressed (investigation) grant appear once their suppression ends.",
    )
