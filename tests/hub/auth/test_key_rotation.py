"""Rotating the hub's token keys without downtime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from hub.auth.tokens import InvalidToken, issue_token, verify_token
from hub.keys import load_keys
from hub.settings import Settings, UnsafeSettings


def _key(kid: str) -> OKPKey:
    return OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig"})


def _settings(data_dir: Path, *keys: OKPKey) -> Settings:
    jwks = {"keys": [key.as_dict(private=True) for key in keys]}
    return Settings(data_dir=data_dir, token_signing_keys=json.dumps(jwks))


def _kid(token: str) -> str:
    return str(jws.extract_compact(token.encode()).headers()["kid"])


def test_old_tokens_verify_until_their_key_is_removed(data_dir: Path) -> None:
    old, new = _key("hub-2026-01"), _key("hub-2026-07")

    before = _settings(data_dir, old)
    old_token = issue_token(load_keys(before), before, agency="A", official="o")
    assert _kid(old_token) == "hub-2026-01"

    # Step 1 (optional): publish the new key second; the old one still signs.
    published = _settings(data_dir, old, new)
    assert _kid(issue_token(load_keys(published), published, agency="A", official="o")) == (
        "hub-2026-01"
    )

    # Step 2: the new key signs; tokens of the old key still verify.
    during = _settings(data_dir, new, old)
    ring = load_keys(during)
    assert verify_token(ring, during, old_token).official == "o"
    new_token = issue_token(ring, during, agency="A", official="o")
    assert _kid(new_token) == "hub-2026-07"
    assert [k["kid"] for k in ring.public_token_jwks()["keys"]] == ["hub-2026-07", "hub-2026-01"]

    # Step 3, once old tokens have expired: drop the old key.
    after = _settings(data_dir, new)
    ring = load_keys(after)
    assert verify_token(ring, after, new_token).official == "o"
    with pytest.raises(InvalidToken, match="unknown kid"):
        verify_token(ring, after, old_token)


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ("not json", "not JSON"),
        ('{"keys": []}', "at least one key"),
        (json.dumps({"keys": [_key("a").as_dict(private=False)]}), "private part"),
        (json.dumps({"keys": [{**_key("a").as_dict(private=True), "kid": ""}]}), "kid"),
        (json.dumps({"keys": [_key("a").as_dict(private=True)] * 2}), "unique"),
        (json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}), "Ed25519"),
    ],
)
def test_unusable_signing_keys_are_refused(data_dir: Path, jwks: str, message: str) -> None:
    settings = Settings(data_dir=data_dir, token_signing_keys=jwks)
    with pytest.raises(UnsafeSettings, match=message):
        load_keys(settings)
