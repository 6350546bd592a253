"""Small input defects: officials' ids in any case, purposes in another script or too long."""

from __future__ import annotations

import pytest

from hub.auth.roles import Role
from hub.db.session import Database
from hub.identity.officials import canonical_official, same_official
from tests.hub.admin.conftest import Admin, codes
from tests.hub.admin.test_policy_versions import _document, _without_annual_amount
from tests.hub.admin.test_trusted_documents import APPROVE, _submit
from tests.schema.conftest import AGENCY

PROPOSE = 'mutation($d: JSON!) { proposePolicyVersion(document: $d, reason: "x", baseVersion: 1) }'
PROPOSE = """mutation($d: JSON!) {
  proposePolicyVersion(document: $d, reason: "tighten", baseVersion: 1)
}"""
APPROVE_VERSION = "mutation($v: Int!) { approvePolicyVersion(version: $v) { status } }"


def test_official_ids_compare_in_one_form() -> None:
    assert canonical_official(" PO.Fuzz.One ") == "po.fuzz.one"
    assert same_official("PO.FUZZ.ONE", "po.fuzz.one")
    assert not same_official("po.fuzz.one", "po.fuzz.two")


async def test_a_proposer_cannot_approve_under_another_case(admin: Admin) -> None:
    proposer = admin.token("po.fuzz.one", Role.PRIVACY_OFFICER)
    approver = admin.token("PO.FUZZ.ONE", Role.PRIVACY_OFFICER)
    document = _without_annual_amount(await _document(admin))
    body = await admin.run(PROPOSE, {"d": document}, token=proposer)
    version = body["data"]["proposePolicyVersion"]
    refused = await admin.run(APPROVE_VERSION, {"v": version}, token=approver)
    assert codes(refused) == ["VERSION_ERROR"], refused
    assert "proposer cannot approve" in refused["errors"][0]["message"]
    other = await admin.run(APPROVE_VERSION, {"v": version}, token=admin.token("po.fuzz.two"))
    assert other["data"]["approvePolicyVersion"]["status"] == "ACTIVE", other


async def test_a_submitter_cannot_approve_under_another_case(
    admin: Admin, database: Database
) -> None:
    digest = await _submit(database, by="po.fuzz.one")
    variables = {"agency": AGENCY, "hash": digest}
    own = await admin.run(APPROVE, variables, token=admin.token("PO.FUZZ.ONE"))
    assert "submitter cannot approve" in own["errors"][0]["message"], own
    other = await admin.run(APPROVE, variables, token=admin.token("po.fuzz.two"))
    assert other["data"]["approveTrustedDocument"]["status"] == "APPROVED", other


KOREAN = "기초생활수급자격".encode()  # what a client writing the purpose's name sends


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (KOREAN, "bytes outside ASCII"),
        (
            b"basic_livelihood_eligibility" + b"x" * 300,
            "328 characters long; a purpose code has at most 64",
        ),
    ],
)
async def test_a_purpose_that_is_no_code_is_refused_without_echo(
    admin: Admin, header: bytes, words: str
) -> None:
    hub = admin.hub
    headers = {k.encode(): v.encode() for k, v in hub.headers(purpose=None).items()}
    headers[b"Hub-Purpose"] = header
    response = await hub.client.post(
        "/graphql", json={"query": "{ myGrants { purpose } }"}, headers=headers
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "PURPOSE_NOT_DECLARED"}
    assert words in error["message"], error["message"]
    # Neither the mojibake nor the long value comes back.
    assert header.decode("latin-1") not in response.text
    assert "x" * 100 not in response.text
    assert hub.calls() == {}


async def test_a_declared_purpose_still_passes(admin: Admin) -> None:
    body = await admin.hub.query("{ myGrants { purpose } }")
    assert "errors" not in body, body
