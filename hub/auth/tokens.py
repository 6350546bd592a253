"""Access tokens: JWTs naming the client, its role, the agency and the official who acts.

The hub's token endpoint (`hub.oauth`) issues them, `dev-token` too outside
production. They are signed with Ed25519 (JOSE alg `Ed25519`, RFC 9864's
fully specified name for EdDSA over Ed25519) by the first key of
HUB_TOKEN_SIGNING_KEYS and carry its `kid`; every key of that set verifies,
which is what lets keys rotate without downtime. Verification goes through
`hub.auth.jwtcheck`: only that one algorithm, a known kid, `typ: at+jwt`,
then issuer, audience and the validity window, each refusal with its own
reason in the log (logger `hub.auth`) and never in the response.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jwt

from hub.auth import clock
from hub.auth.jwtcheck import (
    InvalidToken,
    JWTRules,
    Refusal,
    VerifiedSignatures,
    refuse,
    verify_jwt,
)
from hub.auth.roles import Role
from hub.keys import TOKEN_ALGORITHMS, KeyRing
from hub.settings import MAX_ACCESS_TOKEN_TTL_S, Settings

__all__ = [
    "OFFICIAL_ID",
    "InvalidToken",
    "Principal",
    "VerifiedSignatures",
    "issue_token",
    "verify_token",
]

log = logging.getLogger("hub.auth")

#: What an official's personal id looks like (the `sub` of tokens and grant assertions).
OFFICIAL_ID = re.compile(r"\A[A-Za-z0-9._@-]{1,64}\Z")
_LEEWAY_S = 30
#: Explicit type of the hub's access tokens (RFC 9068), so that no other JWT
#: signed by the hub could ever pass for one.
TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a client of some role and the official acting through it.

    `agency` is the agency's code for the agency role and empty otherwise;
    `purposes` are the purpose codes the catalog lets that agency declare.
    """

    agency: str
    official: str
    token_id: str
    expires_at: int
    role: Role = Role.AGENCY
    client_id: str | None = None
    purposes: tuple[str, ...] = ()
    #: `iat`, epoch seconds: a client switched off later refuses tokens issued earlier.
    issued_at: int = 0


def issue_token(
    ring: KeyRing,
    settings: Settings,
    *,
    official: str,
    agency: str | None = None,
    role: Role = Role.AGENCY,
    client_id: str | None = None,
    purposes: Sequence[str] = (),
    ttl_s: int | None = None,
) -> str:
    """Sign an access token for `official`, valid for `ttl_s` seconds (default: the setting).

    The token endpoint passes the capped `access_token_ttl_s`; longer lives
    are for development tools only and production refuses them.
    """
    if ring.token_signing is None:
        raise InvalidToken("no signing key is configured")
    if not OFFICIAL_ID.match(official):
        raise ValueError("an official id is 1-64 letters, digits or ._@-")
    if (role is Role.AGENCY) != bool(agency):
        raise ValueError("an agency token names its agency, other roles name none")
    ttl = settings.access_token_ttl_s if ttl_s is None else ttl_s
    if settings.is_production and ttl > MAX_ACCESS_TOKEN_TTL_S:
        raise ValueError(f"production tokens live at most {MAX_ACCESS_TOKEN_TTL_S} s")
    now = clock.now()
    claims: dict[str, Any] = {
        "iss": settings.effective_issuer,
        "aud": settings.audience,
        "sub": official,
        "role": str(role),
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(12),
    }
    if client_id is not None:
        claims["client_id"] = client_id
    if role is Role.AGENCY:
        claims["agency"] = agency
        claims["purposes"] = list(purposes)
    header = {"alg": TOKEN_ALGORITHMS[0], "kid": ring.token_signing.kid, "typ": TOKEN_TYPE}
    return jwt.encode(header, claims, ring.token_signing, algorithms=TOKEN_ALGORITHMS)


def verify_token(
    ring: KeyRing, settings: Settings, token: str, verified: VerifiedSignatures | None = None
) -> Principal:
    """Check signature and claims; return the principal or log and raise InvalidToken.

    `verified` remembers good signatures for a verifier whose `ring` does not change.
    """
    try:
        return _verify(ring, settings, token, verified)
    except InvalidToken as exc:
        log.warning("access token refused: %s", exc.reason)
        raise


def _verify(
    ring: KeyRing, settings: Settings, token: str, verified: VerifiedSignatures | None
) -> Principal:
    rules = JWTRules(
        algorithms=TOKEN_ALGORITHMS,
        audiences=[settings.audience],
        issuer=settings.effective_issuer,
        required=("sub", "exp", "iat", "jti", "role"),
        leeway_s=_LEEWAY_S,
        # Defence in depth: even a leaked signing key cannot mint long-lived
        # production tokens the hub would accept.
        max_lifetime_s=MAX_ACCESS_TOKEN_TTL_S if settings.is_production else None,
        typ=TOKEN_TYPE,
    )
    claims = verify_jwt(token, ring.token_verification, rules, now=clock.now(), verified=verified)
    official = claims["sub"]
    if not isinstance(official, str) or not OFFICIAL_ID.match(official):
        raise refuse(Refusal.INVALID_CLAIM, "sub is not an official id")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise refuse(Refusal.INVALID_CLAIM, f"unknown role {claims['role']!r}") from None
    agency = claims.get("agency")
    if role is Role.AGENCY and not (isinstance(agency, str) and agency):
        raise refuse(Refusal.INVALID_CLAIM, "an agency token names no agency")
    purposes = claims.get("purposes", [])
    if not isinstance(purposes, list) or not all(isinstance(p, str) for p in purposes):
        raise refuse(Refusal.INVALID_CLAIM, "purposes is not a list of codes")
    client_id = claims.get("client_id")
    return Principal(
        agency=agency if role is Role.AGENCY and isinstance(agency, str) else "",
        official=official,
        token_id=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        role=role,
        client_id=client_id if isinstance(client_id, str) else None,
        purposes=tuple(purposes),
        issued_at=int(claims["iat"]),
    )
