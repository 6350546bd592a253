"""Helpers shared by the auditor, citizen-portal and signer tests."""

from __future__ import annotations

from typing import Any

from hub.auth.roles import Role
from tests.hub.admin.conftest import Admin
from tests.schema.conftest import AGENCY, PURPOSE, Hub

AUDITOR = "auditor.park"
AUDIT_CLIENT = "audit-office"
AUDIT_CASE = "INQ-2026-0007"
PORTAL_CLIENT = "citizen-portal"
PERSON = "query($r: String!) { person(rrn: $r) { residentRegistration { name district } } }"
ENTRY_FIELDS = """seq occurredAt kind requestId agency official purpose caseRef person outcome
                  released refused legalBasis policyVersion consentIds clientAddr queryHash
                  suppressedUntil leafHash"""
SEARCH = f"""query($f: AuditFilter, $first: Int! = 50, $after: String) {{
    auditEntries(filter: $f, first: $first, after: $after) {{
        items {{ {ENTRY_FIELDS} }} nextCursor }} }}"""


def auditor_token(admin: Admin, official: str = AUDITOR) -> str:
    """An auditor's token."""
    return admin.token(official, Role.AUDITOR, client_id=AUDIT_CLIENT)


def portal_token(admin: Admin) -> str:
    """The citizen portal's token."""
    return admin.token("portal.service", Role.CITIZEN_PORTAL, client_id=PORTAL_CLIENT)


async def audit(
    admin: Admin,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    case: str | None = AUDIT_CASE,
    token: str | None = None,
) -> dict[str, Any]:
    """Run an operation as an auditor, naming the inquiry in Hub-Case-Ref."""
    headers = {} if case is None else {"Hub-Case-Ref": case}
    return await admin.run(query, variables, token=token or auditor_token(admin), headers=headers)


async def search(admin: Admin, **filter: Any) -> list[dict[str, Any]]:
    """Every entry matching `filter` (one page of up to 500), newest first."""
    body = await audit(admin, SEARCH, {"f": filter, "first": 500})
    assert "errors" not in body, body
    items: list[dict[str, Any]] = body["data"]["auditEntries"]["items"]
    return items


async def access(
    hub: Hub,
    rrn: str,
    *,
    agency: str = AGENCY,
    purpose: str = PURPOSE,
    official: str = "kim.01",
    case: str = "CASE-2026-0001",
) -> None:
    """An agency's official looks a person up through the agencies' endpoint."""
    token = hub.token(agency, official)
    body = await hub.query(PERSON, {"r": rrn}, purpose=purpose, case=case, token=token)
    assert "errors" not in body, body
