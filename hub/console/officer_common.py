"""What the privacy officers' pages share: the guard, redirects after a POST, service errors.

Every officer page calls a service of `hub.admin` (the bodies of the
/admin/graphql fields); the services' refusals become the console's error
pages here, in one place, while the errors an officer can correct (a
missing reason, a stale base, their own proposal) are caught by the page
and shown in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse

from hub.admin.auditing import AuditLogUnavailable, checked_case_ref
from hub.admin.document_service import DocumentNotFoundError
from hub.admin.errors import CaseRefRequired, ForbiddenRole
from hub.auth.roles import Role
from hub.console.errors import BadRequest, Forbidden, NotFound, Unavailable
from hub.console.guards import for_roles
from hub.console.navigation import OFFICER
from hub.console.sessions import ActiveSession, seal, unseal
from hub.identity.rrn import InvalidRRN, parse_rrn
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


def sealed_address(session: ActiveSession, values: Mapping[str, Any]) -> str:
    """`values` (a person's number among them) sealed under the session, for an address.

    A page about a person is reached by POST-redirect-GET without the
    number in the address, where the browser's history and any log would
    keep it: the address holds the values encrypted under a key only this
    session's cookie gives (`sessions.seal`), useless in any other session.
    """
    # Without base64's padding: the address stays within what `targets` accepts.
    return seal(session.token, json.dumps(dict(values))).rstrip("=")


def opened_address(session: ActiveSession, sealed: str) -> dict[str, Any]:
    """The values `sealed_address` sealed; a 404 page when they are not this session's."""
    try:
        opened = json.loads(unseal(session.token, sealed + "=" * (-len(sealed) % 4)))
    except ValueError:
        opened = None
    if not isinstance(opened, dict):
        raise NotFound(
            "This look-up belongs to another session, or the address is incomplete. "
            "Look the person up again."
        )
    return opened


def person_and_case(form: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    """The form's registration number (13 digits) and case reference, and what is wrong.

    Checked by the hub's own parsers (`parse_rrn`, `checked_case_ref`)
    before the number is sealed into an address; the services check again.
    """
    rrn = required(form, "rrn").strip()
    case_ref = required(form, "case_ref").strip()
    errors: dict[str, str] = {}
    digits = ""
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
    return digits, case_ref, errors


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
