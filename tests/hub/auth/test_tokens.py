import base64
import json
import time
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey

from hub.auth.tokens import InvalidToken, issue_token, verify_token
from hub.keys import TOKEN_ALGORITHMS, load_keys
from hub.settings import Settings


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _valid_claims() -> dict[str, object]:
    return {
        "iss": "ssis-hub",
        "aud": "ssis-hub",
        "sub": "o",
        "agency": "A",
        "jti": "x",
        "exp": int(time.time()) + 60,
    }


def test_issued_token_names_agency_and_official(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    principal = verify_token(
        ring, settings, issue_token(ring, settings, agency="A", official="o.1")
    )
    assert (principal.agency, principal.official) == ("A", "o.1")
    assert principal.expires_at > time.time()


def test_expired_token_is_refused(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    token = issue_token(ring, settings, agency="A", official="o", ttl_s=-60)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(ring, settings, token)


def test_wrong_audience_is_refused(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    token = issue_token(ring, settings, agency="A", official="o")
    with pytest.raises(InvalidToken, match="aud"):
        verify_token(ring, Settings(data_dir=data_dir, audience="elsewhere"), token)


def test_token_signed_by_another_key_is_refused(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    assert ring.token_signing is not None
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": str(ring.token_signing.kid)})
    claims = _valid_claims()
    token = jwt.encode(
        {"alg": "Ed25519", "kid": stranger.kid}, claims, stranger, algorithms=TOKEN_ALGORITHMS
    )
    with pytest.raises(InvalidToken):
        verify_token(ring, settings, token)


def test_alg_none_is_refused(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    claims = _valid_claims()
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(InvalidToken):
        verify_token(ring, settings, token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b"])
def test_garbage_is_refused(data_dir: Path, token: str) -> None:
    settings = Settings(data_dir=data_dir)
    with pytest.raises(InvalidToken):
        verify_token(load_keys(settings), settings, token)
