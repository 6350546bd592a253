"""Officers switch a client off at /admin/graphql; its tokens stop working at once."""

from __future__ import annotations

from hub.auth.roles import Role
from hub.oauth.clients import register_client
from tests.hub.admin.conftest import Admin, codes
from tests.hub.oauth.forge import ClientKeys

DISABLE = """mutation($c: String!, $r: String!) { disableClient(clientId: $c, reason: $r) {
    disabled disabledBy disabledReason disabledAt changes { action actor reason at } } }"""


async def test_an_officer_disables_a_client_and_its_tokens_are_refused(admin: Admin) -> None:
    services = admin.hub.app.state.services
    await register_client(
        services.database, code="LOCAL_WELFARE", jwks=ClientKeys.ed25519().public_jwks
    )
    agency_token = admin.token(
        "kim.01", Role.AGENCY, client_id="LOCAL_WELFARE", agency="LOCAL_WELFARE"
    )
    query = {"query": "{ myGrants { purpose } }"}
    headers = {"Authorization": f"Bearer {agency_token}"}
    before = await admin.hub.client.post("/graphql", json=query, headers=headers)
    assert before.status_code == 200, before.text

    body = await admin.run(DISABLE, {"c": "LOCAL_WELFARE", "r": "key leaked"})
    found = body["data"]["disableClient"]
    assert found["disabled"] and found["disabledBy"] == "officer.a"
    assert found["disabledReason"] == "key leaked" and found["disabledAt"]
    assert [(c["action"], c["actor"]) for c in found["changes"]] == [("disabled", "officer.a")]

    after = await admin.hub.client.post("/graphql", json=query, headers=headers)
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    again = await admin.run(DISABLE, {"c": "LOCAL_WELFARE", "r": "twice"})
    assert codes(again) == ["CLIENT_CHANGE_REFUSED"]
    unknown = await admin.run(DISABLE, {"c": "GHOST", "r": "x"})
    assert codes(unknown) == ["NOT_FOUND"]


async def test_only_officers_switch_clients_off(admin: Admin) -> None:
    token = admin.token("aud.1", Role.AUDITOR)
    body = await admin.run(DISABLE, {"c": "LOCAL_WELFARE", "r": "x"}, token=token)
    assert codes(body) == ["FORBIDDEN_ROLE"]
