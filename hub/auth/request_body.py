"""Decoding a GraphQL request body: JSON, one object, within bounds, or a clear 400.

strawberry's view decodes the body with `json.loads` and catches only
`JSONDecodeError`; everything else a client can send escaped as a 500 with
a traceback in the log: a body that is JSON but not an object (`null`, a
string, a number, `true`: strawberry calls `.get` on it), bytes that are
not UTF-8, UTF-16 or UTF-32 (`UnicodeDecodeError`), arrays nested deeper
than the interpreter's recursion limit (`RecursionError`) and integers
longer than Python converts (`ValueError`, 4,300 digits). `decode_body`
turns each into `MalformedBody`, an `HTTPException` the view answers with
400 `BAD_REQUEST`; its message says what is wrong without quoting the body.

Nesting is bounded well below the recursion limit too (`MAX_JSON_DEPTH`):
a body nested 900 deep decodes, and would then take whatever walks it
(variable coercion, a JSON argument's consumer, the reply's encoder) near
the limit. No operation's variables or policy document come close.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException

#: Deepest nesting of arrays and objects in a request body (a policy
#: document, the deepest thing sent, nests about 6 levels).
MAX_JSON_DEPTH = 64


class MalformedBody(HTTPException):
    """The request body is not one JSON object the endpoint can read (400 BAD_REQUEST)."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


def _kind(value: object) -> str:
    """What a JSON scalar is, in the client's terms."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels (iteratively)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Any
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def decode_body(data: str | bytes) -> object:
    """The decoded body: an object, or an array (a batch, refused later); else MalformedBody."""
    try:
        decoded = json.loads(data)
    except json.JSONDecodeError as exc:
        raise MalformedBody(
            f"the request body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError:
        raise MalformedBody(
            "the request body is not text in UTF-8 (or UTF-16 or UTF-32, as JSON allows)"
        ) from None
    except RecursionError:
        raise MalformedBody(
            f"the request body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"
        ) from None
    except ValueError:
        # The only other ValueError json raises: an integer over Python's
        # digit limit for conversions (sys.get_int_max_str_digits).
        raise MalformedBody("a number in the request body has too many digits") from None
    # Counting brackets is fast and over-counts (brackets inside strings):
    # only a body that could nest too deep is walked.
    text = data if isinstance(data, bytes) else data.encode()
    could_nest = text.count(b"[") + text.count(b"{") > MAX_JSON_DEPTH
    if could_nest and nested_deeper_than(decoded, MAX_JSON_DEPTH):
        raise MalformedBody(
            f"the request body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"
        )
    if not isinstance(decoded, dict | list):
        raise MalformedBody(
            f"the request body must be a JSON object with a `query`, not {_kind(decoded)}"
        )
    return decoded
