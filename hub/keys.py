"""The hub's key material: token keys, the subject hash key, encryption keys.

Production takes every key from settings. Outside production a missing key is
generated once and kept in `data_dir/dev-keys.json` (mode 0600), so a newcomer
needs no set-up and restarts keep issued tokens valid. Development keys carry
a `dev-` key id, which production refuses even when they are pasted into its
settings.

Access-token keys rotate without downtime: HUB_TOKEN_SIGNING_KEYS is a
private JWKS whose first key signs and whose every key verifies (and is
published at /.well-known/jwks.json). To rotate, add the new key second
(published, not yet signing), then move it first, then remove the old key
once the tokens it signed have expired (HUB_ACCESS_TOKEN_TTL_S, at most
10 minutes); a token whose kid is no longer in the set is refused.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from hub.settings import Settings, UnsafeSettings

DEV_KID_PREFIX = "dev-"
TOKEN_ALGORITHMS = ["Ed25519"]


@dataclass(frozen=True)
class KeyRing:
    """Keys the running hub uses; built once per app."""

    token_verification: KeySet
    token_signing: OKPKey | None
    subject_hash_key: bytes
    subject_encryption_keys: dict[str, bytes]
    active_encryption_kid: str
    audit_signing: OKPKey | None = None

    def public_token_jwks(self) -> dict[str, Any]:
        """The public JWKS of every key that verifies access tokens (for /.well-known/jwks.json)."""
        return {"keys": [dict(key.as_dict(private=False)) for key in self.token_verification.keys]}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str, what: str, size: int) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise UnsafeSettings(f"{what} is not valid base64") from None
    if len(raw) != size:
        raise UnsafeSettings(f"{what} must be {size} bytes, got {len(raw)}")
    return raw


def _dev_key_file(settings: Settings) -> dict[str, Any]:
    """Read the development key file, creating it with fresh keys if absent."""
    path: Path = settings.data_dir / "dev-keys.json"
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    kid = f"{DEV_KID_PREFIX}{secrets.token_hex(4)}"
    signing = OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig"})
    content = {
        "comment": "development keys, generated on first run; never use in production",
        "token_signing_key": signing.as_dict(private=True),
        "subject_hash_key": _b64(secrets.token_bytes(32)),
        "subject_encryption_keys": {f"{DEV_KID_PREFIX}1": _b64(secrets.token_bytes(32))},
        "audit_signing_key": _new_audit_key(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle, indent=2)
    return content


def _new_audit_key() -> dict[str, Any]:
    kid = f"{DEV_KID_PREFIX}audit-{secrets.token_hex(4)}"
    return dict(OKPKey.generate_key("Ed25519", parameters={"kid": kid}).as_dict(private=True))


def _dev_audit_key(settings: Settings, dev: dict[str, Any]) -> dict[str, Any]:
    # Key files written before the audit key existed get one added, once.
    if "audit_signing_key" not in dev:
        dev["audit_signing_key"] = _new_audit_key()
        path = settings.data_dir / "dev-keys.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(dev, handle, indent=2)
    key: dict[str, Any] = dev["audit_signing_key"]
    return key


def load_keys(settings: Settings) -> KeyRing:
    """Build the key ring from settings, falling back to development keys outside production."""
    dev: dict[str, Any] | None = None

    def dev_keys() -> dict[str, Any]:
        nonlocal dev
        if dev is None:
            dev = _dev_key_file(settings)
        return dev

    if settings.token_signing_keys is not None:
        signing_keys = _token_signing_keys(settings.token_signing_keys.get_secret_value())
    elif not settings.is_production:
        signing_keys = [OKPKey.import_key(dev_keys()["token_signing_key"])]
    else:  # production without keys is refused by Settings already
        raise UnsafeSettings("no token signing keys configured")
    # Verification needs only the public halves; keeping the private ones out
    # of the verifying set means publishing it can never leak them.
    verification = KeySet.import_key_set(
        {"keys": [key.as_dict(private=False) for key in signing_keys]}
    )

    hash_text = (
        settings.subject_hash_key.get_secret_value()
        if settings.subject_hash_key is not None
        else dev_keys()["subject_hash_key"]
    )
    enc_map: dict[str, str] = (
        json.loads(settings.subject_encryption_keys.get_secret_value())
        if settings.subject_encryption_keys is not None
        else dev_keys()["subject_encryption_keys"]
    )
    if not enc_map:
        raise UnsafeSettings("HUB_SUBJECT_ENCRYPTION_KEYS names no key")
    enc_keys = {kid: _unb64(v, f"encryption key {kid!r}", 32) for kid, v in enc_map.items()}

    if settings.audit_signing_key is not None:
        audit_jwk = json.loads(settings.audit_signing_key.get_secret_value())
    else:
        audit_jwk = _dev_audit_key(settings, dev_keys())
    try:
        audit_key = OKPKey.import_key(audit_jwk)
    except (JoseError, ValueError, TypeError):
        raise UnsafeSettings("HUB_AUDIT_SIGNING_KEY is not an Ed25519 private JWK") from None
    if audit_key.get("crv") != "Ed25519" or not audit_key.is_private or not audit_key.kid:
        raise UnsafeSettings("HUB_AUDIT_SIGNING_KEY must be a private Ed25519 JWK with a kid")

    ring = KeyRing(
        token_verification=verification,
        token_signing=signing_keys[0],
        subject_hash_key=_unb64(hash_text, "HUB_SUBJECT_HASH_KEY", 32),
        subject_encryption_keys=enc_keys,
        active_encryption_kid=next(iter(enc_keys)),
        audit_signing=audit_key,
    )
    if settings.is_production:
        _refuse_development_keys(ring)
    return ring


def _token_signing_keys(text: str) -> list[OKPKey]:
    """The private Ed25519 keys of HUB_TOKEN_SIGNING_KEYS, in order, each with a unique kid."""
    what = "HUB_TOKEN_SIGNING_KEYS"
    try:
        data = json.loads(text)
    except ValueError:
        raise UnsafeSettings(f"{what} is not JSON") from None
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UnsafeSettings(f'{what} must be a JWKS {{"keys": [...]}} with at least one key')
    keys: list[OKPKey] = []
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or entry.get("kty") != "OKP"
            or entry.get("crv") != "Ed25519"
        ):
            raise UnsafeSettings(f"{what}: key {index} is not an Ed25519 (OKP) key")
        if not entry.get("kid") or not entry.get("d"):
            raise UnsafeSettings(f"{what}: key {index} needs a kid and its private part")
        try:
            keys.append(OKPKey.import_key(entry))
        except (JoseError, ValueError):
            raise UnsafeSettings(f"{what}: key {index} does not parse") from None
    kids = [str(key.kid) for key in keys]
    if len(set(kids)) != len(kids):
        raise UnsafeSettings(f"{what}: key ids must be unique")
    return keys


def _refuse_development_keys(ring: KeyRing) -> None:
    kids = [str(key.kid) for key in ring.token_verification.keys]
    kids += list(ring.subject_encryption_keys)
    if ring.audit_signing is not None:
        kids.append(str(ring.audit_signing.kid))
    dev = [kid for kid in kids if kid.startswith(DEV_KID_PREFIX)]
    if dev:
        raise UnsafeSettings(f"production refuses development keys: {', '.join(sorted(dev))}")
