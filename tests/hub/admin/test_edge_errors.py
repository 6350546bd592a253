"""The administrative endpoint at the edges: coded errors, masked alike, logged quietly."""

from __future__ import annotations

import logging

import pytest

from hub.auth.roles import Role
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.conftest import CASE_HEADER, Admin, codes
from tests.schema.conftest import HubFactory

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


TYPO = "{ policyVersions { versio } }"


async def test_suggestions_are_masked_on_admin_in_production(
    hub_factory: HubFactory, database: Database
) -> None:
    masked = Admin(await hub_factory(database, policy="database", mask_errors=True))
    body = await masked.run(TYPO)
    [error] = body["errors"]
    assert error["message"] == "Cannot query field 'versio' on type 'PolicyVersion'.", error
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    open_ = Admin(await hub_factory(database, policy="database", mask_errors=False))
    assert "Did you mean 'version'" in (await open_.run(TYPO))["errors"][0]["message"]


@pytest.mark.parametrize("mask_errors", [True, False])
async def test_internal_errors_are_worded_alike_on_both_endpoints(
    hub_factory: HubFactory,
    database: Database,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
    mask_errors: bool,
) -> None:
    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    def parse_boom(text: str, index: int | None = None) -> str:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("policies.versions.list_versions", boom)
    monkeypatch.setattr("schema.query._parse", parse_boom)
    hub = await hub_factory(database, policy="database", mask_errors=mask_errors)
    office = (await Admin(hub).run("{ policyVersions { version } }"))["errors"][0]
    # Always masked here: nothing of the administrative endpoint's insides leaks.
    assert office == {
        "message": "Unexpected error.",
        "locations": [{"line": 1, "column": 3}],
        "path": ["policyVersions"],
        "extensions": {"code": "INTERNAL_ERROR"},
    }
    query = "query($r: String!) { person(rrn: $r) { id } }"
    agencies = (await hub.query(query, {"r": population.sample_rrns(1)[0]}))["errors"][0]
    if mask_errors:
        assert {k: agencies[k] for k in ("message", "extensions")} == {
            "message": office["message"],
            "extensions": office["extensions"],
        }
    else:
        assert "secret internal detail" in agencies["message"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($v: Int) { __typename }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ __typename", "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_validation_errors_have_a_code_on_both_endpoints(
    admin: Admin, query: str, code: str
) -> None:
    office = await admin.run(query)
    agencies = await admin.hub.query(query)
    for body in (office, agencies):
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], body


async def test_variable_coercion_errors_have_a_code(admin: Admin) -> None:
    body = await admin.run("query($v: Int!) { policyVersion(version: $v) { version } }", {"v": "x"})
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body


EXPECTED_ERRORS: list[tuple[str, dict[str, object] | None, str, str]] = [
    ("{ policyVersion(version: 999) { version } }", None, "NOT_FOUND", "policyVersion"),
    (
        'mutation { pauseConsent(id: "nope", reason: " ") { id } }',
        None,
        "CONSENT_ERROR",
        "pauseConsent",
    ),
    (
        'mutation($d: JSON!) { proposePolicyVersion(document: $d, reason: "x", baseVersion: 1) }',
        {"d": {"agencies": {"NOPE": {}}}},
        "POLICY_INVALID",
        "proposePolicyVersion",
    ),
    ('{ consents(rrn: "123") { id } }', None, "INVALID_RRN", "consents"),
]


@pytest.mark.parametrize(("query", "variables", "code", "path"), EXPECTED_ERRORS)
async def test_expected_admin_errors_are_one_quiet_line(
    admin: Admin,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, object] | None,
    code: str,
    path: str,
) -> None:
    with caplog.at_level(logging.INFO):
        body = await admin.run(query, variables, headers=CASE_HEADER)
    assert codes(body) == [code], body
    lines = [r for r in caplog.records if r.name == "hub.graphql"]
    assert [(r.levelno, r.getMessage()) for r in lines] == [
        (logging.INFO, f"graphql error {code} at {path}")
    ]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_unexpected_admin_errors_keep_their_traceback(
    admin: Admin, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("policies.versions.list_versions", boom)
    await admin.run("{ policyVersions { version } }")
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None and "a bug" in str(record.exc_info[1])
