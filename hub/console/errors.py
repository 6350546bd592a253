"""Refusals and bad input as pages with a status and a plain explanation, never a 500.

Handlers raise a `PageError`; `app.py` renders each with `error.html`. An
unexpected exception is logged and answered by a generic page that says
nothing about the hub's insides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from hub.console.sessions import ActiveSession


class PageError(Exception):
    """A request the console answers with an error page."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "The request could not be handled"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.page_title = title or self.title
        #: The signed-in person's session, when known: the page keeps their navigation.
        self.session: ActiveSession | None = None


class BadRequest(PageError):
    """Malformed or invalid input."""

    status = 400
    title = "Something in the request is not right"


class CsrfRefused(PageError):
    """A form posted without its CSRF token, or with another session's."""

    status = 403
    title = "This form has expired"


class Forbidden(PageError):
    """A page of another role than the signed-in person's."""

    status = 403
    title = "This page is not for your role"


class NotFound(PageError):
    """No such page."""

    status = 404
    title = "Page not found"


class PayloadTooLarge(PageError):
    """A form body over the console's limit."""

    status = 413
    title = "The form is too large"


class UnsupportedForm(PageError):
    """A POST that is not an HTML form."""

    status = 415
    title = "Not a form"


class Unavailable(PageError):
    """The hub cannot answer now (the access log cannot be written, a provider is down)."""

    status = 503
    title = "Not available right now"
