"""Jinja2 rendering of the console's pages: autoescaped always, undefined names are errors.

Every page gets the signed-in person (if any), their section's navigation,
the CSRF token its forms carry and whether the development sign-in is on.
Times are shown in Korea Standard Time, the hub's users' time, with the
zone named.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.console.navigation import SECTION_OF_ROLE
from hub.console.sessions import ActiveSession

KST = dt.timezone(dt.timedelta(hours=9), "KST")


def kst(moment: dt.datetime) -> str:
    """`moment` as a Korean reader expects it: `2026-11-26 18:30 KST`."""
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def iso(moment: dt.datetime) -> str:
    """`moment` in RFC 3339 UTC, for `<time datetime>`."""
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Renderer:
    """The console's template environment and its page responses."""

    def __init__(self, *, dev_sign_in: bool) -> None:
        # autoescape=True for every template whatever its name: the pages show
        # what agencies, officers and people typed (reasons, case references).
        self.env = Environment(
            loader=PackageLoader("hub.console", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["kst"] = kst
        self.env.filters["iso"] = iso
        self.dev_sign_in = dev_sign_in

    def page(
        self,
        request: Request,
        template: str,
        *,
        session: ActiveSession | None = None,
        csrf_token: str | None = None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """The page `template` for this request; forms carry the session's (or `csrf_token`)."""
        user = session.user if session is not None else None
        values = {
            "user": user,
            "section": SECTION_OF_ROLE[user.role] if user is not None else None,
            "csrf_token": session.csrf_token if session is not None else csrf_token,
            "current_path": request.url.path,
            "dev_sign_in": self.dev_sign_in,
            **context,
        }
        html = self.env.get_template(template).render(values)
        return HTMLResponse(html, status_code=status)
