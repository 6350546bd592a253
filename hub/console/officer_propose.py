"""The officers' proposal editor: an agency's TOML, checked in place, simulated, submitted.

Built on the editing and replay services (`hub.admin.policy_editing`,
`hub.admin.replay`), which the /admin/graphql fields `agencyPolicyToml`,
`checkAgencyPolicy`, `replayAgencyPolicy` and `proposeAgencyPolicy` call
too; the console applies those fields' permission (`OfficersOnly`) with
`require_permission` first. Nothing here reads TOML, checks a grant or
decides a request: the file is read back by `policies.agency_toml` (every
problem placed by line and column or path), compared with the active
version by `policies.diff`, replayed by `policies.replay` with the gate's
own decision, and proposed by `policies.versions.propose` (four eyes and
the base-version check).

"Check and simulate" renders the result on the same page (nothing is
stored); "Submit the proposal" redirects to the new version's page.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.context import AdminContext
from hub.admin.permissions import OfficersOnly, require_permission
from hub.admin.policy_editing import (
    NoActivePolicy,
    agency_policy_toml,
    check_agency_toml,
    propose_agency_toml,
)
from hub.admin.replay import DEFAULT_DAYS, replay_agency_toml
from hub.auth.roles import Role
from hub.console.errors import BadRequest, Unavailable
from hub.console.guards import PageRequest, for_roles
from hub.console.navigation import OFFICER
from hub.console.officer_common import officer_path, officers, required, see_other, service_errors
from hub.console.officer_policies import WINDOWS, sentence
from policies.agency_toml import ProposalInvalid
from policies.compiled import PolicyError
from policies.versions import VersionError

#: An agency's whole file, urlencoded (quotes, spaces and line ends escaped), with room.
FORM_LIMIT = 512 * 1024


async def _allowed(page: PageRequest) -> AdminContext:
    ctx = page.console.admin_context(page.request, page.session)
    with service_errors():
        await require_permission(OfficersOnly, ctx, {})
    return ctx


def _agency_code(page: PageRequest, code: str | None) -> str | None:
    if code is None or code == "":
        return None
    if page.console.services.catalog.agency(code) is None:
        raise BadRequest("Choose one of the catalog's agencies.")
    return code


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) not in WINDOWS:
        raise BadRequest("Choose one of the simulation windows the page offers.")
    return int(text)


def _render(page: PageRequest, *, status: int = 200, **values: Any) -> Response:
    catalog = page.console.services.catalog
    code = values.pop("agency", None)
    context: dict[str, Any] = {
        "agencies": catalog.agencies,
        "agency": catalog.agency(code) if code else None,
        "problems": (),
        "error": None,
        "checked": False,
        "changes": (),
        "report": None,
        "days": DEFAULT_DAYS,
        "reason": "",
        "text": "",
        "base_version": None,
        **values,
    }
    return page.render(
        "officer_propose.html", status=status, title="Propose a change", home=OFFICER, **context
    )


@officers
async def propose_page(page: PageRequest) -> Response:
    """Pick an agency; its part of the active version as the TOML file to edit."""
    code = _agency_code(page, page.request.query_params.get("agency"))
    if code is None:
        return _render(page)
    await _allowed(page)
    services = page.console.services
    try:
        found = await agency_policy_toml(services.database, services.catalog, code)
    except NoActivePolicy as exc:
        raise Unavailable(f"{sentence(str(exc))} There is nothing to edit yet.") from None
    return _render(page, agency=code, text=found.text, base_version=found.version)


@for_roles(Role.PRIVACY_OFFICER, form_limit=FORM_LIMIT)
async def propose_post(page: PageRequest) -> Response:
    """Check and simulate the edited file (nothing stored), or submit it as a proposal."""
    form = page.form
    code = _agency_code(page, required(form, "agency"))
    assert code is not None
    text, reason = required(form, "policy"), required(form, "reason")
    base_text, step = required(form, "base_version"), required(form, "step")
    if not (base_text.isascii() and base_text.isdigit()):
        raise BadRequest("The form's base version is not a version number. Open the page again.")
    base_version, days = int(base_text), _days(required(form, "days"))
    ctx = await _allowed(page)
    services = page.console.services
    shown: dict[str, Any] = {
        "agency": code,
        "text": text,
        "reason": reason,
        "base_version": base_version,
        "days": days,
    }
    if step == "propose":
        try:
            version = await propose_agency_toml(
                services.database,
                services.catalog,
                code,
                text,
                ctx.actor,
                reason,
                base_version=base_version,
            )
        except ProposalInvalid as exc:
            return _render(page, status=400, problems=exc.problems, **shown)
        except PolicyError as exc:
            # The file was read and checked above; the catalog's check runs again on
            # proposing, so a problem it finds still gets a page, not a 500.
            return _render(page, status=400, error=sentence("; ".join(exc.problems)), **shown)
        except VersionError as exc:
            # A missing reason, a base no longer active: in place, the text kept.
            return _render(page, status=409, error=sentence(str(exc)), **shown)
        return see_other(officer_path("policies", str(version)), "proposed")
    if step != "check":
        raise BadRequest("The form can check or submit a proposal, nothing else.")
    try:
        checked = await check_agency_toml(
            services.database, services.catalog, code, text, base_version=base_version
        )
    except VersionError as exc:
        return _render(page, status=409, error=sentence(str(exc)), **shown)
    report = None
    if checked.proposal.valid:
        report = await replay_agency_toml(
            services.database, services.catalog, services.settings, code, text, days=days
        )
    return _render(
        page,
        status=200 if checked.proposal.valid else 400,
        checked=True,
        problems=checked.proposal.problems,
        changes=checked.changes,
        report=report,
        **shown,
    )


def propose_routes() -> list[Route]:
    """The editor and its form."""
    return [
        Route("/officer/policies/propose", propose_page, methods=["GET"], name="officer-propose"),
        Route(
            "/officer/policies/propose", propose_post, methods=["POST"], name="officer-propose-post"
        ),
    ]
