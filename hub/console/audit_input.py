"""The auditors' search and proof forms: query strings read into the services' arguments.

Everything an auditor types is checked here only as far as the form needs
(a date the browser sent, a number where a number goes, one value per
field); the rules themselves (the inquiry's format, a registration
number, page sizes, cursors, tree sizes) are the services', whose errors
the pages show next to the field they concern (`field_of`). A problem is
never a 500: each becomes a message in place, with the form kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.admin.errors import AdminError, CaseRefRequired
from hub.console.rendering import KST
from hub.identity.rrn import InvalidRRN

#: The inquiry every read of the log is recorded under (`Hub-Case-Ref` on the API).
INQUIRY = "inquiry"
#: Longest value any text field of these forms takes (case references are 128).
MAX_TEXT = 128
PAGE_SIZES = (25, 50, 100)
#: `<input type="datetime-local">` sends minutes, or seconds when the step asks for them.
_MOMENT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")

#: The services' argument names, and the form field each error belongs next to.
_FIELD_OF_ARGUMENT = {
    "from": "from",
    "to": "to",
    "first": "first",
    "after": "after",
    "seq": "seq",
    "treeSize": "tree_size",
    "last": "last",
}
#: Arguments named differently by a page's form (the charts' range is in days).
DAY_FIELDS = {"from": "first_day", "to": "last_day"}


def _bad_day() -> dt.date:
    # fromisoformat also reads 20261126 and week dates; the form sends YYYY-MM-DD only.
    raise ValueError("not YYYY-MM-DD")


class FormProblems(Exception):
    """Fields the auditor must correct, each with its message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


@dataclass
class FormValues:
    """A form's submitted values (as typed, for refilling) and the problems found so far."""

    raw: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, *, required: str | None = None) -> str | None:
        """The trimmed text of `name`, None when empty (a problem when `required` says why)."""
        value = self.raw.get(name, "").strip()
        if not value:
            if required is not None:
                self.problems[name] = required
            return None
        if len(value) > MAX_TEXT:
            self.problems[name] = f"At most {MAX_TEXT} characters."
            return None
        return value

    def moment(self, name: str) -> dt.datetime | None:
        """A date and time the auditor gave in Korea Standard Time (as the console shows times)."""
        value = self.text(name)
        if value is None:
            return None
        for fmt in _MOMENT_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).replace(tzinfo=KST)
            except ValueError:
                continue
        self.problems[name] = "Give a date and time in KST, like 2026-11-26T09:30."
        return None

    def day(self, name: str) -> dt.date | None:
        """A calendar day (`<input type="date">`: YYYY-MM-DD), in KST as the charts count."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else _bad_day()
        except ValueError:
            self.problems[name] = "Give a day like 2026-11-26."
            return None

    def number(self, name: str, *, required: str | None = None) -> int | None:
        """A whole number of at most 16 digits (sequence numbers and sizes)."""
        value = self.text(name, required=required)
        if value is None:
            return None
        # ASCII digits only: int() would also read other scripts' digits.
        if not (value.isascii() and value.isdigit()) or len(value) > 16:
            self.problems[name] = "A whole number, 0 or more."
            return None
        return int(value)

    def choice(self, name: str, allowed: tuple[int, ...], default: int) -> int:
        """One of `allowed`; the default when absent."""
        value = self.raw.get(name, "").strip()
        if not value:
            return default
        if not value.isascii() or not value.isdigit() or int(value) not in allowed:
            self.problems[name] = "Pick one of the sizes offered."
            return default
        return int(value)

    def check(self) -> None:
        """Raise FormProblems if anything was wrong."""
        if self.problems:
            raise FormProblems(self.problems)


def service_problem(exc: Exception) -> dict[str, str] | None:
    """The form field and message for a service's refusal of the input, or None if not input."""
    if isinstance(exc, CaseRefRequired):
        return {
            INQUIRY: "Name the inquiry: 1 to 128 letters, digits or ._:/- starting with a "
            "letter or digit."
        }
    if isinstance(exc, InvalidRRN):
        return {"rrn": f"Not a registration number the hub accepts: {exc.reason}."}
    if isinstance(exc, AdminError) and (exc.extensions or {}).get("code") == "INVALID_ARGUMENT":
        argument = str((exc.extensions or {}).get("argument", ""))
        message = exc.message[:1].upper() + exc.message[1:]
        return {_FIELD_OF_ARGUMENT.get(argument, "form"): f"{message}."}
    return None
