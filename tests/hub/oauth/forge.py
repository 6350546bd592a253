"""Keys and JWTs for tests: honest ones, and the classic forgeries."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, OKPKey

from hub.oauth.clients import JWT_BEARER_GRANT_TYPE

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_URL = "https://hub.test/oauth/token"


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    """One JSON segment of a compact JWT."""
    return b64url(json.dumps(value).encode())


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """An `alg: none` token: header and claims, empty signature."""
    return f"{segment({**header, 'alg': 'none'})}.{segment(claims)}."


def hmac_with_public_key(
    public: OKPKey | ECKey, header: dict[str, Any], claims: dict[str, Any]
) -> str:
    """HS256 keyed with the verifier's public key bytes (the algorithm-confusion attack)."""
    raw = str(public.as_dict(private=False)["x"]).encode()
    header = {**header, "alg": "HS256"}
    return jwt.encode(header, claims, OctKey.import_key(raw), algorithms=["HS256"])


@dataclass
class ClientKeys:
    """An agency application's key pair; only `public_jwks` is ever given to the hub."""

    key: OKPKey | ECKey
    alg: str

    @classmethod
    def ed25519(cls, kid: str | None = None) -> ClientKeys:
        """A fresh Ed25519 key pair."""
        kid = kid or f"ed-{secrets.token_hex(3)}"
        return cls(OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig"}), "Ed25519")

    @classmethod
    def es256(cls, kid: str | None = None) -> ClientKeys:
        """A fresh P-256 key pair."""
        kid = kid or f"ec-{secrets.token_hex(3)}"
        return cls(ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig"}), "ES256")

    @property
    def kid(self) -> str:
        """The key id."""
        return str(self.key.kid)

    @property
    def public_jwks(self) -> dict[str, Any]:
        """What the agency registers."""
        return {"keys": [dict(self.key.as_dict(private=False))]}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A JWT over `claims`, signed with this key (header defaults: alg, kid)."""
        full = {"alg": self.alg, "kid": self.kid, **header}
        return jwt.encode(full, claims, self.key, algorithms=[full["alg"]])


@dataclass
class AssertionPair:
    """The two assertions of a token request, as claims to tamper with before signing."""

    client_id: str
    official: str = "kim.01"
    audience: str = TOKEN_URL
    now: int = field(default_factory=lambda: int(time.time()))

    def client_claims(self) -> dict[str, Any]:
        """private_key_jwt: iss = sub = client_id."""
        return {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "iat": self.now,
            "exp": self.now + 60,
            "jti": secrets.token_urlsafe(16),
        }

    def grant_claims(self) -> dict[str, Any]:
        """JWT-bearer grant: iss = client_id, sub = the official."""
        return {
            "iss": self.client_id,
            "sub": self.official,
            "aud": self.audience,
            "iat": self.now,
            "exp": self.now + 120,
            "jti": secrets.token_urlsafe(16),
        }


def token_form(client_assertion: str, assertion: str, **extra: str) -> dict[str, str]:
    """The form of a token request."""
    return {
        "grant_type": JWT_BEARER_GRANT_TYPE,
        "assertion": assertion,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion,
        **extra,
    }
