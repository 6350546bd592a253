"""Access tokens: JWTs naming the agency and the official who acts.

Tokens are signed with Ed25519 (JOSE alg `Ed25519`, RFC 9864's fully
specified name for EdDSA over Ed25519) and checked with joserfc, the JOSE
library authlib itself now delegates to. Only that one algorithm is accepted,
so `alg: none` and HMAC-with-the-public-key tricks fail before any signature
check.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from hub.keys import TOKEN_ALGORITHMS, KeyRing
from hub.settings import Settings

_OFFICIAL = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_LEEWAY_S = 30


class InvalidToken(Exception):
    """The bearer token is missing or unacceptable; `reason` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: an agency and the official acting for it."""

    agency: str
    official: str
    token_id: str
    expires_at: int


def issue_token(
    ring: KeyRing, settings: Settings, *, agency: str, official: str, ttl_s: int = 600
) -> str:
    """Sign an access token for `official` of `agency`, valid for `ttl_s` seconds."""
    if ring.token_signing is None:
        raise InvalidToken("no signing key is configured")
    if not _OFFICIAL.match(official):
        raise ValueError("an official id is 1-64 letters, digits or ._@-")
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": official,
        "agency": agency,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_s,
        "jti": secrets.token_urlsafe(12),
    }
    header = {"alg": TOKEN_ALGORITHMS[0], "kid": ring.token_signing.kid, "typ": "JWT"}
    return jwt.encode(header, claims, ring.token_signing, algorithms=TOKEN_ALGORITHMS)


def verify_token(ring: KeyRing, settings: Settings, token: str) -> Principal:
    """Check signature and claims; return the principal or raise InvalidToken."""
    try:
        decoded = jwt.decode(token, ring.token_verification, algorithms=TOKEN_ALGORITHMS)
    except JoseError as exc:
        raise InvalidToken(f"token rejected: {exc.error}") from None
    except ValueError as exc:
        raise InvalidToken(f"token malformed: {exc}") from None
    registry = JWTClaimsRegistry(
        leeway=_LEEWAY_S,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.audience},
        sub={"essential": True},
        exp={"essential": True},
        agency={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise InvalidToken(
            f"claims rejected: {exc.error} {exc.description or ''}".strip()
        ) from None
    claims = decoded.claims
    official, agency = claims["sub"], claims["agency"]
    if not isinstance(official, str) or not _OFFICIAL.match(official):
        raise InvalidToken("claims rejected: sub is not an official id")
    if not isinstance(agency, str):
        raise InvalidToken("claims rejected: agency is not a string")
    return Principal(
        agency=agency, official=official, token_id=str(claims["jti"]), expires_at=int(claims["exp"])
    )
