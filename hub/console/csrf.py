"""CSRF tokens: one per session (or per visitor not yet signed in), checked on every POST.

The token is an HMAC of a fixed label under the secret the browser's
cookie holds (the session's token, or the visitor cookie's before sign-in),
so it needs no storage, differs per session and cannot be computed by
another site, which can neither read the cookie nor, with SameSite=Strict,
make the browser send it. It is a second line behind SameSite: older
browsers, and requests from a sibling subdomain, which counts as the same
site. A form posted without it, or with another session's, is refused
with 403 and a page saying so (`CsrfRefused`).
"""

from __future__ import annotations

import hashlib
import hmac

from hub.console.errors import CsrfRefused

#: The hidden field every console form carries.
CSRF_FIELD = "csrf_token"
_LABEL = b"ssis-hub console csrf v1"


def csrf_token(secret: str) -> str:
    """The CSRF token of the session (or visitor) whose cookie holds `secret`."""
    return hmac.new(secret.encode(), _LABEL, hashlib.sha256).hexdigest()


def check_csrf(secret: str | None, form: dict[str, str]) -> None:
    """Raise CsrfRefused unless the form carries the token of `secret`."""
    sent = form.get(CSRF_FIELD, "")
    if secret is None or not sent:
        raise CsrfRefused(
            "The form was sent without its security token, so nothing was done. "
            "Open the page again and resubmit the form from it."
        )
    if not hmac.compare_digest(sent.encode(), csrf_token(secret).encode()):
        raise CsrfRefused(
            "The form's security token does not belong to your session (it may come from "
            "an earlier session, or from another site), so nothing was done. Open the page "
            "again and resubmit the form from it."
        )
