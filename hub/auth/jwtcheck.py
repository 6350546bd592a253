"""Strict JWT verification shared by the hub's access tokens and its clients' assertions.

Every refusal carries a reason that starts with one `Refusal` value, so the
log says precisely why a token failed (and tests can tell the cases apart)
while callers answer with a generic error: telling a caller why its forged
token failed helps the forger.

The header is checked before any key is touched: the algorithm must be one
the caller allows (so `alg: none` and HMAC-with-the-public-key fail before
verification), the key id must name a known key, and the key's type must
fit the algorithm. Only then is the signature checked, then the claims,
against a clock the caller passes (see `hub.auth.clock`).
"""

from __future__ import annotations

import base64
import enum
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey, Key, KeySet, OKPKey
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

#: Signature algorithms and the (kty, crv) of the key each needs.
_WORD = re.compile(r"\A[\w.+:/@-]{1,64}\Z")
ALGORITHM_KEYS: dict[str, tuple[str, str]] = {
    "Ed25519": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
}


class Refusal(enum.StrEnum):
    """Why a token or an assertion was refused: the first words of every reason."""

    MALFORMED = "malformed"
    ALG_NONE = "alg none"
    ALG_NOT_ALLOWED = "algorithm not allowed"
    WRONG_TYPE = "wrong token type"
    MISSING_KID = "missing kid"
    UNKNOWN_KID = "unknown kid"
    KEY_MISMATCH = "key does not fit the algorithm"
    BAD_SIGNATURE = "bad signature"
    MISSING_CLAIM = "missing claim"
    INVALID_CLAIM = "invalid claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    WRONG_AUDIENCE = "wrong audience"
    WRONG_ISSUER = "wrong issuer"
    LIFETIME_TOO_LONG = "lifetime too long"
    REPLAYED = "replayed assertion"
    UNREGISTERED_CLIENT = "unregistered client"
    CLIENT_DISABLED = "client disabled"
    TOKEN_REVOKED = "token revoked"  # noqa: S105 - a reason, not a secret
    WRONG_ROLE = "wrong role"


class InvalidToken(Exception):
    """The bearer token or assertion is missing or unacceptable; `reason` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def printable(value: object) -> str:
    """`value` for a log line: plain if it is a short token-like word, else its bounded repr.

    Header and claim values come from whoever sent the JWT; a newline in one
    must not be able to forge a line of the hub's log.
    """
    text = str(value)
    return text if _WORD.match(text) else repr(value)[:80]


def refuse(refusal: Refusal, detail: str = "") -> InvalidToken:
    """An InvalidToken whose reason starts with `refusal`."""
    return InvalidToken(f"{refusal}: {detail}" if detail else str(refusal))


@dataclass(frozen=True, slots=True)
class JWTRules:
    """What a JWT must satisfy, besides a good signature by one of the given keys."""

    algorithms: Collection[str]
    audiences: Sequence[str]
    issuer: str | None = None
    required: tuple[str, ...] = ("exp",)
    leeway_s: int = 30
    #: `exp` may lie at most this far ahead of now (bounds replay storage, too).
    max_lifetime_s: int | None = None
    #: the `typ` header the JWT must carry (explicit typing, RFC 8725 §3.11).
    typ: str | None = None


def peek_claims(token: str) -> dict[str, Any]:
    """The claims of a compact JWT WITHOUT verifying anything: only to find whose keys to load."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return {}
    return claims if isinstance(claims, dict) else {}


class VerifiedSignatures:
    """Claims of tokens whose header and signature one verifier has already checked.

    An agency application sends the same access token with every request
    for its lifetime (minutes), and checking the Ed25519 signature and
    decoding the token again each time is most of what authentication costs.
    Only the signature check is remembered: the claims (validity window,
    audience, issuer …) are checked again on every use. Keyed by the whole
    token text, so a token differing in one character is verified afresh.
    The cache belongs to one verifier with one fixed key set; it holds at
    most `max_entries` tokens, dropping the oldest first.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._claims: dict[str, dict[str, Any]] = {}
        self._max_entries = max_entries

    def get(self, token: str) -> dict[str, Any] | None:
        """The claims of `token` if its signature was verified before."""
        return self._claims.get(token)

    def put(self, token: str, claims: dict[str, Any]) -> None:
        """Remember that `token`'s signature is good."""
        if len(self._claims) >= self._max_entries:
            # Dicts keep insertion order: the first entry is the oldest.
            del self._claims[next(iter(self._claims))]
        self._claims[token] = claims

    def __len__(self) -> int:
        return len(self._claims)


