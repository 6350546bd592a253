"""What the auditors' pages share: reading their forms, calling the services, showing refusals.

Every page calls the services of `hub.admin.audit_reads`, the ones behind
/admin/graphql's auditor fields, with an `AdminContext` whose case
reference is the inquiry the auditor names in the form: the role check,
the checks of each argument, the query and the `audit` entry logging the
read are the API's own. A refusal of the input comes back as the form
with a message next to the field (400); a read that cannot be logged is a
503 page with nothing shown, as the API answers AUDIT_UNAVAILABLE.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlencode

from hub.admin.auditing import AuditLogUnavailable
from hub.admin.context import AdminContext
from hub.admin.errors import ForbiddenRole
from hub.admin.offices import OFFICE_NAMES
from hub.catalog.model import Catalog
from hub.console.audit_input import INQUIRY, FormProblems, FormValues, service_problem
from hub.console.errors import Forbidden, Unavailable
from hub.console.guards import PageRequest
from hub.console.navigation import AUDITOR

T = TypeVar("T")

#: The outcomes an entry may have, as the auditor reads them.
OUTCOMES = {
    "released": "Released",
    "partial": "Partly released",
    "refused": "Refused",
    "identified": "Identified only",
    "simulated": "Simulated (nothing released)",
    "searched": "An auditor's read",
}
KINDS = {
    "access": "An agency's request",
    "admin": "An office's read about a person",
    "audit": "An auditor's read of the log",
}
#: Why a type was refused, in plain words (codes as in README's error table).
REFUSALS = {
    "POLICY_REFUSED": "not granted to this agency for this purpose",
    "CONSENT_REQUIRED": "needs the person's consent, and there was none valid",
    "SOURCE_UNAVAILABLE": "the source did not answer in time, or failed",
    "SOURCE_INVALID_DATA": "the source sent data the hub could not accept",
    "SOURCE_STALE": "the source's record was older than the grant allows",
    "TOO_MANY_PERSONS": "the request named more persons than allowed",
    "FORBIDDEN_ROLE": "the caller's role may not read this",
    "PERSON_NOT_FOUND": "no source knows the person",
}


def query_values(page: PageRequest) -> FormValues:
    """The page's query string as form values (a field given twice is a problem)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    raw: dict[str, str] = {}
    for name, value in page.request.query_params.multi_items():
        if name in seen:
            repeated.add(name)
        seen.add(name)
        raw[name] = value
    values = FormValues(raw)
    for name in sorted(repeated):
        values.problems[name] = "Sent more than once; give one value."
    return values


def audit_context(page: PageRequest, inquiry: str | None) -> AdminContext:
    """The admin services' context for this page, recorded under the auditor's inquiry."""
    return page.console.admin_context(page.request, page.session, case_ref=inquiry)


async def served(call: Awaitable[T]) -> T:
    """The service's answer; its refusals as the console's (form problems, 403, 503)."""
    try:
        return await call
    except AuditLogUnavailable:
        raise Unavailable(
            "This read cannot be answered right now: the hub records every read of the log "
            "first, and that record cannot be written at the moment. Nothing was shown. Try "
            "again in a few minutes."
        ) from None
    except ForbiddenRole as exc:
        raise Forbidden(exc.message) from None
    except Exception as exc:
        problem = service_problem(exc)
        if problem is None:
            raise
        raise FormProblems(problem) from None


def link(path: str, **params: Any) -> str:
    """`path` with the non-empty `params` as its query string."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def agency_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """(code, name) of every catalog agency, then the hub's offices."""
    agencies = sorted((a.code, a.name) for a in catalog.agencies)
    return agencies + sorted(OFFICE_NAMES.items())


def purpose_choices(catalog: Catalog) -> list[str]:
    """Every purpose code the catalog declares (suggestions: removed ones still match)."""
    return sorted({p.code for a in catalog.agencies for p in a.purposes})


def agency_name(catalog: Catalog, code: str) -> str:
    """The agency's or office's name, or its code when neither knows it."""
    agency = catalog.agency(code)
    if agency is not None:
        return agency.name
    return OFFICE_NAMES.get(code, code)


def common(page: PageRequest, values: FormValues, **context: Any) -> dict[str, Any]:
    """What every auditor page's template gets."""
    return {
        "home": AUDITOR,
        "values": values.raw,
        "problems": values.problems,
        "inquiry": values.raw.get(INQUIRY, "").strip(),
        "outcomes": OUTCOMES,
        "kinds": KINDS,
        "refusals": REFUSALS,
        **context,
    }
