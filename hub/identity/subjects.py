"""Person ids and registration numbers at rest.

The hub never stores a registration number in clear. A person is known by an
opaque id, a keyed hash (HMAC-SHA-256) of the number, so lookups need no
decryption and the id reveals nothing without the key. Where the hub must get
back from an id to the number (federated `_entities` lookups), it keeps the
number encrypted with AES-256-GCM under a key id stored beside the ciphertext,
so keys can rotate: new rows use the active key, old rows stay readable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.crypto import seal, unseal
from hub.db.models import Subject, utcnow
from hub.db.upsert import insert_ignoring_duplicates
from hub.keys import KeyRing

_ID_BYTES = 20
_ID_SHAPE = re.compile(r"^P[A-Z2-7]{32}$")


class MalformedPersonId(ValueError):
    """A string that cannot be a person id the hub issued."""


def person_id(ring: KeyRing, rrn: str) -> str:
    """The opaque, stable id of the person with this registration number."""
    digest = hmac.new(ring.subject_hash_key, rrn.encode(), hashlib.sha256).digest()
    return "P" + base64.b32encode(digest[:_ID_BYTES]).decode()


def check_person_id(text: str) -> str:
    """Return `text` if it has the shape of a person id, else raise MalformedPersonId."""
    if not _ID_SHAPE.match(text):
        raise MalformedPersonId("a person id is 'P' followed by 32 base32 characters")
    return text


def encrypt_rrn(ring: KeyRing, rrn: str, subject_id: str) -> tuple[str, bytes]:
    """Encrypt a registration number bound to its person id: (key id, sealed bytes)."""
    return seal(ring, rrn, subject_id)


def decrypt_rrn(ring: KeyRing, kid: str, blob: bytes, subject_id: str) -> str:
    """Decrypt what `encrypt_rrn` produced; raises KeyError for an unknown key id."""
    return unseal(ring, kid, blob, subject_id)


def subject_rows(keys: KeyRing, rrns: Sequence[str]) -> list[dict[str, Any]]:
    """subjects rows (person id, encrypted number) for these persons."""
    now = utcnow()
    rows = []
    for rrn in dict.fromkeys(rrns):
        subject_id = person_id(keys, rrn)
        kid, sealed = encrypt_rrn(keys, rrn, subject_id)
        rows.append(
            {"id": subject_id, "rrn_key_id": kid, "rrn_ciphertext": sealed, "first_seen_at": now}
        )
    return rows


async def ensure_subjects(session: AsyncSession, keys: KeyRing, rrns: Sequence[str]) -> None:
    """Make sure each person has a subjects row."""
    rows = subject_rows(keys, rrns)
    if rows:
        await session.execute(insert_ignoring_duplicates(session, Subject, rows))
