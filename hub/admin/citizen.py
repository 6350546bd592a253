"""The person's own view of the log: who looked at my data, when, which, why, on what basis.

Served to the citizen-portal client role (`CitizenPortalOnly`), which has
authenticated the person and passes their registration number, as
Estonia's Data Tracker serves its X-Road usage reports through eesti.ee.

What the person sees, and what not:

- Only agencies' accesses (kind `access`); auditors' reads of the log are
  accountable to the auditors' own oversight, not to each person.
- Entries made under a suppressed grant (an investigation purpose the
  policy flags as such) are left out until `suppressed_until` has passed;
  then they appear like any other. Auditors always see them.
- The agency, never the official's personal id. The agency is accountable
  to the person and the official to the auditor, as in the Data Tracker,
  which names the institution that made a query and sends the person to
  that institution for details. The entry's `reference` (the hub's request
  id, which the agency received with its answer) lets the person, the
  agency and an auditor find the same request.
"""

from __future__ import annotations

import datetime as dt
import logging

import strawberry

from hub.admin.auditing import EntryQuery, all_entries, person_pseudonyms
from hub.admin.context import AdminContext
from hub.admin.permissions import CitizenPortalOnly
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


@strawberry.type(description="One agency's use of the person's data in one request.")
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
    outcome: str = strawberry.field(description="released, partial, refused or identified.")


def _accessed(catalog: Catalog, name: str, fields: dict[str, str]) -> AccessedInfoType:
    title = catalog.info_type(name).title if catalog.has_info_type(name) else name
    ordered = sorted(fields)
    return AccessedInfoType(
        info_type=name, title=title, fields=ordered, forms=[fields[f] for f in ordered]
    )


def report_entry(catalog: Catalog, entry: EntryContent) -> AccessReportEntry:
    """An access entry in the person's terms, names from the catalog."""
    agency = catalog.agency(entry.agency)
    # An agency or purpose since removed from the catalog still shows, by code.
    purpose = agency.purpose(entry.purpose) if agency is not None else None
    return AccessReportEntry(
        when=entry.occurred_at,
        reference=entry.request_id,
        agency=CodeName(code=entry.agency, name=agency.name if agency else entry.agency),
        purpose=CodeName(code=entry.purpose, name=purpose.name if purpose else entry.purpose),
        info_types=[_accessed(catalog, t, f) for t, f in sorted(entry.released.items())],
        refused_info_types=sorted(entry.refused),
        legal_basis=entry.legal_basis,
        consent_ids=list(entry.consent_ids),
        outcome=entry.outcome,
    )


async def resolve_access_report(info: strawberry.Info, rrn: str) -> list[AccessReportEntry]:
    """The person's access report, newest first, without entries still suppressed."""
    ctx = info.context
    assert isinstance(ctx, AdminContext)
    services = ctx.services
    digits = parse_rrn(rrn).digits
    async with services.database.session() as session:
        pseudonyms = await person_pseudonyms(session, services.keys, services.catalog, digits)
        query = EntryQuery(persons=pseudonyms, kind=EntryKind.ACCESS, visible_at=utcnow())
        rows = await all_entries(session, query)
    # Which persons' reports a portal fetched is itself worth knowing.
    log.info(
        "%s:%s fetched the access report of subject %s",
        ctx.principal.client_id or ctx.principal.role,
        ctx.principal.official,
        person_id(services.keys, digits),
    )
    return [report_entry(services.catalog, content_of(row)) for row in rows]


@strawberry.type
class CitizenQuery:
    """What the citizen portal may look up."""

    access_report: list[AccessReportEntry] = strawberry.field(
        resolver=resolve_access_report,
        permission_classes=[CitizenPortalOnly],
        description="Who used the person's data, newest first: when, which agency, for what "
        "purpose, which types in which form, on what legal basis or consent. Uses under a "
        "suppressed (investigation) grant appear once their suppression ends.",
    )
