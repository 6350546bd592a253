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
under the session's cookie token (`sessions.seal`), so the address is
useless in another session, in the browser's history or in a log.
"""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.auditing import checked_case_ref
from hub.admin.consent_service import change_consent_status, look_up_consents
from hub.admin.errors import CaseRefRequired
from hub.console.errors import NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    done_message,
    officer_path,
    officers,
    required,
    see_other,
    service_errors,
)
from hub.console.officer_policies import sentence
from hub.console.sessions import ActiveSession, seal, unseal
from hub.identity.rrn import InvalidRRN, parse_rrn
from policies.consent import ConsentError, possible_changes

DONE = {
    "pause": "The consent is paused: nothing is released under it until it is resumed.",
    "resume": "The consent is active again, from the agency's next request.",
    "revoke": "The consent is revoked for good: the agency's next request under it is refused.",
}


def _seal(session: ActiveSession, rrn: str, case_ref: str) -> str:
    sealed = seal(session.token, json.dumps({"rrn": rrn, "case": case_ref}))
    # Without base64's padding: the address stays within what `targets` accepts.
    return sealed.rstrip("=")


def _unseal(session: ActiveSession, sealed: str) -> tuple[str, str]:
    try:
        opened = json.loads(unseal(session.token, sealed + "=" * (-len(sealed) % 4)))
        return str(opened["rrn"]), str(opened["case"])
    except (ValueError, KeyError, TypeError):
        raise NotFound(
            "This look-up belongs to another session, or the address is incomplete. "
            "Look the person up again."
        ) from None


@officers
async def look_up_page(page: PageRequest) -> Response:
    """The look-up form."""
    return page.render(
        "officer_consents.html", title="Consents", values={}, errors={}, home=OFFICER
    )


@officers
async def look_up(page: PageRequest) -> Response:
    """Check the number and the case, then on to the person's page (POST-redirect-GET)."""
    rrn = required(page.form, "rrn").strip()
    case_ref = required(page.form, "case_ref").strip()
    errors: dict[str, str] = {}
    try:
        digits = parse_rrn(rrn).digits
    except InvalidRRN as exc:
        errors["rrn"] = f"This is not a registration number the hub accepts: {exc.reason}."
    try:
        checked_case_ref(case_ref)
    except CaseRefRequired:
        errors["case_ref"] = (
            "Name the case that makes you look this person up: 1 to 128 letters, digits or "
            "._:/- starting with a letter or digit, such as CASE-2026-0451."
        )
    if errors:
        return page.render(
            "officer_consents.html",
            status=400,
            title="Consents",
            values={"case_ref": case_ref},
            errors=errors,
            home=OFFICER,
        )
    return see_other(officer_path("consents", "person", _seal(page.session, digits, case_ref)))


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
