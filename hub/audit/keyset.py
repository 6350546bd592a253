"""The public keys that verify signed tree heads, chosen by each head's key id.

The hub holds a set of audit keys (HUB_AUDIT_SIGNING_KEYS): the first signs
new heads, all verify. Over the log's retention (five years) keys are
rotated, so an export or the database holds heads signed by several keys
and each head names its own (`key_id`). A verifier is given the set as a
JWKS (the hub publishes it at /audit/keys.json) and checks each head with
the key of that id; a head naming a key outside the set is refused, not
tried against the others.

A lone PEM key (or a JWK without a kid) carries no key id: it is tried for
every head whatever kid the head names, as verifiers did before key sets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from hub.keys import KeyRing


@dataclass(frozen=True)
class AuditPublicKeys:
    """Ed25519 public keys by key id, and possibly one key that names no id."""

    by_kid: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)
    #: A key without a kid (PEM): it verifies heads of any key id.
    unnamed: Ed25519PublicKey | None = None

    def key_for(self, kid: str) -> Ed25519PublicKey | None:
        """The key that must have signed a head naming `kid`, or None when the set lacks it."""
        return self.by_kid.get(kid, self.unnamed)

    def describe(self) -> str:
        """The key ids, for messages (never the keys)."""
        kids = ", ".join(sorted(self.by_kid)) or "none"
        return kids if self.unnamed is None else f"{kids} and one key without a kid"


#: What verifiers accept: a key set, or one bare public key (tried for every head).
HeadKeys = AuditPublicKeys | Ed25519PublicKey


def as_key_set(keys: HeadKeys) -> AuditPublicKeys:
    """`keys` as a key set (a bare key becomes the set's unnamed key)."""
    return keys if isinstance(keys, AuditPublicKeys) else AuditPublicKeys(unnamed=keys)


def heads_jwks(ring: KeyRing) -> dict[str, Any]:
    """The public JWKS the hub publishes for its tree heads (/audit/keys.json)."""
    return ring.public_audit_jwks()


def ring_public_keys(ring: KeyRing) -> AuditPublicKeys:
    """The hub's own audit key set, by kid (the development verifier's key)."""
    return load_jwks(ring.public_audit_jwks())


def load_audit_keys(text: str) -> AuditPublicKeys:
    """A key set from PEM, a JWK or a JWKS (JSON); ValueError saying why not."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        try:
            key = serialization.load_pem_public_key(stripped.encode())
        except ValueError:
            raise ValueError("not a PEM public key, a JWK or a JWKS") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the audit public key must be an Ed25519 key")
        return AuditPublicKeys(unnamed=key)
    try:
        data = json.loads(stripped)
    except ValueError:
        raise ValueError("not valid JSON") from None
    if isinstance(data, dict) and "keys" not in data:
        jwk = _jwk(data, "the JWK")
        if data.get("kid"):
            return AuditPublicKeys(by_kid={str(data["kid"]): jwk})
        return AuditPublicKeys(unnamed=jwk)
    return load_jwks(data)


def load_jwks(data: object) -> AuditPublicKeys:
    """A key set from a parsed JWKS: Ed25519 keys, each with its own kid."""
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError('a JWKS is a JSON object {"keys": [...]} with at least one key')
    by_kid: dict[str, Ed25519PublicKey] = {}
    for index, entry in enumerate(entries):
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str) or not kid:
            raise ValueError(f"key {index} of the JWKS has no kid: heads are matched by kid")
        if kid in by_kid:
            raise ValueError(f"key id {kid!r} appears twice in the JWKS")
        by_kid[kid] = _jwk(entry, f"key {kid!r}")
    return AuditPublicKeys(by_kid=by_kid)


def _jwk(data: dict[str, Any], what: str) -> Ed25519PublicKey:
    if data.get("kty") != "OKP" or data.get("crv") != "Ed25519":
        raise ValueError(f"{what} is not an Ed25519 (OKP) key")
    try:
        # Only the public half is kept: a verifier has no use for a private one.
        public = OKPKey.import_key(data).as_dict(private=False)
        key = OKPKey.import_key(public).public_key
    except (JoseError, ValueError, TypeError):
        raise ValueError(f"{what} does not parse") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{what} is not an Ed25519 key")
    return key
