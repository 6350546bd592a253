"""`GET /audit/keys.json`: the public keys that verify the hub's tree heads."""

from __future__ import annotations

from hub.audit.export import export_range
from hub.audit.keyset import load_jwks
from hub.audit.verify import verify_export
from hub.db.session import Database
from tests.schema.conftest import HubFactory


async def test_the_audit_keys_are_published(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database)
    response = await hub.client.get("/audit/keys.json")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "public, max-age=300"
    jwks = response.json()
    keys = hub.app.state.services.keys
    assert keys.audit_signing is not None
    assert [k["kid"] for k in jwks["keys"]] == [keys.audit_signing.kid]
    assert all("d" not in k for k in jwks["keys"])
    # What is published verifies what the hub exports.
    report = verify_export(await export_range(database, keys, 0, 0), load_jwks(jwks))
    assert report.ok, report.summary()
