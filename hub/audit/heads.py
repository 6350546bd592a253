"""Signed tree heads: the hub's Ed25519 signature over (size, root hash, time).

The signed message is the canonical JSON object
`{"root":"<hex>","size":N,"timestamp_ms":T,"v":1}` (keys sorted, no spaces,
UTF-8). Anyone holding the hub's audit public keys can check a head offline
with the key its `key_id` names (`hub.audit.keyset`); a head commits the hub
to the exact first N entries of the log.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.keyset import HeadKeys, as_key_set
from hub.audit.writer import load_frontier
from hub.db.models import AuditState, AuditTreeHead
from hub.db.session import Database
from hub.keys import KeyRing

HEAD_VERSION = 1


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree head and its signature."""

    size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes

    def message(self) -> bytes:
        """The exact bytes that are signed."""
        return head_message(self.size, self.root_hash, self.timestamp_ms)

    def to_json(self) -> dict[str, Any]:
        """The head as exported (hex for binary values)."""
        return {
            "size": self.size,
            "root_hash": self.root_hash.hex(),
            "timestamp_ms": self.timestamp_ms,
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedTreeHead:
        """Read an exported head; KeyError/ValueError/TypeError if malformed."""
        return cls(
            size=int(data["size"]),
            root_hash=bytes.fromhex(data["root_hash"]),
            timestamp_ms=int(data["timestamp_ms"]),
            key_id=str(data["key_id"]),
            signature=bytes.fromhex(data["signature"]),
        )


def head_message(size: int, root_hash: bytes, timestamp_ms: int) -> bytes:
    """The canonical signed message of a tree head."""
    body = {"root": root_hash.hex(), "size": size, "timestamp_ms": timestamp_ms, "v": HEAD_VERSION}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _signer(keys: KeyRing) -> tuple[str, Ed25519PrivateKey]:
    key: OKPKey | None = keys.audit_signing
    if key is None or not isinstance(key.private_key, Ed25519PrivateKey):
        raise ValueError("no audit signing key is configured")
    return str(key.kid), key.private_key


def sign_head(keys: KeyRing, size: int, root_hash: bytes, timestamp_ms: int) -> SignedTreeHead:
    """Sign a tree head with the hub's audit key."""
    kid, private = _signer(keys)
    signature = private.sign(head_message(size, root_hash, timestamp_ms))
    return SignedTreeHead(size, root_hash, timestamp_ms, kid, signature)


def verify_head(keys: HeadKeys, head: SignedTreeHead) -> bool:
    """Whether `head` carries a valid signature by the key of its key id in `keys`.

    False too when the set holds no key of that id (`AuditPublicKeys.key_for`
    tells the two apart); a bare public key is tried whatever the head's kid.
    """
    public_key = as_key_set(keys).key_for(head.key_id)
    if public_key is None:
        return False
    try:
        public_key.verify(head.signature, head.message())
    except InvalidSignature:
        return False
    return True


def public_key_pem(keys: KeyRing) -> str:
    """The signing audit public key as PEM (SubjectPublicKeyInfo), for offline verifiers.

    Only the key signing now: a verifier of a log whose heads several keys
    signed needs the whole set (`KeyRing.public_audit_jwks`).
    """
    _, private = _signer(keys)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM or a JWK (JSON); ValueError otherwise."""
    stripped = text.strip()
    key: object
    if stripped.startswith("{"):
        key = OKPKey.import_key(json.loads(stripped)).public_key
    else:
        key = serialization.load_pem_public_key(stripped.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the audit public key must be an Ed25519 key")
    return key


async def tree_size(session: AsyncSession) -> int:
    """The number of entries in the log."""
    size = await session.scalar(select(AuditState.size).where(AuditState.id == 1))
    return int(size or 0)


def store_head(session: AsyncSession, head: SignedTreeHead) -> None:
    """Add a signed head to the session (the caller commits)."""
    session.add(
        AuditTreeHead(
            size=head.size,
            root_hash=head.root_hash,
            timestamp_ms=head.timestamp_ms,
            key_id=head.key_id,
            signature=head.signature,
        )
    )


async def sign_current(db: Database, keys: KeyRing) -> SignedTreeHead:
    """Sign and store a head for the log as it is now."""
    async with db.session() as session:
        size = await tree_size(session)
        root = (await load_frontier(session, size)).root()
        head = sign_head(keys, size, root, int(time.time() * 1000))
        store_head(session, head)
        await session.commit()
    return head


def _from_row(row: AuditTreeHead) -> SignedTreeHead:
    return SignedTreeHead(row.size, row.root_hash, row.timestamp_ms, row.key_id, row.signature)


async def latest_head(db: Database) -> SignedTreeHead | None:
    """The most recently signed head, if any."""
    async with db.session() as session:
        row = await session.scalar(
            select(AuditTreeHead).order_by(
                AuditTreeHead.timestamp_ms.desc(), AuditTreeHead.id.desc()
            )
        )
        return None if row is None else _from_row(row)


async def heads_between(db: Database, first: int, last: int) -> list[SignedTreeHead]:
    """Stored heads whose size lies in [first, last], oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditTreeHead)
            .where(AuditTreeHead.size >= first, AuditTreeHead.size <= last)
            .order_by(AuditTreeHead.size, AuditTreeHead.id)
        )
        return [_from_row(r) for r in rows]
