"""What the privacy officers' pages share: the guard, redirects after a POST, service errors.

Every officer page calls a service of `hub.admin` (the bodies of the
/admin/graphql fields); the services' refusals become the console's error
pages here, in one place, while the errors an officer can correct (a
missing reason, a stale base, their own proposal) are caught by the page
and shown in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from starlette.requests import Request
from starlette.responses import RedirectResponse

from hub.admin.auditing import AuditLogUnavailable
from hub.admin.document_service import DocumentNotFoundError
from hub.admin.errors import CaseRefRequired, ForbiddenRole
from hub.auth.roles import Role
from hub.console.errors import BadRequest, Forbidden, NotFound, Unavailable
from hub.console.guards import for_roles
from hub.console.navigation import OFFICER
from policies.consent import ConsentNotFound
from policies.versions import VersionNotFound

#: The guard of every officer page.
officers = for_roles(Role.PRIVACY_OFFICER)


def officer_path(*parts: str) -> str:
    """An address in the officers' section."""
    return OFFICER.home + "/".join(parts)


def see_other(path: str, done: str | None = None) -> RedirectResponse:
    """POST-redirect-GET: to `path`, naming what was done (a fixed word, never user input)."""
    return RedirectResponse(f"{path}?done={done}" if done else path, status_code=303)


def done_message(request: Request, messages: Mapping[str, str]) -> str | None:
    """The confirmation for the `done` word a redirect named; None for any other value."""
    return messages.get(request.query_params.get("done", ""))


def int_param(request: Request, name: str) -> int:
    """A path's integer part (the route's converter has checked its digits)."""
    value = request.path_params[name]
    assert isinstance(value, int)
    return value


def required(form: Mapping[str, str], name: str) -> str:
    """A form field the page's own form always sends; 400 when it is missing."""
    value = form.get(name)
    if value is None:
        raise BadRequest(f"The form did not send {name!r}. Open the page again and use its form.")
    return value


@contextmanager
def service_errors() -> Iterator[None]:
    """The admin services' refusals as the console's pages (403, 404, 503)."""
    try:
        yield
    except ForbiddenRole as exc:
        raise Forbidden(exc.message) from None
    except CaseRefRequired as exc:
        raise BadRequest(exc.message) from None
    except AuditLogUnavailable:
        raise Unavailable(
            "This page shows something about a person, and the hub records every such look "
            "in its access log first; that record cannot be written at the moment, so "
            "nothing is shown. Try again in a few minutes."
        ) from None
    except (VersionNotFound, ConsentNotFound) as exc:
        raise NotFound(f"{str(exc).capitalize()}.") from None
    except DocumentNotFoundError as exc:
        raise NotFound(f"{exc.message.capitalize()}.") from None
