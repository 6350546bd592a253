"""Agency-specific pseudonyms: how each agency knows a person.

Each agency gets its own key, derived from the hub's subject key with the
agency's code as context (HMAC as a PRF), so two agencies' ids for the same
person cannot be joined without the hub's key, and no per-agency key needs
storing. The hub maps a pseudonym back to its subject through the
`pseudonyms` table, written with the access log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from hub.keys import KeyRing


def agency_key(ring: KeyRing, agency: str) -> bytes:
    """The agency's pseudonym key."""
    return hmac.new(
        ring.subject_hash_key, b"agency-pseudonym:" + agency.encode(), hashlib.sha256
    ).digest()


def agency_person_id(ring: KeyRing, agency: str, rrn: str) -> str:
    """The id under which `agency` knows the person with this registration number."""
    digest = hmac.new(agency_key(ring, agency), b"person:" + rrn.encode(), hashlib.sha256).digest()
    return "P" + base64.b32encode(digest[:20]).decode()
