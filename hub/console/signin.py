"""The sign-in page, the development sign-in, sign-out, and `/console/` itself.

The development sign-in lets anyone pick a role and an official id, or
give a registration number and see that person's report: on outside
production unless switched off (`HUB_CONSOLE_DEV_SIGN_IN`), refused in
production as `ssis-hub dev-token` is (the settings refuse to start with it
on, and the form's handler refuses whatever the settings say).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.auth.roles import Role
from hub.auth.tokens import OFFICIAL_ID
from hub.console.cookies import SESSION, VISITOR
from hub.console.csrf import check_csrf, csrf_token
from hub.console.errors import BadRequest, Forbidden
from hub.console.forms import read_form
from hub.console.guards import SIGN_IN_PATH, current_session
from hub.console.navigation import SECTION_OF_ROLE
from hub.console.oidc import Provider
from hub.console.sessions import CITIZEN_OFFICIAL, ActiveSession, ConsoleUser, new_token
from hub.console.state import ConsoleState, console_of
from hub.console.targets import landing, safe_next
from hub.identity.rrn import InvalidRRN, parse_rrn

log = logging.getLogger("hub.console")

#: The roles an official may pick at the development sign-in.
OFFICIAL_ROLES = (Role.PRIVACY_OFFICER, Role.AUDITOR, Role.CONSENT_MANAGER)

ENDED = {
    "idle": "Your session ended after {idle} without activity. Sign in again to continue.",
    "expired": "Your session reached its limit of {lifetime}. Sign in again to continue.",
    "unknown": "Your session has ended. Sign in again to continue.",
    "signed_out": "You have signed out.",
}


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds >= 60:
        minutes = round(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    whole = round(seconds)
    return f"{whole} second{'s' if whole != 1 else ''}"


def _sign_in_page(
    request: Request,
    console: ConsoleState,
    providers: Mapping[str, Provider],
    *,
    visitor: str,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
) -> Response:
    settings = console.services.settings
    ended = request.query_params.get("ended")
    notice = ENDED.get(ended or "", "").format(
        idle=_duration(settings.console_idle_timeout_s),
        lifetime=_duration(settings.console_session_lifetime_s),
    )
    response = console.renderer.page(
        request,
        "sign_in.html",
        csrf_token=csrf_token(visitor),
        status=status,
        title="Sign in",
        notice=notice or None,
        providers=list(providers.values()),
        official_roles=[SECTION_OF_ROLE[role] for role in OFFICIAL_ROLES],
        errors=dict(errors or {}),
        values=dict(values or {}),
        next=safe_next(request.query_params) or "",
    )
    VISITOR.set(response, visitor, console.secure_cookies)
    return response


def _visitor(request: Request, console: ConsoleState) -> str:
    return VISITOR.read(request, console.secure_cookies) or new_token()


def _signed_in(console: ConsoleState, session: ActiveSession, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    secure = console.secure_cookies
    SESSION.set(
        response, session.token, secure, max_age=int(console.sessions.lifetime.total_seconds())
    )
    VISITOR.clear(response, secure)
    return response


def _dev_user(form: Mapping[str, str]) -> tuple[ConsoleUser | None, dict[str, str]]:
    """The user the development form names, or the errors per field."""
    if form.get("kind") == "citizen":
        try:
            rrn = parse_rrn(form.get("rrn", "").strip()).digits
        except InvalidRRN as exc:
            return None, {"rrn": f"Not a registration number the hub accepts: {exc.reason}."}
        return ConsoleUser(Role.CITIZEN_PORTAL, CITIZEN_OFFICIAL, rrn), {}
    if form.get("kind") != "official":
        raise BadRequest("The sign-in form says neither official nor citizen.")
    errors: dict[str, str] = {}
    roles = {str(role): role for role in OFFICIAL_ROLES}
    role = roles.get(form.get("role", ""))
    if role is None:
        errors["role"] = "Choose one of the roles."
    official = form.get("official", "").strip()
    if not OFFICIAL_ID.match(official):
        errors["official"] = "An official id is 1 to 64 letters, digits or the characters . _ @ -."
    if errors or role is None:
        return None, errors
    return ConsoleUser(role, official), {}


def sign_in_routes(providers: Mapping[str, Provider]) -> list[Route]:
    """`/`, `/sign-in`, `/sign-in/dev` and `/sign-out` of the console."""

    async def root(request: Request) -> Response:
        session = await current_session(request)
        if session is None:
            return RedirectResponse(SIGN_IN_PATH, status_code=303)
        return RedirectResponse(SECTION_OF_ROLE[session.user.role].home, status_code=303)

    async def sign_in(request: Request) -> Response:
        console = console_of(request)
        session = await current_session(request)
        if session is not None:
            return console.renderer.page(
                request, "signed_in_already.html", session=session, title="Already signed in"
            )
        return _sign_in_page(request, console, providers, visitor=_visitor(request, console))

    async def dev_sign_in(request: Request) -> Response:
        console = console_of(request)
        if not console.services.settings.console_dev_sign_in_enabled:
            raise Forbidden(
                "The development sign-in is refused here (as in production): sign in through "
                "the identity provider.",
                title="Development sign-in refused",
            )
        secure = console.secure_cookies
        visitor = VISITOR.read(request, secure)
        form = await read_form(request)
        check_csrf(visitor, form)
        user, errors = _dev_user(form)
        if user is None:
            assert visitor is not None  # check_csrf refused a form without one
            values = {k: v for k, v in form.items() if k in ("kind", "role", "official", "rrn")}
            return _sign_in_page(
                request,
                console,
                providers,
                visitor=visitor,
                status=400,
                errors=errors,
                values=values,
            )
        session = await console.sessions.create(user)
        log.info(
            "console session %s began: %s %s (development sign-in)",
            session.ref[:12],
            user.role,
            user.official,
        )
        home = SECTION_OF_ROLE[user.role].home
        return _signed_in(console, session, landing(home, safe_next(form)))

    async def sign_out(request: Request) -> Response:
        console = console_of(request)
        secure = console.secure_cookies
        token = SESSION.read(request, secure)
        form = await read_form(request)
        # Without its token a sign-out could be forced by another site; with
        # SameSite=Strict it hardly could, but every form is checked alike.
        check_csrf(token, form)
        assert token is not None
        await console.sessions.end(token)
        response = RedirectResponse(f"{SIGN_IN_PATH}?ended=signed_out", status_code=303)
        SESSION.clear(response, secure)
        return response

    return [
        Route("/", root, methods=["GET"]),
        Route("/sign-in", sign_in, methods=["GET"]),
        Route("/sign-in/dev", dev_sign_in, methods=["POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
    ]
