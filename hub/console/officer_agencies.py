"""The officers' view of what every agency may receive: the compiled policy, in the catalog's words.

Read from `hub.admin.policy_service.compiled_policy` (the active version
from the database, or any version by number: `?version=`), so the page
shows exactly the grants the gate decides with: per agency and purpose the
legal basis, the person limit (the grant's, and the hub's ceiling that
`policies.decision.person_limit` applies), how fresh a source's record must
be, and per information type whether statute suffices or the person's
consent is needed, with each granted field and the form it is released in.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.admin.policy_service import compiled_policy
from hub.catalog.model import Agency, Catalog
from hub.console.errors import BadRequest, NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import officers, service_errors
from policies.compiled import CompiledGrant, CompiledPolicy
from policies.decision import Limits, person_limit


@dataclass(frozen=True)
class TypeView:
    """One information type of a grant, as the page lists it."""

    name: str
    title: str
    consent: bool
    #: (schema field, form, source field when the form derives from another).
    fields: tuple[tuple[str, str, str | None], ...]


@dataclass(frozen=True)
class GrantView:
    """One purpose's grant of an agency."""

    purpose: str
    purpose_name: str
    grant: CompiledGrant
    person_limit: int
    types: tuple[TypeView, ...]


def grant_view(
    catalog: Catalog, agency: Agency | None, grant: CompiledGrant, limits: Limits
) -> GrantView:
    """The grant with the catalog's names for its purpose and types."""
    purpose = agency.purpose(grant.purpose) if agency is not None else None
    types = []
    for name in sorted(grant.releases):
        title = catalog.info_type(name).title if catalog.has_info_type(name) else name
        fields = tuple(
            (r.schema_field, r.form, r.source_field if r.source_field != r.schema_field else None)
            for r in sorted(grant.releases[name].values(), key=lambda r: r.schema_field)
        )
        types.append(TypeView(name, title, name in grant.consent_types, fields))
    return GrantView(
        grant.purpose,
        purpose.name if purpose is not None else grant.purpose,
        grant,
        person_limit(grant, limits),
        tuple(types),
    )


def _version(request: Request) -> int | None:
    text = request.query_params.get("version")
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise BadRequest("The version must be a version number, such as 3.")
    return int(text)


async def _policy(page: PageRequest) -> CompiledPolicy:
    ctx = page.console.admin_context(page.request, page.session)
    with service_errors():
        return await compiled_policy(ctx, _version(page.request))


@officers
async def agencies_page(page: PageRequest) -> Response:
    """Every agency of the catalog and the purposes the policy grants it."""
    policy = await _policy(page)
    catalog = page.console.services.catalog
    rows = [(agency, [g for g in policy.grants_of(agency.code)]) for agency in catalog.agencies]
    return page.render(
        "officer_agencies.html",
        title="Agencies",
        policy=policy,
        requested_version=_version(page.request),
        rows=rows,
        home=OFFICER,
    )


@officers
async def agency_page(page: PageRequest) -> Response:
    """One agency: each purpose's grant in full."""
    code = str(page.request.path_params["code"])
    catalog = page.console.services.catalog
    agency = catalog.agency(code)
    if agency is None:
        raise NotFound("There is no agency with this code in the catalog.")
    policy = await _policy(page)
    limits = Limits(max_persons=page.console.services.settings.max_persons_per_request)
    grants = [grant_view(catalog, agency, g, limits) for g in policy.grants_of(agency.code)]
    granted = {g.purpose for g in grants}
    return page.render(
        "officer_agency.html",
        title=agency.name,
        agency=agency,
        policy=policy,
        requested_version=_version(page.request),
        grants=grants,
        undeclared=[p for p in agency.purposes if p.code not in granted],
        hub_limit=limits.max_persons,
        home=OFFICER,
    )


def agencies_routes() -> list[Route]:
    """The agencies overview and one agency's grants."""
    return [
        Route("/officer/agencies", agencies_page, methods=["GET"], name="officer-agencies"),
        Route("/officer/agencies/{code:str}", agency_page, methods=["GET"], name="officer-agency"),
    ]
