"""The hub's key material: token keys, the subject hash key, encryption keys.

Production takes every key from settings. Outside production a missing key is
generated once and kept in `data_dir/dev-keys.json` (mode 0600), so a newcomer
needs no set-up and restarts keep issued tokens valid. Development keys carry
a `dev-` key id, which production refuses even when they are pasted into its
settings. The subject hash key is bare bytes with no key id, so development
generates it marked: 16 random bytes followed by the first 16 bytes of
SHA-256(DEV_HASH_KEY_MARK || those bytes). Production refuses a hash key
carrying the mark (a real random key does so with probability 2**-128), and
one equal to the key of a `dev-keys.json` in its data_dir, which covers
development key files written before keys were marked. Every refusal names
the setting at fault and never its value.

The audit log's signing keys form a set the same way (HUB_AUDIT_SIGNING_KEYS,
or the single HUB_AUDIT_SIGNING_KEY as a set of one): the first signs new
tree heads, every key verifies them and is published at /audit/keys.json.
A retired audit key stays in the set for as long as the log keeps heads it
signed (the retention, five years): only its kid tells a verifier which key
to use.

Access-token keys rotate without downtime: HUB_TOKEN_SIGNING_KEYS is a
private JWKS whose first key signs and whose every key verifies (and is
published at /.well-known/jwks.json). To rotate, add the new key second
(published, not yet signing), then move it first, then remove the old key
once the tokens it signed have expired (HUB_ACCESS_TOKEN_TTL_S, at most
10 minutes); a token whose kid is no longer in the set is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from hub.settings import Settings, UnsafeSettings

DEV_KID_PREFIX = "dev-"
#: Domain separator of the mark a development subject hash key carries.
DEV_HASH_KEY_MARK = b"ssis-hub development subject hash key v1"
_HASH_KEY_BYTES = 32
_MARK_BYTES = 16
TOKEN_ALGORITHMS = ["Ed25519"]


@dataclass(frozen=True)
class KeyRing:
    """Keys the running hub uses; built once per app."""

    token_verification: KeySet
    token_signing: OKPKey | None
    subject_hash_key: bytes
    subject_encryption_keys: dict[str, bytes]
    active_encryption_kid: str
    #: The first key of the audit key set: it signs new tree heads.
    audit_signing: OKPKey | None = None
    #: Public halves of every audit key, the signing one first: each verifies heads.
    audit_verification: tuple[OKPKey, ...] = ()

    def public_token_jwks(self) -> dict[str, Any]:
        """The public JWKS of every key that verifies access tokens (for /.well-known/jwks.json)."""
        return {"keys": [dict(key.as_dict(private=False)) for key in self.token_verification.keys]}

    def public_audit_jwks(self) -> dict[str, Any]:
        """The public JWKS of every key that verifies tree heads (for /audit/keys.json)."""
        keys = self.audit_verification or ((self.audit_signing,) if self.audit_signing else ())
        return {"keys": [dict(key.as_dict(private=False)) for key in keys]}


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
        "subject_hash_key": _b64(new_development_hash_key()),
        "subject_encryption_keys": {f"{DEV_KID_PREFIX}1": _b64(secrets.token_bytes(32))},
        "audit_signing_key": _new_audit_key(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle, indent=2)
    return content


def new_development_hash_key() -> bytes:
    """A fresh 32-byte subject hash key marked so that production recognises and refuses it."""
    random_half = secrets.token_bytes(_HASH_KEY_BYTES - _MARK_BYTES)
    return random_half + _hash_key_mark(random_half)


def is_development_hash_key(key: bytes) -> bool:
    """Whether `key` carries the mark `new_development_hash_key` gives development keys."""
    random_half, mark = key[: _HASH_KEY_BYTES - _MARK_BYTES], key[_HASH_KEY_BYTES - _MARK_BYTES :]
    return len(key) == _HASH_KEY_BYTES and hmac.compare_digest(mark, _hash_key_mark(random_half))


def _hash_key_mark(random_half: bytes) -> bytes:
    return hashlib.sha256(DEV_HASH_KEY_MARK + random_half).digest()[:_MARK_BYTES]


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
    enc_what = "HUB_SUBJECT_ENCRYPTION_KEYS"
    enc_map: object = (
        _json(settings.subject_encryption_keys.get_secret_value(), enc_what)
        if settings.subject_encryption_keys is not None
        else dev_keys()["subject_encryption_keys"]
    )
    if not isinstance(enc_map, dict) or not all(isinstance(v, str) for v in enc_map.values()):
        raise UnsafeSettings(f"{enc_what} must be a JSON object {{key id: base64 key}}")
    if not enc_map:
        raise UnsafeSettings(f"{enc_what} names no key")
    enc_keys = {str(kid): _unb64(v, f"{enc_what}: key {kid!r}", 32) for kid, v in enc_map.items()}

    audit_keys = _audit_signing_keys(settings, dev_keys)

    ring = KeyRing(
        token_verification=verification,
        token_signing=signing_keys[0],
        subject_hash_key=_unb64(hash_text, "HUB_SUBJECT_HASH_KEY", 32),
        subject_encryption_keys=enc_keys,
        active_encryption_kid=next(iter(enc_keys)),
        audit_signing=audit_keys[0],
        audit_verification=tuple(
            OKPKey.import_key(key.as_dict(private=False)) for key in audit_keys
        ),
    )
    if settings.is_production:
        _refuse_development_keys(settings, ring)
    return ring


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        # Never the text itself: it is the secret.
        raise UnsafeSettings(f"{what} is not JSON") from None


def _audit_signing_keys(settings: Settings, dev_keys: Callable[[], dict[str, Any]]) -> list[OKPKey]:
    """The audit key set, the signing key first: HUB_AUDIT_SIGNING_KEYS, the single
    HUB_AUDIT_SIGNING_KEY as a set of one, or (outside production) the development key."""
    many, one = settings.audit_signing_keys, settings.audit_signing_key
    if many is not None and one is not None:
        # Which of the two would sign is exactly what must never be guessed.
        raise UnsafeSettings(
            "set HUB_AUDIT_SIGNING_KEYS or HUB_AUDIT_SIGNING_KEY, not both: "
            "put the single key into the set"
        )
    if many is not None:
        return _private_ed25519_jwks(many.get_secret_value(), "HUB_AUDIT_SIGNING_KEYS")
    what = "HUB_AUDIT_SIGNING_KEY"
    jwk = _json(one.get_secret_value(), what) if one is not None else None
    if jwk is None:
        jwk = _dev_audit_key(settings, dev_keys())
    if not isinstance(jwk, dict) or "keys" in jwk:
        raise UnsafeSettings(f"{what} must be one private Ed25519 JWK (a set goes in {what}S)")
    return _private_ed25519_jwks(json.dumps({"keys": [jwk]}), what)


def _token_signing_keys(text: str) -> list[OKPKey]:
    """The private Ed25519 keys of HUB_TOKEN_SIGNING_KEYS, in order, each with a unique kid."""
    return _private_ed25519_jwks(text, "HUB_TOKEN_SIGNING_KEYS")


def _private_ed25519_jwks(text: str, what: str) -> list[OKPKey]:
    """The private Ed25519 keys of the JWKS setting `what`, in order, each with a unique kid."""
    data = _json(text, what)
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


def _refuse_development_keys(settings: Settings, ring: KeyRing) -> None:
    """Refuse development keys, naming each setting that holds one (never a key's value)."""
    found: list[str] = []

    def dev_kids(setting: str, kids: list[str]) -> None:
        dev = sorted(kid for kid in kids if kid.startswith(DEV_KID_PREFIX))
        if dev:
            found.append(f"{setting} (key id {', '.join(dev)})")

    dev_kids("HUB_TOKEN_SIGNING_KEYS", [str(key.kid) for key in ring.token_verification.keys])
    if is_development_hash_key(ring.subject_hash_key) or _in_dev_key_file(
        settings, ring.subject_hash_key
    ):
        found.append("HUB_SUBJECT_HASH_KEY (a key generated for development)")
    dev_kids("HUB_SUBJECT_ENCRYPTION_KEYS", list(ring.subject_encryption_keys))
    audit_setting = (
        "HUB_AUDIT_SIGNING_KEYS"
        if settings.audit_signing_keys is not None
        else "HUB_AUDIT_SIGNING_KEY"
    )
    dev_kids(audit_setting, [str(key.kid) for key in ring.audit_verification])
    if found:
        raise UnsafeSettings(
            "production refuses development keys in "
            + "; ".join(found)
            + ": generate production keys for each (there is no setting to allow these)"
        )


def _in_dev_key_file(settings: Settings, hash_key: bytes) -> bool:
    """Whether `hash_key` is the one in data_dir's development key file, if there is one.

    Key files written before development hash keys were marked hold an
    unmarked key; this still recognises it on a machine that ran the hub in
    development.
    """
    path = settings.data_dir / "dev-keys.json"
    try:
        stored = json.loads(path.read_text())["subject_hash_key"]
        dev_key = base64.b64decode(stored, validate=True)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(dev_key, hash_key)
