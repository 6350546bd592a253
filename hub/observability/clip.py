"""Never echo a client's value whole: error messages and logs carry a bounded prefix."""

from __future__ import annotations

#: Characters of a client's value an error message or log line may repeat.
ECHO_LIMIT = 64


def clip(value: str, limit: int = ECHO_LIMIT) -> str:
    """`value` if short, else its first `limit` characters and how long it was.

    A header or argument may be as long as the server lets it be (a 100 kB
    Hub-Purpose); repeating it in an error reply amplifies it, and in a log
    it floods the line.
    """
    if len(value) <= limit:
        return value
    return f"{value[:limit]}... ({len(value)} characters)"
