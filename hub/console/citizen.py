"""The citizen's page: who used my data, when, which, why, on what basis.

It calls `hub.admin.citizen.access_report`, the service behind the admin
field `accessReport`: the same role check, the same entries (agencies'
accesses and the offices' reads, never an official's id, suppressed uses
hidden until their suppression ends, newest first) and the same `admin`
access-log entry for the read, committed before the page is sent.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.auditing import AuditLogUnavailable
from hub.admin.citizen import access_report
from hub.admin.errors import ForbiddenRole
from hub.auth.roles import Role
from hub.console.errors import Forbidden, Unavailable
from hub.console.guards import PageRequest, for_roles
from hub.console.navigation import CITIZEN

#: The outcome of a use, as the person reads it.
OUTCOMES = {
    "released": "Received",
    "partial": "Received in part",
    "refused": "Refused: nothing was given",
    "identified": "Only confirmed who you are",
    "simulated": "A check of what an agency would receive: nothing was given",
}
#: The form a field was received in, as the person reads it.
FORMS = {
    "full": "in full",
    "masked": "masked",
    "coarsened": "as a range",
    "year": "year only",
    "derived": "derived from it",
    "pseudonym": "as a pseudonym",
}


@for_roles(Role.CITIZEN_PORTAL)
async def report_page(page: PageRequest) -> Response:
    """The signed-in citizen's access report."""
    rrn = page.session.user.rrn
    if rrn is None:
        raise Forbidden("This session names no person.")
    ctx = page.console.admin_context(page.request, page.session)
    try:
        entries = await access_report(ctx, rrn)
    except AuditLogUnavailable:
        raise Unavailable(
            "Your report cannot be shown right now: the hub records every look at it first, "
            "and that record cannot be written at the moment. Try again in a few minutes."
        ) from None
    except ForbiddenRole as exc:
        raise Forbidden(exc.message) from None
    return page.render(
        "citizen_report.html",
        title="Who used my data",
        entries=entries,
        outcomes=OUTCOMES,
        forms=FORMS,
        home=CITIZEN,
    )


def citizen_routes() -> list[Route]:
    """The citizen's section."""
    return [Route("/citizen/", report_page, methods=["GET"], name="citizen-home")]
