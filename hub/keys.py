"""The hub's key material: token keys, the subject hash key, encryption keys.

Production takes every key from settings. Outside production a missing key is
generated once and kept in `data_dir/dev-keys.json` (mode 0600), so a newcomer
needs no set-up and restarts keep issued tokens valid. Development keys carry
a `dev-` key id, which production refuses even when they are pasted into its
settings.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle, indent=2)
    return content


def load_keys(settings: Settings) -> KeyRing:
    """Build the key ring from settings, falling back to development keys outside production."""
    dev: dict[str, Any] | None = None

    def dev_keys() -> dict[str, Any]:
        nonlocal dev
        if dev is None:
            dev = _dev_key_file(settings)
        return dev

    signing: OKPKey | None = None
    if settings.token_signing_key is not None:
        signing = OKPKey.import_key(json.loads(settings.token_signing_key.get_secret_value()))
    elif not settings.is_production:
        signing = OKPKey.import_key(dev_keys()["token_signing_key"])

    if settings.token_public_keys is not None:
        verification = KeySet.import_key_set(json.loads(settings.token_public_keys))
    elif signing is not None:
        verification = KeySet.import_key_set({"keys": [signing.as_dict(private=False)]})
    else:  # production without keys is refused by Settings already
        raise UnsafeSettings("no token verification keys configured")

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

    ring = KeyRing(
        token_verification=verification,
        token_signing=signing,
        subject_hash_key=_unb64(hash_text, "HUB_SUBJECT_HASH_KEY", 32),
        subject_encryption_keys=enc_keys,
        active_encryption_kid=next(iter(enc_keys)),
    )
    if settings.is_production:
        _refuse_development_keys(ring)
    return ring


def _refuse_development_keys(ring: KeyRing) -> None:
    kids = [str(key.kid) for key in ring.token_verification.keys]
    kids += list(ring.subject_encryption_keys)
    dev = [kid for kid in kids if kid.startswith(DEV_KID_PREFIX)]
    if dev:
        raise UnsafeSettings(f"production refuses development keys: {', '.join(sorted(dev))}")
