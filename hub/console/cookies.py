"""The console's cookies: names, and the attributes every one of them carries.

All are HttpOnly (no script reads them), limited to /console and Secure in
production, where their names take the `__Secure-` prefix so that a
browser refuses them over plain http. The session cookie is
SameSite=Strict: no other site can make the browser send it. The one
exception is the short-lived cookie of an OpenID Connect sign-in under way
(SameSite=Lax): the identity provider's redirect back is a navigation from
another site, on which a Strict cookie would not be sent, and without the
cookie the callback could not be bound to the browser that started it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

CONSOLE_PATH = "/console"
#: What every token the console issues looks like (`secrets.token_urlsafe(32)`).
TOKEN = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")


@dataclass(frozen=True)
class Cookie:
    """One of the console's cookies."""

    name: str
    path: str
    samesite: Literal["strict", "lax"]
    max_age: int | None

    def full_name(self, secure: bool) -> str:
        """The name as sent: `__Secure-` prefixed when the cookie is Secure."""
        return f"__Secure-{self.name}" if secure else self.name

    def read(self, request: Request, secure: bool) -> str | None:
        """The cookie's token, if present and well-formed."""
        value = request.cookies.get(self.full_name(secure))
        return value if value is not None and TOKEN.match(value) else None

    def set(self, response: Response, value: str, secure: bool, max_age: int | None = None) -> None:
        """Set the cookie on `response`."""
        response.set_cookie(
            self.full_name(secure),
            value,
            max_age=max_age if max_age is not None else self.max_age,
            path=self.path,
            secure=secure,
            httponly=True,
            samesite=self.samesite,
        )

    def clear(self, response: Response, secure: bool) -> None:
        """Tell the browser to forget the cookie."""
        response.delete_cookie(
            self.full_name(secure),
            path=self.path,
            secure=secure,
            httponly=True,
            samesite=self.samesite,
        )


#: The signed-in session (its lifetime is the session's, set when it is issued).
SESSION = Cookie("hub_console", CONSOLE_PATH, "strict", None)
#: A visitor not signed in: binds the sign-in forms' CSRF tokens to this browser.
VISITOR = Cookie("hub_console_visitor", CONSOLE_PATH, "strict", 3600)
#: An OpenID Connect sign-in under way, until the provider's callback (ten minutes).
SIGN_IN = Cookie("hub_console_sign_in", f"{CONSOLE_PATH}/sign-in/oidc", "lax", 600)
