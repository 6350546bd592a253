"""The officers' policy versions: the list, one version against the active one, four-eyes decisions.

Every read and change is a `hub.admin.policy_service` call, the bodies of
`policyVersions`, `policyVersion`, `policyDiff`, `approvePolicyVersion` and
`rejectPolicyVersion`; the rules (four eyes, the base-version check under
lock) are the services'. The page shows them before the officer acts: who
proposed a version, whether the signed-in officer is that person (then it
says another officer must decide, and offers no buttons), and whether the
proposal's base is still active. A decision the service refuses anyway (a
race with another officer) is shown in place with its reason.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.policy_service import (
    active_policy_version,
    decide_policy_version,
    get_policy_version,
    list_policy_versions,
    policy_diff,
)
from hub.admin.replay import DEFAULT_DAYS, replay_version
from hub.console.errors import BadRequest
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    done_message,
    int_param,
    officer_path,
    officers,
    see_other,
    service_errors,
)
from hub.identity.officials import same_official
from policies.replay import ReplayReport
from policies.versions import PolicyBaseStale, VersionError, VersionStatus

#: The simulation windows offered, in days.
WINDOWS = (1, 7, 30, 90)
DONE = {
    "approved": "The version is approved and active: the agencies' endpoint enforces it from "
    "the next request.",
    "rejected": "The version is rejected: it can never become active.",
    "proposed": "Your proposal is recorded. Another privacy officer must approve it before it "
    "applies.",
}


def sentence(message: str) -> str:
    """A service's message as a sentence on the page."""
    text = message.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@officers
async def versions_page(page: PageRequest) -> Response:
    """Every version, newest first, with the proposals awaiting a decision on top."""
    ctx = page.console.admin_context(page.request, page.session)
    with service_errors():
        found = await list_policy_versions(ctx)
    active = next((v for v in found if v.status is VersionStatus.ACTIVE), None)
    return page.render(
        "officer_policies.html",
        title="Policy versions",
        versions=found,
        active=active,
        proposals=[v for v in found if v.status is VersionStatus.PROPOSED],
        me=ctx.actor,
        same_official=same_official,
        done=done_message(page.request, DONE),
        home=OFFICER,
    )


async def _version_page(
    page: PageRequest, number: int, *, error: str | None = None, status: int = 200
) -> Response:
    ctx = page.console.admin_context(page.request, page.session)
    with service_errors():
        info = await get_policy_version(ctx, number)
        active = await active_policy_version(ctx)
        # Against the active version; the active one against the version it replaced.
        compared = None
        if active is not None and active.version != number:
            compared = active.version
        elif info.base_version is not None:
            compared = info.base_version
        changes = await policy_diff(ctx, compared, number) if compared is not None else None
    replay_agency, days, report = await _replay(page, number)
    mine = same_official(info.proposed_by, ctx.actor)
    stale = info.status is VersionStatus.PROPOSED and (
        active is None or info.base_version != active.version
    )
    return page.render(
        "officer_version.html",
        status=status,
        title=f"Policy version {number}",
        info=info,
        active=active,
        compared=compared,
        changes=changes,
        mine=mine,
        stale=stale,
        stale_reason=sentence(
            str(PolicyBaseStale(number, info.base_version, active.version if active else None))
        )
        if stale
        else None,
        error=error,
        done=done_message(page.request, DONE),
        agencies=page.console.services.catalog.agencies,
        replay_agency=replay_agency,
        days=days,
        windows=WINDOWS,
        report=report,
        home=OFFICER,
    )


async def _replay(page: PageRequest, number: int) -> tuple[str | None, int, ReplayReport | None]:
    """The version replayed against an agency's recent requests, when the page asks (`?replay=`)."""
    code = page.request.query_params.get("replay")
    days_text = page.request.query_params.get("days", str(DEFAULT_DAYS))
    if code is None:
        return None, DEFAULT_DAYS, None
    services = page.console.services
    if services.catalog.agency(code) is None:
        raise BadRequest("Choose one of the catalog's agencies to simulate against.")
    if not (days_text.isascii() and days_text.isdigit()) or int(days_text) not in WINDOWS:
        raise BadRequest("Choose one of the simulation windows the page offers.")
    days = int(days_text)
    report = await replay_version(
        services.database, services.catalog, services.settings, code, number, days=days
    )
    return code, days, report


@officers
async def version_page(page: PageRequest) -> Response:
    """One version: who proposed and decided it, and what it changes against the active one."""
    return await _version_page(page, int_param(page.request, "version"))


async def _decide(page: PageRequest, approve: bool) -> Response:
    number = int_param(page.request, "version")
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            await decide_policy_version(ctx, number, approve=approve)
    except VersionError as exc:
        # Its own proposal, a stale base, another officer deciding first: in place.
        return await _version_page(page, number, error=sentence(str(exc)), status=409)
    return see_other(officer_path("policies", str(number)), "approved" if approve else "rejected")


@officers
async def approve_version(page: PageRequest) -> Response:
    """Approve another officer's proposal; on success back to the version."""
    return await _decide(page, approve=True)


@officers
async def reject_version(page: PageRequest) -> Response:
    """Reject another officer's proposal; on success back to the version."""
    return await _decide(page, approve=False)


def policies_routes() -> list[Route]:
    """The versions list, one version, and the decisions on it."""
    return [
        Route("/officer/policies", versions_page, methods=["GET"], name="officer-policies"),
        Route(
            "/officer/policies/{version:int}",
            version_page,
            methods=["GET"],
            name="officer-version",
        ),
        Route(
            "/officer/policies/{version:int}/approve",
            approve_version,
            methods=["POST"],
            name="officer-version-approve",
        ),
        Route(
            "/officer/policies/{version:int}/reject",
            reject_version,
            methods=["POST"],
            name="officer-version-reject",
        ),
    ]
