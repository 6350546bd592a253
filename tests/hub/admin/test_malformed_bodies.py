"""Malformed request bodies get 400 BAD_REQUEST with a clear message on both endpoints.

Each is sent after a valid token (authentication passes), so the body is
what is refused; before, each of these escaped strawberry's view as a 500.
"""

from __future__ import annotations

import pytest

from hub.auth.request_body import MAX_JSON_DEPTH, MalformedBody, decode_body, nested_deeper_than
from tests.hub.admin.conftest import ADMIN_URL, Admin

#: (body, words the message must contain)
MALFORMED: list[tuple[bytes, str]] = [
    (b"null", "not null"),
    (b'"query"', "not a string"),
    (b"5", "not a number"),
    (b"true", "not a boolean"),
    (b'{"query": "{ __typename \xff }"}', "UTF-8"),
    (b"\xff\xfe{\x00}\x00\x00", "UTF-16"),  # a UTF-16 BOM, then an odd number of bytes
    (b"[" * 30_000 + b"]" * 30_000, "levels deep"),
    (b'{"query": "{ __typename }", "variables": {"n": ' + b"7" * 5_000 + b"}}", "too many digits"),
    (b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 200 + b"]" * 200 + b"}}", "deep"),
    (b'{"query": ', "not JSON"),
]


def _ids() -> list[str]:
    return ["null", "string", "number", "true", "utf8", "utf16", "deep", "digits", "deep200", "cut"]


@pytest.mark.parametrize(("body", "words"), MALFORMED, ids=_ids())
async def test_malformed_body_is_a_400_on_both_endpoints(
    admin: Admin, body: bytes, words: str
) -> None:
    hub = admin.hub
    for url, headers in (
        ("/graphql", hub.headers()),
        (ADMIN_URL, {"Authorization": f"Bearer {admin.token()}"}),
    ):
        response = await hub.client.post(
            url, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (url, response.text)
        reply = response.json()
        assert reply["data"] is None
        [error] = reply["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST"}, (url, error)
        assert words in error["message"], (url, error["message"])
        assert "Traceback" not in response.text
    assert hub.calls() == {}


def test_decode_body_keeps_good_bodies() -> None:
    assert decode_body(b'{"query": "{ a }"}') == {"query": "{ a }"}
    assert decode_body('{"query": "{ a }"}'.encode("utf-16")) == {"query": "{ a }"}
    assert decode_body(b"[{}]") == [{}]  # a batch: refused by the view, not here
    nested = b'{"v": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    assert isinstance(decode_body(nested), dict)
    with pytest.raises(MalformedBody):
        decode_body(b'{"v": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}")


def test_nesting_counts_levels() -> None:
    assert not nested_deeper_than({"a": [1, {"b": 2}]}, 3)
    assert nested_deeper_than({"a": [1, {"b": []}]}, 3)
    assert not nested_deeper_than("[[[[", 1)
