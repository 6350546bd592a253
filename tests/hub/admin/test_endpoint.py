"""Who reaches /admin/graphql, and who reaches which of its fields."""

from __future__ import annotations

import pytest
from strawberry.types.base import get_object_definition

from hub.admin.permissions import (
    AuditorsOnly,
    CitizenPortalOnly,
    ConsentChannels,
    ConsentLookup,
    ConsentManagersOnly,
    OfficersOnly,
    OfficersSimulating,
    RolePermission,
)
from hub.admin.schema import Mutation, Query
from hub.auth.roles import Role
from hub.db.session import Database
from tests.hub.admin.conftest import ADMIN_URL, CASE_HEADER, Admin, codes
from tests.schema.conftest import AGENCY, Hub, HubFactory

VERSIONS = "{ policyVersions { version status proposedBy decidedBy activatedAt } }"
CONSENTS = 'query { consents(rrn: "8503142123456") { id } }'
PROPOSE = 'mutation($d: JSON!) { proposePolicyVersion(document: $d, reason: "x", baseVersion: 1) }'


async def test_agencies_are_refused_at_the_door(admin: Admin) -> None:
    token = admin.token(role=Role.AGENCY, agency=AGENCY)
    for query in (VERSIONS, CONSENTS):
        response = await admin.post(query, token=token)
        assert response.status_code == 403
        assert codes(response.json()) == ["FORBIDDEN_ROLE"]
        assert response.json()["data"] is None


async def test_an_agency_cannot_even_record_a_consent(admin: Admin) -> None:
    mutation = 'mutation { revokeConsent(id: "x", reason: "mine") { id } }'
    response = await admin.post(mutation, token=admin.token(role=Role.AGENCY, agency=AGENCY))
    assert response.status_code == 403
    assert codes(response.json()) == ["FORBIDDEN_ROLE"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not.a.token", "Basic abc"])
async def test_missing_or_bad_tokens_are_401(admin: Admin, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await admin.hub.client.post(ADMIN_URL, json={"query": VERSIONS}, headers=headers)
    assert response.status_code == 401
    assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "role", [Role.PRIVACY_OFFICER, Role.CONSENT_MANAGER, Role.AUDITOR, Role.CITIZEN_PORTAL]
)
async def test_admin_roles_are_refused_on_the_agencies_endpoint(admin: Admin, role: Role) -> None:
    response = await admin.hub.post(
        "{ myGrants { purpose } }", token=admin.token(role=role, client_id="tool")
    )
    assert response.status_code == 403
    assert codes(response.json()) == ["FORBIDDEN_ROLE"]


async def test_consent_managers_reach_only_consent_fields(admin: Admin) -> None:
    desk = admin.desk_token()
    for query in (
        VERSIONS,
        "{ policyDiff(fromVersion: 1, toVersion: 1) }",
        '{ simulate(agency: "LOCAL_WELFARE", purpose: "x", rrn: "8503142123456") '
        "{ wouldBeRefused } }",
    ):
        body = await admin.run(query, token=desk)
        assert codes(body) == ["FORBIDDEN_ROLE"], query
        assert body["data"] is None
    body = await admin.run(PROPOSE, {"d": {"agencies": []}}, token=desk)
    assert codes(body) == ["FORBIDDEN_ROLE"]
    body = await admin.run(CONSENTS, token=desk, headers=CASE_HEADER)
    assert body == {"data": {"consents": []}}


async def test_officers_cannot_record_consents(admin: Admin) -> None:
    body = await admin.run(
        """mutation { recordConsent(input: {rrn: "8503142123456", agency: "LOCAL_WELFARE",
             purpose: "basic_livelihood_eligibility", infoTypes: ["financialAssets"],
             validUntil: "2099-01-01T00:00:00Z", usage: PERIODIC, channel: WRITTEN}) { id } }"""
    )
    assert codes(body) == ["FORBIDDEN_ROLE"]


def test_every_field_declares_exactly_one_role_set() -> None:
    """No field is left open, none repeats a check by hand: each names one permission class."""
    declared = {}
    for root in (Query, Mutation):
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            [permission] = field.permission_classes
            assert issubclass(permission, RolePermission)
            declared[field.python_name] = permission
    assert declared == {
        "policy_versions": OfficersOnly,
        "policy_version": OfficersOnly,
        "policy_diff": OfficersOnly,
        "simulate": OfficersSimulating,
        "consents": ConsentLookup,
        "propose_policy_version": OfficersOnly,
        "approve_policy_version": OfficersOnly,
        "reject_policy_version": OfficersOnly,
        "record_consent": ConsentManagersOnly,
        "pause_consent": ConsentChannels,
        "resume_consent": ConsentChannels,
        "revoke_consent": ConsentChannels,
        "audit_entries": AuditorsOnly,
        "official_activity": AuditorsOnly,
        "latest_tree_head": AuditorsOnly,
        "audit_public_key": AuditorsOnly,
        "audit_public_keys": AuditorsOnly,
        "inclusion_proof": AuditorsOnly,
        "consistency_proof": AuditorsOnly,
        "export_range": AuditorsOnly,
        "sign_tree_head": AuditorsOnly,
        "audit_access_series": AuditorsOnly,
        "audit_refusal_series": AuditorsOnly,
        "official_activity_series": AuditorsOnly,
        "tree_heads": AuditorsOnly,
        "entry_inclusion": AuditorsOnly,
        "access_report": CitizenPortalOnly,
        "trusted_documents": OfficersOnly,
        "trusted_document": OfficersOnly,
        "approve_trusted_document": OfficersOnly,
        "reject_trusted_document": OfficersOnly,
        "revoke_trusted_document": OfficersOnly,
        "client": OfficersOnly,
        "disable_client": OfficersOnly,
        "enable_client": OfficersOnly,
        "remove_client_key": OfficersOnly,
        "agency_policy_toml": OfficersOnly,
        "check_agency_policy": OfficersOnly,
        "policy_diff_from_active": OfficersOnly,
        "replay_agency_policy": OfficersOnly,
        "replay_policy_version": OfficersOnly,
        "agency_grants": OfficersOnly,
        "propose_agency_policy": OfficersOnly,
    }


async def test_graphiql_and_introspection_follow_the_settings(
    hub_factory: HubFactory, database: Database
) -> None:
    for enabled in (True, False):
        hub: Hub = await hub_factory(
            database, policy="database", graphiql=enabled, introspection=enabled
        )
        admin = Admin(hub)
        page = await hub.client.get(ADMIN_URL, headers={"Accept": "text/html"})
        assert page.status_code == (200 if enabled else 405)
        body = await admin.run("{ __schema { queryType { name } } }")
        if enabled:
            assert body["data"]["__schema"]["queryType"]["name"] == "Query"
        else:
            assert body["data"] is None
            assert "introspection" in body["errors"][0]["message"].lower()
