"""The officers' simulation of one person: what an agency would receive under a purpose.

`hub.admin.simulation_service.simulate_person`, the body of the `simulate`
field, answers from the policy and the consent registry alone (no source
is called, nothing is released) and logs the look for the person first.
As on the consents page, the number is posted, checked, and sealed into
the result's address under the session (`officer_common.sealed_address`).
"""

from __future__ import annotations

import re

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.simulation_service import simulate_person
from hub.console.errors import NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    officer_path,
    officers,
    opened_address,
    person_and_case,
    required,
    sealed_address,
    see_other,
    service_errors,
)
from hub.identity.rrn import InvalidRRN

_FIELD_SEPARATORS = re.compile(r"[\s,]+")
_VERSION = re.compile(r"\A[0-9]{1,9}\Z")


def _form_page(
    page: PageRequest, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page.render(
        "officer_simulate.html",
        status=status,
        title="Simulate",
        agencies=page.console.services.catalog.agencies,
        values=values,
        errors=errors,
        home=OFFICER,
    )


@officers
async def simulate_form(page: PageRequest) -> Response:
    """The simulation's form."""
    return _form_page(page, {}, {})


@officers
async def simulate_post(page: PageRequest) -> Response:
    """Check the form, then on to the result (POST-redirect-GET)."""
    digits, case_ref, errors = person_and_case(page.form)
    target = required(page.form, "target")
    agency_code, _, purpose = target.partition("/")
    agency = page.console.services.catalog.agency(agency_code)
    if agency is None or agency.purpose(purpose) is None:
        errors["target"] = "Choose one of the agencies' declared purposes."
    fields = [f for f in _FIELD_SEPARATORS.split(required(page.form, "fields")) if f]
    version_text = required(page.form, "version").strip()
    if version_text and not _VERSION.match(version_text):
        errors["version"] = "A version is a number, such as 3; leave it empty for the active one."
    values = {"target": target, "case_ref": case_ref, "fields": " ".join(fields)}
    if errors:
        return _form_page(page, {**values, "version": version_text}, errors, status=400)
    sealed = sealed_address(
        page.session,
        {
            "rrn": digits,
            "case": case_ref,
            "agency": agency_code,
            "purpose": purpose,
            "fields": fields or None,
            "version": int(version_text) if version_text else None,
        },
    )
    return see_other(officer_path("simulate", "result", sealed))


@officers
async def simulate_result(page: PageRequest) -> Response:
    """The simulation's answer; the look at the person's consents is logged first."""
    opened = opened_address(page.session, str(page.request.path_params["sealed"]))
    try:
        rrn, case_ref = str(opened["rrn"]), str(opened["case"])
        agency, purpose = str(opened["agency"]), str(opened["purpose"])
        fields, version = opened["fields"], opened["version"]
    except KeyError:
        raise NotFound("This simulation is incomplete. Start it again.") from None
    ctx = page.console.admin_context(page.request, page.session, case_ref)
    try:
        with service_errors():
            result = await simulate_person(ctx, agency, purpose, rrn, fields, version)
    except InvalidRRN:
        raise NotFound("This simulation is incomplete. Start it again.") from None
    catalog = page.console.services.catalog
    found = catalog.agency(agency)
    declared = found.purpose(purpose) if found is not None else None
    return page.render(
        "officer_simulation.html",
        title="Simulation",
        result=result,
        agency_name=found.name if found is not None else agency,
        purpose_name=declared.name if declared is not None else purpose,
        titles={t.info_type: catalog.info_type(t.info_type).title for t in result.types},
        case_ref=case_ref,
        masked=f"{rrn[:6]}-{rrn[6]}******",
        home=OFFICER,
    )


def simulate_routes() -> list[Route]:
    """The simulation's form and its result."""
    return [
        Route("/officer/simulate", simulate_form, methods=["GET"], name="officer-simulate"),
        Route("/officer/simulate", simulate_post, methods=["POST"], name="officer-simulate-post"),
        Route(
            "/officer/simulate/result/{sealed:str}",
            simulate_result,
            methods=["GET"],
            name="officer-simulation",
        ),
    ]
