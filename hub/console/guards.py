"""Who may open a page: signed in, in the page's role; and every POST with its CSRF token.

Handlers are written as `async def page(page: PageRequest) -> Response` and
wrapped with `for_roles(...)`, which

- sends a browser without a live session to the sign-in page (saying why
  when the session ended: idle, or past its lifetime), and clears the cookie;
- answers 403 with a page naming the role for anyone signed in with another
  role (an officer at an auditor's page and the reverse);
- reads a POST's form and refuses it (403) without the session's CSRF token,
  before the handler runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.auth.roles import Role
from hub.console.cookies import SESSION
from hub.console.csrf import check_csrf
from hub.console.errors import Forbidden, PageError
from hub.console.forms import MAX_FORM_BYTES, read_form
from hub.console.navigation import SECTION_OF_ROLE
from hub.console.sessions import ActiveSession, SessionEnded
from hub.console.state import ConsoleState, console_of

SIGN_IN_PATH = "/console/sign-in"


@dataclass(frozen=True)
class PageRequest:
    """A request from a signed-in person of the page's role."""

    request: Request
    session: ActiveSession
    console: ConsoleState
    #: The posted form (CSRF token checked); empty for GET.
    form: dict[str, str] = field(default_factory=dict)

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """The page `template` for this person."""
        return self.console.renderer.page(
            self.request, template, session=self.session, status=status, **context
        )


Handler = Callable[[PageRequest], Awaitable[Response]]


def sign_in_redirect(request: Request, ended: str | None = None) -> Response:
    """To the sign-in page, coming back here afterwards."""
    query = {"next": request.url.path}
    if ended is not None:
        query["ended"] = ended
    return RedirectResponse(f"{SIGN_IN_PATH}?{urlencode(query)}", status_code=303)


async def current_session(request: Request) -> ActiveSession | None:
    """The request's live session, or None (no cookie, or one that has ended)."""
    console = console_of(request)
    token = SESSION.read(request, console.secure_cookies)
    if token is None:
        return None
    try:
        return await console.sessions.resume(token)
    except SessionEnded:
        return None


def for_roles(
    *roles: Role, form_limit: int = MAX_FORM_BYTES
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a page handler so that only a signed-in person of one of `roles` reaches it.

    `form_limit` bounds a POST's body: a few fields by default, more for the
    one form that carries a whole policy document.
    """

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            console = console_of(request)
            secure = console.secure_cookies
            token = SESSION.read(request, secure)
            if token is None:
                return sign_in_redirect(request)
            try:
                session = await console.sessions.resume(token)
            except SessionEnded as ended:
                response = sign_in_redirect(request, ended.reason)
                SESSION.clear(response, secure)
                return response
            try:
                if session.user.role not in roles:
                    served = " or ".join(SECTION_OF_ROLE[r].role_label.lower() for r in roles)
                    raise Forbidden(
                        f"This page is for the {served} role; you are signed in as "
                        f"{SECTION_OF_ROLE[session.user.role].role_label.lower()}."
                    )
                form: dict[str, str] = {}
                if request.method == "POST":
                    form = await read_form(request, limit=form_limit)
                    check_csrf(session.token, form)
                return await handler(PageRequest(request, session, console, form))
            except PageError as exc:
                # The error page keeps the person's navigation and sign-out.
                exc.session = exc.session or session
                raise

        return endpoint

    return wrap
