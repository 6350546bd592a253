"""Where the console may send a browser after sign-in: its own pages only.

`next` comes from the query string or a form, so it is whatever anyone put
there; an absolute URL, `//other.example` or a path outside /console would
make the sign-in an open redirect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_CONSOLE_PATH = re.compile(r"\A/console/[A-Za-z0-9/_-]{0,200}\Z")


def safe_next(values: Mapping[str, str]) -> str | None:
    """The `next` value if it is a console path, else None."""
    target = values.get("next")
    if target is None or not _CONSOLE_PATH.match(target) or "//" in target:
        return None
    return target


def landing(home: str, target: str | None) -> str:
    """Where a person whose section starts at `home` goes after sign-in.

    Back to the page that sent them to sign in, if it is in their section
    (an earlier session of another role may have left `next` elsewhere).
    """
    return target if target is not None and target.startswith(home) else home
