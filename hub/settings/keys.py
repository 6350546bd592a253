"""The settings that hold the hub's keys, kept apart from the rest of `Settings`.

`hub.settings.Settings` inherits these fields; `hub.keys` turns them into
the running hub's key ring. Each is a secret (`SecretStr`), never printed.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KeySettings(BaseSettings):
    """The key material of the hub; production must set every one of them."""

    # `Settings` repeats this; it is here so the fields never read unprefixed variables.
    model_config = SettingsConfigDict(env_prefix="HUB_", hide_input_in_errors=True)

    token_signing_keys: SecretStr | None = Field(
        default=None,
        description="Private JWKS (JSON) of Ed25519 keys with `kid`s: the first signs "
        "access tokens, all verify them (rotate by putting a new key first and removing "
        "the old one once its tokens have expired); development generates one in data_dir.",
    )
    audit_signing_keys: SecretStr | None = Field(
        default=None,
        description="Private JWKS (JSON) of Ed25519 keys with `kid`s for the audit log's "
        "tree heads: the first signs new heads, all verify and are published "
        "(/audit/keys.json), so heads signed by a retired key stay verifiable; rotate by "
        "putting a new key first and keeping the old ones for the log's retention.",
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        description="A single private Ed25519 JWK with a `kid` signing the tree heads: the "
        "same as HUB_AUDIT_SIGNING_KEYS holding only it (set one of the two, not both); "
        "development generates one in data_dir.",
    )
    subject_hash_key: SecretStr | None = Field(
        default=None,
        description="Base64 key of the keyed hash that turns registration numbers "
        "into the hub's person ids.",
    )
    subject_encryption_keys: SecretStr | None = Field(
        default=None,
        description="JSON object {key id: base64 AES-256 key} for registration "
        "numbers at rest; the first entry encrypts, all decrypt.",
    )
