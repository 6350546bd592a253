"""Privacy officers review trusted documents at /admin/graphql; decisions apply at once."""

from __future__ import annotations

from typing import Any

import pytest

from hub.auth.roles import Role
from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.documents.store import DocumentStatus
from simulator.population import Population
from tests.hub.admin.conftest import OFFICER_A, OFFICER_B, Admin, codes
from tests.hub.documents.helpers import NAME_QUERY, register, submission
from tests.schema.conftest import AGENCY, PURPOSE, HubFactory

FIELDS = """
  agency documentId hash status operationNames submittedBy reviewedBy reviewNote
  review {
    policyVersion fullyCovered
    operations {
      name readsData personsPerRequest walksHousehold runnableFor
      fields { infoType field granted grantedFor { purpose form consentRequired } }
    }
  }
"""
LIST = f"""query($agency: String, $status: TrustedDocumentStatus) {{
  trustedDocuments(agency: $agency, status: $status) {{ {FIELDS} }}
}}"""
ONE = f"""query($agency: String!, $hash: String!) {{
  trustedDocument(agency: $agency, hash: $hash) {{ {FIELDS} }}
}}"""
APPROVE = """mutation($agency: String!, $hash: String!) {
  approveTrustedDocument(agency: $agency, hash: $hash) { status reviewedBy }
}"""
REJECT = """mutation($agency: String!, $hash: String!, $reason: String!) {
  rejectTrustedDocument(agency: $agency, hash: $hash, reason: $reason) { status reviewNote }
}"""
REVOKE = """mutation($agency: String!, $hash: String!, $reason: String!) {
  revokeTrustedDocument(agency: $agency, hash: $hash, reason: $reason) {
    status reviewedBy reviewNote
  }
}"""


async def _submit(database: Database, body: str = NAME_QUERY, by: str = OFFICER_A) -> str:
    await store.submit(database, AGENCY, [submission(body)], by)
    return document_hash(body)


async def test_officers_see_what_a_pending_document_reads_and_the_policy_s_answer(
    admin: Admin, database: Database
) -> None:
    digest = await _submit(database)
    body = await admin.run(LIST, {"agency": "local_welfare", "status": "PENDING"})
    assert "errors" not in body, body
    (doc,) = body["data"]["trustedDocuments"]
    assert doc["documentId"] == f"sha256:{digest}" and doc["status"] == "PENDING"
    assert doc["operationNames"] == ["Applicant"]
    review = doc["review"]
    assert review["policyVersion"] == 1 and review["fullyCovered"]
    (operation,) = review["operations"]
    assert operation["personsPerRequest"] == 1 and not operation["walksHousehold"]
    assert PURPOSE in operation["runnableFor"]
    fields = {f["field"]: f for f in operation["fields"]}
    assert set(fields) == {"name", "district"}
    assert {"purpose": PURPOSE, "form": "full", "consentRequired": False} in fields["name"][
        "grantedFor"
    ]
    # Another status filters it out.
    approved = await admin.run(LIST, {"agency": AGENCY, "status": "APPROVED"})
    assert approved["data"]["trustedDocuments"] == []


async def test_a_document_reading_ungranted_fields_is_shown_uncovered(
    admin: Admin, database: Database
) -> None:
    raw = """query Raw($rrn: String!) {
  person(rrn: $rrn) { residentRegistration { registrationNumber } }
}"""
    digest = await _submit(database, raw)
    body = await admin.run(ONE, {"agency": AGENCY, "hash": f"sha256:{digest}"})
    (operation,) = body["data"]["trustedDocument"]["review"]["operations"]
    (field,) = operation["fields"]
    # LOCAL_WELFARE gets the full number only to recover overpayments.
    assert [g["purpose"] for g in field["grantedFor"]] == ["overpayment_recovery"]
    assert operation["runnableFor"] == ["overpayment_recovery"]


async def test_four_eyes_the_submitter_cannot_approve(admin: Admin, database: Database) -> None:
    digest = await _submit(database, by=OFFICER_A)
    own = await admin.run(APPROVE, {"agency": AGENCY, "hash": digest})
    assert codes(own) == ["DOCUMENT_ERROR"]
    assert "submitter cannot approve" in own["errors"][0]["message"]
    other = await admin.run(
        APPROVE, {"agency": AGENCY, "hash": digest}, token=admin.token(OFFICER_B)
    )
    assert other["data"]["approveTrustedDocument"] == {
        "status": "APPROVED",
        "reviewedBy": OFFICER_B,
    }
    again = await admin.run(
        APPROVE, {"agency": AGENCY, "hash": digest}, token=admin.token("officer.c")
    )
    assert codes(again) == ["DOCUMENT_ERROR"]


async def test_rejecting_needs_a_reason(admin: Admin, database: Database) -> None:
    digest = await _submit(database)
    empty = await admin.run(REJECT, {"agency": AGENCY, "hash": digest, "reason": " "})
    assert codes(empty) == ["DOCUMENT_ERROR"]
    done = await admin.run(
        REJECT, {"agency": AGENCY, "hash": digest, "reason": "asks for the address"}
    )
    assert done["data"]["rejectTrustedDocument"] == {
        "status": "REJECTED",
        "reviewNote": "asks for the address",
    }


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"agency": AGENCY, "hash": "0" * 64}, "NOT_FOUND"),
        ({"agency": "NPS", "hash": document_hash(NAME_QUERY)}, "NOT_FOUND"),
        ({"agency": "NOBODY", "hash": "0" * 64}, "INVALID_ARGUMENT"),
        ({"agency": AGENCY, "hash": "sha1:abc"}, "INVALID_ARGUMENT"),
    ],
)
async def test_unknown_documents_and_bad_arguments(
    admin: Admin, database: Database, variables: dict[str, Any], code: str
) -> None:
    await _submit(database)
    assert codes(await admin.run(ONE, variables)) == [code]


async def test_only_privacy_officers_review(admin: Admin, database: Database) -> None:
    digest = await _submit(database)
    for token in (admin.desk_token(), admin.token("aud.1", Role.AUDITOR)):
        assert codes(await admin.run(LIST, {}, token=token)) == ["FORBIDDEN_ROLE"]
        assert codes(await admin.run(APPROVE, {"agency": AGENCY, "hash": digest}, token=token)) == [
            "FORBIDDEN_ROLE"
        ]


async def test_revocation_refuses_the_agency_s_next_request(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    # A long refresh interval: only the decision's invalidation can make this pass.
    hub = await hub_factory(
        database, policy="database", trusted_document_agencies=[AGENCY], policy_refresh_s=3600
    )
    admin = Admin(hub)
    digest = await register(database, AGENCY, NAME_QUERY)
    request = {"documentId": f"sha256:{digest}", "variables": {"rrn": population.sample_rrns(1)[0]}}
    served = await hub.client.post("/graphql", json=request, headers=hub.headers())
    assert served.status_code == 200 and "errors" not in served.json(), served.text

    revoked = await admin.run(REVOKE, {"agency": AGENCY, "hash": digest, "reason": "leaked client"})
    assert revoked["data"]["revokeTrustedDocument"] == {
        "status": "REVOKED",
        "reviewedBy": OFFICER_A,
        "reviewNote": "leaked client",
    }
    refused = await hub.client.post("/graphql", json=request, headers=hub.headers())
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["status"] == DocumentStatus.REVOKED.value
