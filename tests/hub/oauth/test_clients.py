"""Registering clients: only public asymmetric keys, known agencies, stable roles."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import OctKey, RSAKey

from hub.auth.roles import Role
from hub.db.session import Database
from hub.oauth.clients import (
    ClientRegistrationError,
    get_client,
    register_client,
    validate_public_jwks,
)
from tests.hub.oauth.forge import ClientKeys


async def test_register_then_update_keeps_one_row(database: Database) -> None:
    old, new = ClientKeys.ed25519("k-2026-01"), ClientKeys.es256("k-2026-07")
    first = await register_client(database, code="LOCAL_WELFARE", jwks=old.public_jwks)
    assert first.created and first.client_id == "LOCAL_WELFARE"
    assert "registered client LOCAL_WELFARE (role agency, agency LOCAL_WELFARE)" in first.describe()
    both = {"keys": old.public_jwks["keys"] + new.public_jwks["keys"]}
    second = await register_client(database, code="LOCAL_WELFARE", jwks=both)
    assert not second.created
    assert second.describe().endswith("with keys k-2026-01, k-2026-07 (were k-2026-01)")
    client = await get_client(database, "LOCAL_WELFARE")
    assert client is not None
    assert (client.role, client.agency, client.active) == (Role.AGENCY, "LOCAL_WELFARE", True)
    assert [k.kid for k in client.keys.keys] == ["k-2026-01", "k-2026-07"]
    assert client.name  # the agency's name from the catalog


async def test_several_applications_of_one_agency(database: Database) -> None:
    keys = ClientKeys.ed25519()
    done = await register_client(
        database, code="LOCAL_WELFARE", jwks=keys.public_jwks, client_id="LOCAL_WELFARE.batch"
    )
    client = await get_client(database, done.client_id)
    assert client is not None and client.agency == "LOCAL_WELFARE"
    assert await get_client(database, "LOCAL_WELFARE") is None


async def test_other_roles_belong_to_no_agency(database: Database) -> None:
    keys = ClientKeys.ed25519()
    await register_client(
        database, code="PRIVACY_DESK", jwks=keys.public_jwks, role=Role.PRIVACY_OFFICER
    )
    client = await get_client(database, "PRIVACY_DESK")
    assert client is not None
    assert (client.role, client.agency, client.name) == (
        Role.PRIVACY_OFFICER,
        None,
        "PRIVACY_DESK",
    )


async def test_unknown_agency_is_refused(database: Database) -> None:
    with pytest.raises(ClientRegistrationError, match="unknown agency 'NOPE'"):
        await register_client(database, code="NOPE", jwks=ClientKeys.ed25519().public_jwks)


async def test_role_of_a_client_cannot_change(database: Database) -> None:
    keys = ClientKeys.ed25519()
    await register_client(database, code="TOOL", jwks=keys.public_jwks, role=Role.AUDITOR)
    with pytest.raises(ClientRegistrationError, match="registered as auditor"):
        await register_client(
            database, code="TOOL", jwks=keys.public_jwks, role=Role.PRIVACY_OFFICER
        )


def _with(entry: dict[str, Any]) -> dict[str, Any]:
    return {"keys": [entry]}


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ({"keys": []}, "at least one key"),
        ([], "at least one key"),
        (
            _with(dict(ClientKeys.ed25519("p").key.as_dict(private=True))),
            "private key material",
        ),
        (dict(ClientKeys.ed25519("p").key.as_dict(private=True)), "private key material"),
        (
            _with(dict(OctKey.generate_key(256, parameters={"kid": "h"}).as_dict())),
            "symmetric",
        ),
        (
            _with(dict(RSAKey.generate_key(2048, parameters={"kid": "r"}).as_dict(private=False))),
            "only Ed25519",
        ),
        (_with({"kty": "OKP", "crv": "X25519", "x": "AAAA", "kid": "x"}), "only Ed25519"),
        (
            _with(
                {
                    k: v
                    for k, v in ClientKeys.ed25519("k").public_jwks["keys"][0].items()
                    if k != "kid"
                }
            ),
            "has no kid",
        ),
        (
            {"keys": ClientKeys.ed25519("same").public_jwks["keys"] * 2},
            "must be unique",
        ),
        (
            _with({**ClientKeys.es256("e").public_jwks["keys"][0], "use": "enc"}),
            "not a signing key",
        ),
        (_with({"kty": "OKP", "crv": "Ed25519", "x": "!!", "kid": "bad"}), "does not parse"),
    ],
)
def test_unacceptable_jwks_is_refused_with_a_clear_error(jwks: object, message: str) -> None:
    with pytest.raises(ClientRegistrationError, match=message):
        validate_public_jwks(jwks)


def test_accepted_jwks_is_reduced_to_public_members() -> None:
    keys = ClientKeys.es256("e1")
    entry = {**keys.public_jwks["keys"][0], "alg": "ES256"}
    cleaned = validate_public_jwks(_with(entry))
    assert cleaned["keys"][0]["kid"] == "e1"
    assert "d" not in cleaned["keys"][0]
    assert validate_public_jwks(entry) == cleaned  # a lone public JWK is a set of one
