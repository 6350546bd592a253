"""Access tokens: what they carry, and every way a forged or stale one is refused."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey

from hub.auth.roles import Role
from hub.auth.tokens import InvalidToken, issue_token, verify_token
from hub.keys import TOKEN_ALGORITHMS, KeyRing, load_keys
from hub.settings import Environment, Settings
from tests.hub.oauth.forge import hmac_with_public_key, segment, unsigned


def _ring(data_dir: Path) -> tuple[KeyRing, Settings]:
    settings = Settings(data_dir=data_dir)
    return load_keys(settings), settings


def _claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.effective_issuer,
        "aud": settings.audience,
        "sub": "o",
        "role": "agency",
        "agency": "A",
        "jti": "x",
        "iat": now,
        "exp": now + 60,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


def _signed(ring: KeyRing, claims: dict[str, Any], **header: Any) -> str:
    signing = ring.token_signing
    assert signing is not None
    full = {"alg": "Ed25519", "kid": signing.kid, "typ": "at+jwt", **header}
    full = {k: v for k, v in full.items() if v is not None}
    return jwt.encode(full, claims, signing, algorithms=TOKEN_ALGORITHMS)


def test_issued_token_names_agency_official_role_and_purposes(data_dir: Path) -> None:
    ring, settings = _ring(data_dir)
    token = issue_token(
        ring,
        settings,
        agency="A",
        official="o.1",
        client_id="A.app",
        purposes=["p1", "p2"],
    )
    principal = verify_token(ring, settings, token)
    assert (principal.agency, principal.official, principal.role) == ("A", "o.1", Role.AGENCY)
    assert (principal.client_id, principal.purposes) == ("A.app", ("p1", "p2"))
    assert principal.expires_at > time.time()


def test_other_roles_carry_no_agency(data_dir: Path) -> None:
    ring, settings = _ring(data_dir)
    token = issue_token(ring, settings, official="o", role=Role.AUDITOR)
    principal = verify_token(ring, settings, token)
    assert (principal.role, principal.agency, principal.purposes) == (Role.AUDITOR, "", ())
    with pytest.raises(ValueError, match="agency"):
        issue_token(ring, settings, official="o", role=Role.AUDITOR, agency="A")
    with pytest.raises(ValueError, match="agency"):
        issue_token(ring, settings, official="o")


Forge = Callable[[KeyRing, Settings], str]


def _other_key_same_kid(ring: KeyRing, settings: Settings) -> str:
    assert ring.token_signing is not None
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": str(ring.token_signing.kid)})
    header = {"alg": "Ed25519", "kid": stranger.kid, "typ": "at+jwt"}
    return jwt.encode(header, _claims(settings), stranger, algorithms=TOKEN_ALGORITHMS)


def _hmac(ring: KeyRing, settings: Settings) -> str:
    public = ring.token_verification.keys[0]
    assert isinstance(public, OKPKey)
    header = {"kid": public.kid, "typ": "at+jwt"}
    return hmac_with_public_key(public, header, _claims(settings))


def _now() -> int:
    # Read when a token is forged, not when the module is collected (see
    # tests/schema/test_oauth_e2e.py): a long suite would reach "not yet valid" late.
    return int(time.time())


#: (case, forge, reason the log must carry)
NEGATIVE: list[tuple[str, Forge, str]] = [
    (
        "expired",
        lambda r, s: _signed(r, _claims(s, iat=_now() - 900, exp=_now() - 60)),
        "expired",
    ),
    ("not yet valid", lambda r, s: _signed(r, _claims(s, nbf=_now() + 300)), "not yet valid"),
    (
        "issued in the future",
        lambda r, s: _signed(r, _claims(s, iat=_now() + 300)),
        "not yet valid",
    ),
    ("wrong audience", lambda r, s: _signed(r, _claims(s, aud="elsewhere")), "wrong audience"),
    ("wrong issuer", lambda r, s: _signed(r, _claims(s, iss="https://evil")), "wrong issuer"),
    ("alg none", lambda r, s: unsigned({"typ": "at+jwt"}, _claims(s)), "alg none"),
    ("HS256 with the public key", _hmac, "algorithm not allowed: HS256"),
    ("unknown kid", lambda r, s: _signed(r, _claims(s), kid="retired-1"), "unknown kid"),
    ("no kid", lambda r, s: _signed(r, _claims(s), kid=None), "missing kid"),
    ("another key, same kid", _other_key_same_kid, "bad signature"),
    ("not an access token", lambda r, s: _signed(r, _claims(s), typ="JWT"), "wrong token type"),
    ("no role", lambda r, s: _signed(r, _claims(s, role=None)), "missing claim: role"),
    ("unknown role", lambda r, s: _signed(r, _claims(s, role="root")), "unknown role"),
    ("agency without agency", lambda r, s: _signed(r, _claims(s, agency=None)), "names no agency"),
    ("official with a newline", lambda r, s: _signed(r, _claims(s, sub="kim\n")), "official id"),
    ("garbage", lambda r, s: "a.b.c", "malformed"),
]


@pytest.mark.parametrize(("case", "forge", "reason"), NEGATIVE, ids=[c[0] for c in NEGATIVE])
def test_bad_tokens_are_refused_with_a_logged_reason(
    data_dir: Path, caplog: pytest.LogCaptureFixture, case: str, forge: Forge, reason: str
) -> None:
    ring, settings = _ring(data_dir)
    token = forge(ring, settings)
    with pytest.raises(InvalidToken) as refused:
        verify_token(ring, settings, token)
    assert reason in refused.value.reason
    records = [r for r in caplog.records if r.name == "hub.auth"]
    assert records and records[-1].levelno == logging.WARNING
    assert reason in records[-1].getMessage()


def test_forged_header_values_cannot_forge_log_lines(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ring, settings = _ring(data_dir)
    header = segment({"alg": "HS256\nINFO forged"})
    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        verify_token(ring, settings, f"{header}.{segment({})}.c2ln")
    assert "\nINFO forged" not in caplog.text
    with pytest.raises(ValueError, match="official id"):
        issue_token(ring, settings, agency="A", official="kim\n")


def test_each_refusal_has_its_own_reason() -> None:
    reasons = [reason for _, _, reason in NEGATIVE if reason != "not yet valid"]
    assert len(set(reasons)) == len(reasons)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "ey.ey.ey"])
def test_garbage_is_refused(data_dir: Path, token: str) -> None:
    ring, settings = _ring(data_dir)
    with pytest.raises(InvalidToken, match="malformed"):
        verify_token(ring, settings, token)


def test_production_refuses_long_lived_tokens(data_dir: Path) -> None:
    ring, settings = _ring(data_dir)
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    with pytest.raises(ValueError, match="at most 600"):
        issue_token(ring, production, agency="A", official="o", ttl_s=3600)
    long_lived = issue_token(ring, settings, agency="A", official="o", ttl_s=3600)
    assert verify_token(ring, settings, long_lived).official == "o"  # development only
    with pytest.raises(InvalidToken, match="lifetime too long"):
        verify_token(ring, production, long_lived)
