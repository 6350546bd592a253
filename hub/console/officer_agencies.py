"""The officers' view of what every agency may receive: the compiled policy, in the catalog's words.

`policies.overview.agencies_overview` (the agencies page's service, which
the `agencyGrants` field serves too) over the compiled policy from
`hub.admin.policy_service.compiled_policy`: the active version from the
database, or any version by number (`?version=`). So the page shows exactly
the grants the gate decides with: per agency and purpose the legal basis,
the person limit as the gate applies it, freshness, and per information
type whether statute suffices or the person's consent is needed, with each
granted field and the form it is released in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.admin.policy_service import compiled_policy
from hub.catalog.model import Catalog
from hub.console.errors import BadRequest, NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import officers, service_errors
from policies.compiled import CompiledPolicy
from policies.decision import Limits
from policies.overview import AgencyOverview, agencies_overview


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


def _overview(
    page: PageRequest, policy: CompiledPolicy, agency: str | None
) -> list[AgencyOverview]:
    limits = Limits(max_persons=page.console.services.settings.max_persons_per_request)
    return agencies_overview(page.console.services.catalog, policy, limits, agency)


def _titles(catalog: Catalog) -> dict[str, str]:
    return {t.name: t.title for t in catalog.info_types}


@officers
async def agencies_page(page: PageRequest) -> Response:
    """Every agency of the catalog and the purposes the policy grants it."""
    policy = await _policy(page)
    return page.render(
        "officer_agencies.html",
        title="Agencies",
        policy=policy,
        requested_version=_version(page.request),
        agencies=_overview(page, policy, None),
        home=OFFICER,
    )


@officers
async def agency_page(page: PageRequest) -> Response:
    """One agency: each purpose's grant in full."""
    code = str(page.request.path_params["code"])
    if page.console.services.catalog.agency(code) is None:
        raise NotFound("There is no agency with this code in the catalog.")
    policy = await _policy(page)
    [agency] = _overview(page, policy, code)
    return page.render(
        "officer_agency.html",
        title=agency.name,
        agency=agency,
        policy=policy,
        requested_version=_version(page.request),
        granted=[p for p in agency.purposes if p.grant is not None],
        undeclared=[p for p in agency.purposes if p.grant is None],
        titles=_titles(page.console.services.catalog),
        hub_limit=page.console.services.settings.max_persons_per_request,
        home=OFFICER,
    )


def agencies_routes() -> list[Route]:
    """The agencies overview and one agency's grants."""
    return [
        Route("/officer/agencies", agencies_page, methods=["GET"], name="officer-agencies"),
        Route("/officer/agencies/{code:str}", agency_page, methods=["GET"], name="officer-agency"),
    ]