def verify_jwt(
    token: str,
    keys: KeySet,
    rules: JWTRules,
    *,
    now: int,
    verified: VerifiedSignatures | None = None,
) -> dict[str, Any]:
    """Verify `token` under `rules` at time `now`; return its claims or raise InvalidToken.

    With `verified`, a token whose signature was checked before (under the
    same keys) has only its claims checked again.
    """
    if verified is not None:
        known = verified.get(token)
        if known is not None:
            _check_claims(known, rules, now)
            return known
    header = _header(token)
    key = _key_for(header, keys, rules)
    try:
        decoded = jwt.decode(token, key, algorithms=[str(header["alg"])])
    except BadSignatureError:
        raise refuse(Refusal.BAD_SIGNATURE, f"kid {header['kid']!r}") from None
    except (JoseError, ValueError, RecursionError) as exc:
        raise refuse(Refusal.MALFORMED, type(exc).__name__) from None
    claims = decoded.claims
    _check_claims(claims, rules, now)
    if verified is not None:
        verified.put(token, claims)
    return claims


def _header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError, RecursionError) as exc:
        raise refuse(Refusal.MALFORMED, type(exc).__name__) from None
    return header


def _key_for(header: dict[str, Any], keys: KeySet, rules: JWTRules) -> Key:
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise refuse(Refusal.MALFORMED, "no alg header")
    if alg.lower() == "none":
        raise refuse(Refusal.ALG_NONE)
    if alg not in rules.algorithms or alg not in ALGORITHM_KEYS:
        raise refuse(Refusal.ALG_NOT_ALLOWED, printable(alg))
    if rules.typ is not None:
        typ = str(header.get("typ", "")).lower().removeprefix("application/")
        if typ != rules.typ:
            raise refuse(Refusal.WRONG_TYPE, repr(header.get("typ")))
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise refuse(Refusal.MISSING_KID)
    key = next((k for k in keys.keys if k.kid == kid), None)
    if key is None:
        raise refuse(Refusal.UNKNOWN_KID, repr(kid))
    kty, crv = ALGORITHM_KEYS[alg]
    if not isinstance(key, OKPKey | ECKey) or (key.key_type, key.curve_name) != (kty, crv):
        raise refuse(Refusal.KEY_MISMATCH, f"{alg} with key {kid!r}")
    return key


def _check_claims(claims: dict[str, Any], rules: JWTRules, now: int) -> None:
    options: dict[str, ClaimsOption] = {name: {"essential": True} for name in rules.required}
    options["aud"] = {"essential": True, "values": list(rules.audiences)}
    if rules.issuer is not None:
        options["iss"] = {"essential": True, "value": rules.issuer}
    registry = JWTClaimsRegistry(now=now, leeway=rules.leeway_s, **options)
    try:
        registry.validate(claims)
    except MissingClaimError as exc:
        raise refuse(Refusal.MISSING_CLAIM, exc.claim) from None
    except ExpiredTokenError:
        raise refuse(Refusal.EXPIRED, f"exp {claims.get('exp')}, now {now}") from None
    except ClaimError as exc:
        raise _claim_refusal(exc.claim, claims, now) from None
    if rules.max_lifetime_s is not None:
        ahead = int(claims["exp"]) - now
        if ahead > rules.max_lifetime_s + rules.leeway_s:
            raise refuse(
                Refusal.LIFETIME_TOO_LONG, f"exp is {ahead} s ahead, at most {rules.max_lifetime_s}"
            )


def _claim_refusal(claim: str, claims: dict[str, Any], now: int) -> InvalidToken:
    value = claims.get(claim)
    if claim in ("nbf", "iat") and isinstance(value, int | float):
        return refuse(Refusal.NOT_YET_VALID, f"{claim} {value}, now {now}")
    if claim == "aud":
        return refuse(Refusal.WRONG_AUDIENCE, repr(value))
    if claim == "iss":
        return refuse(Refusal.WRONG_ISSUER, repr(value))
    return refuse(Refusal.INVALID_CLAIM, claim)
