"""The officers' consent look-up: a person's consents under a case, and pausing, resuming, revoking.

The look-up is `hub.admin.consent_service.look_up_consents`, the body of
the `consents` field: the role check, the case reference and the `admin`
access-log entry committed before the page is sent (a 503 page with
nothing shown when it cannot be). Every view of the person's page is such
an entry, including the one after a change. Changes are
`change_consent_status` (the mutations' body): a reason is required, and
the consent's status decides which changes the page offers
(`policies.consent.possible_changes`, the service's own rule).

The registration number never appears in an address: the look-up form is
posted, and the person's page is addressed by the number and case sealed
under the session (`officer_common.sealed_address`).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.consent_service import ConsentRecord, change_consent_status, look_up_consents
from hub.console.errors import NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    done_message,
    officer_path,
    officers,
    opened_address,
    person_and_case,
    required,
    sealed_address,
    see_other,
    service_errors,
)
from hub.console.officer_policies import sentence
from hub.console.sessions import ActiveSession
from policies.consent import ConsentError, possible_changes

DONE = {
    "pause": "The consent is paused: nothing is released under it until it is resumed.",
    "resume": "The consent is active again, from the agency's next request.",
    "revoke": "The consent is revoked for good: the agency's next request under it is refused.",
}


def _unseal(session: ActiveSession, sealed: str) -> tuple[str, str]:
    opened = opened_address(session, sealed)
    rrn, case_ref = opened.get("rrn"), opened.get("case")
    if not isinstance(rrn, str) or not isinstance(case_ref, str):
        raise NotFound("This look-up is incomplete. Look the person up again.")
    return rrn, case_ref


@officers
async def look_up_page(page: PageRequest) -> Response:
    """The look-up form."""
    return page.render(
        "officer_consents.html", title="Consents", values={}, errors={}, home=OFFICER
    )


@officers
async def look_up(page: PageRequest) -> Response:
    """Check the number and the case, then on to the person's page (POST-redirect-GET)."""
    digits, case_ref, errors = person_and_case(page.form)
    if errors:
        return page.render(
            "officer_consents.html",
            status=400,
            title="Consents",
            values={"case_ref": case_ref},
            errors=errors,
            home=OFFICER,
        )
    return see_other(
        officer_path(
            "consents", "person", sealed_address(page.session, {"rrn": digits, "case": case_ref})
        )
    )


def _names(page: PageRequest, records: list[ConsentRecord]) -> dict[str, str]:
    """Each consent's agency and purpose as the catalog names them (codes if since removed)."""
    catalog = page.console.services.catalog
    names: dict[str, str] = {}
    for record in records:
        consent = record.consent
        agency = catalog.agency(consent.agency)
        purpose = agency.purpose(consent.purpose) if agency is not None else None
        names[consent.id] = (
            f"{agency.name if agency else consent.agency}: "
            f"{purpose.name if purpose else consent.purpose}"
        )
    return names


async def _person_page(
    page: PageRequest,
    *,
    error: str | None = None,
    error_consent: str | None = None,
    status: int = 200,
) -> Response:
    sealed = str(page.request.path_params["sealed"])
    rrn, case_ref = _unseal(page.session, sealed)
    ctx = page.console.admin_context(page.request, page.session, case_ref)
    with service_errors():
        records = await look_up_consents(ctx, rrn)
    return page.render(
        "officer_person_consents.html",
        status=status,
        title="A person's consents",
        records=records,
        names=_names(page, records),
        possible_changes=possible_changes,
        case_ref=case_ref,
        masked=f"{rrn[:6]}-{rrn[6]}******",
        sealed=sealed,
        error=error,
        error_consent=error_consent,
        done=done_message(page.request, DONE),
        home=OFFICER,
    )


@officers
async def person_page(page: PageRequest) -> Response:
    """The person's consents, oldest first, each with its history and the changes it allows."""
    return await _person_page(page)


@officers
async def change(page: PageRequest) -> Response:
    """Pause, resume or revoke one consent with a reason; refusals shown at the consent."""
    sealed = str(page.request.path_params["sealed"])
    _unseal(page.session, sealed)
    consent_id = required(page.form, "consent")
    action = required(page.form, "action")
    reason = required(page.form, "reason")
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            await change_consent_status(ctx, consent_id, action, reason)
    except ConsentError as exc:
        return await _person_page(
            page, error=sentence(str(exc)), error_consent=consent_id, status=400
        )
    return see_other(officer_path("consents", "person", sealed), action)


def consents_routes() -> list[Route]:
    """The look-up form, the person's page, and the changes."""
    return [
        Route("/officer/consents", look_up_page, methods=["GET"], name="officer-consents"),
        Route("/officer/consents", look_up, methods=["POST"], name="officer-consents-look-up"),
        Route(
            "/officer/consents/person/{sealed:str}",
            person_page,
            methods=["GET"],
            name="officer-person-consents",
        ),
        Route(
            "/officer/consents/person/{sealed:str}/change",
            change,
            methods=["POST"],
            name="officer-consent-change",
        ),
    ]
