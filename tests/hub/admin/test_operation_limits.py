"""Operation limits on both endpoints: a fan-out of fragments is refused before anything walks it.

The administrative endpoint had no limits at all; it now has the agencies'
(HUB_ADMIN_LIMITS). Each request runs under `no_hang`: before, the fan-out
held the event loop for hours, and 900 kB of conflicting fields for seconds.
"""

from __future__ import annotations

from typing import Any

import httpx

from hub.auth.roles import Role
from hub.db.session import Database
from tests.hangs import no_hang
from tests.hub.admin.conftest import Admin
from tests.schema.conftest import HubFactory
from tests.schema.test_shape import fan_out

AGENCY_LEAF = "myGrants { purpose }"
ADMIN_LEAF = "policyVersions { version }"


def _only_error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    assert isinstance(error, dict)
    return error


async def test_fan_out_is_refused_on_both_endpoints(admin: Admin) -> None:
    hub = admin.hub
    with no_hang(10):
        agencies = await hub.client.post(
            "/graphql", json={"query": fan_out(30, AGENCY_LEAF)}, headers=hub.headers()
        )
        office = await admin.post(fan_out(30, ADMIN_LEAF), token=admin.token())
    for response in (agencies, office):
        error = _only_error(response)
        assert error["extensions"] == {"code": "TOO_MANY_SELECTIONS", "limit": 2000}
        assert "more than 2000 field selections" in error["message"]
    assert hub.calls() == {}


async def test_a_modest_fan_out_still_runs(admin: Admin) -> None:
    # 2^9 spreads of one field under one root field: 513 selections, under 2,000.
    fragments = fan_out(9, "version", on="PolicyVersion").split("\n", 1)[1]
    body = await admin.run("{ policyVersions { ...F0 } }\n" + fragments)
    assert "errors" not in body, body
    assert body["data"]["policyVersions"][-1] == {"version": 1}


async def test_conflicting_fields_are_refused_by_tokens_on_admin(admin: Admin) -> None:
    fields = " ".join(f"policyVersion(version: {i}) {{ version }}" for i in range(20_000))
    with no_hang(10):
        response = await admin.post(f"{{ {fields} }}", token=admin.token())
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert errors[0]["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 2000}, errors


async def test_admin_depth_aliases_and_root_fields(
    hub_factory: HubFactory, database: Database
) -> None:
    hub = await hub_factory(
        database,
        policy="database",
        admin_limits={"max_depth": 2, "max_aliases": 1, "max_root_fields": 2},
    )
    admin = Admin(hub)
    auditor = admin.token(role=Role.AUDITOR)
    two_levels = await admin.run("{ latestTreeHead { size } }", token=auditor)
    assert "errors" not in two_levels, two_levels
    three = (
        "{ policyVersions { version } a: policyVersions { version } b: policyVersions { version } }"
    )
    body = (await admin.post(three, token=admin.token())).json()
    codes = sorted(e["extensions"]["code"] for e in body["errors"])
    assert codes == ["TOO_MANY_ALIASES", "TOO_MANY_ROOT_FIELDS"], body
    error = _only_error(
        await admin.post("{ auditEntries(first: 1) { items { seq } } }", token=auditor)
    )
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 2, "found": 3}
    assert hub.calls() == {}


async def test_admin_limits_do_not_touch_the_agencies(
    hub_factory: HubFactory, database: Database
) -> None:
    hub = await hub_factory(database, admin_limits={"max_tokens": 5})
    body = await hub.query("{ myGrants { purpose } }")
    assert "errors" not in body, body
    response = await Admin(hub).post("{ policyVersions { version } }", token=Admin(hub).token())
    assert _only_error(response)["extensions"]["code"] == "TOO_MANY_TOKENS"
