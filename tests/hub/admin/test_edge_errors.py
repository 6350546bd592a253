"""The administrative endpoint at the edges: coded errors, masked alike, logged quietly."""

from __future__ import annotations

import pytest

from hub.auth.roles import Role
from tests.hub.admin.conftest import Admin, codes

AUDIT = {"Hub-Case-Ref": "AUDIT-2026-07"}


@pytest.mark.parametrize(
    ("literal", "shown"),
    [
        ("9007199254740992", "9007199254740992"),  # 2^53
        ("-9007199254740992", "-9007199254740992"),
        ("1" + "0" * 400, "a 401-digit integer"),
        ('"12"', "a literal of another kind"),
        ("1.5", "a literal of another kind"),
    ],
)
async def test_long_literal_out_of_range_is_invalid_argument(
    admin: Admin, literal: str, shown: str
) -> None:
    query = f"{{ inclusionProof(seq: 0, treeSize: {literal}) {{ leafIndex }} }}"
    body = await admin.run(query, token=admin.token(role=Role.AUDITOR), headers=AUDIT)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT"}, error
    assert error["message"] == (
        f"Long must be an integer between -(2^53 - 1) and 2^53 - 1, not {shown}"
    )
    assert error["locations"], error


async def test_long_variable_out_of_range_is_invalid_argument(admin: Admin) -> None:
    query = "query($t: Long!) { inclusionProof(seq: 0, treeSize: $t) { leafIndex } }"
    body = await admin.run(query, {"t": 2**53}, token=admin.token(role=Role.AUDITOR), headers=AUDIT)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_ARGUMENT", error
    assert "2^53 - 1" in error["message"]


@pytest.mark.parametrize(
    ("field", "argument"),
    [
        ('auditEntries(filter: {from: "0001-01-01T00:00:00+14:00"}) { nextCursor }', "from"),
        ('auditEntries(filter: {to: "9999-12-31T23:00:00-14:00"}) { nextCursor }', "to"),
        (
            'officialActivity(official: "kim.01", from: "0001-01-01T00:00:00+14:00") { total }',
            "from",
        ),
    ],
)
async def test_time_outside_utc_range_is_invalid_argument(
    admin: Admin, field: str, argument: str
) -> None:
    body = await admin.run(f"{{ {field} }}", token=admin.token(role=Role.AUDITOR), headers=AUDIT)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "argument": argument}, error
    assert error["message"] == f"{argument} must fall within the years 1 to 9999 in UTC"


# Arabic-Indic, fullwidth and superscript digits.
@pytest.mark.parametrize("cursor", ["\u0661\u0662", "\uff11\uff12", "\u00b2"])
async def test_cursor_takes_ascii_digits_only(admin: Admin, cursor: str) -> None:
    body = await admin.run(
        "query($a: String) { auditEntries(after: $a) { nextCursor } }",
        {"a": cursor},
        token=admin.token(role=Role.AUDITOR),
        headers=AUDIT,
    )
    assert codes(body) == ["INVALID_ARGUMENT"], body
    assert body["errors"][0]["extensions"]["argument"] == "after"
