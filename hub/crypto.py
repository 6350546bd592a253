"""Field encryption at rest: AES-256-GCM under rotating keys.

Each ciphertext is stored with the id of the key that sealed it, so keys can
rotate: new values use the active key and old ones stay readable as long as
their key is configured. Associated data binds a ciphertext to its row, so a
value copied onto another row fails to open instead of answering for it.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.keys import KeyRing

_NONCE_BYTES = 12


def seal(ring: KeyRing, plaintext: str, bound_to: str) -> tuple[str, bytes]:
    """Encrypt `plaintext` bound to `bound_to`; returns (key id, nonce || ciphertext)."""
    kid = ring.active_encryption_kid
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(ring.subject_encryption_keys[kid]).encrypt(
        nonce, plaintext.encode(), bound_to.encode()
    )
    return kid, nonce + sealed


def unseal(ring: KeyRing, kid: str, blob: bytes, bound_to: str) -> str:
    """Decrypt what `seal` produced; KeyError for an unknown key id, InvalidTag if tampered."""
    key = ring.subject_encryption_keys[kid]
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, sealed, bound_to.encode()).decode()
