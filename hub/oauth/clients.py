"""Registered clients of the hub's OAuth2 server: validation, registration, lookup.

The hub stores only a client's public keys. A JWKS is accepted when every
key in it is a public Ed25519 (OKP) or P-256 (EC) signing key with its own
`kid`: private keys would mean the agency's secret left the agency, and
symmetric (oct) keys would let anyone holding the JWKS sign as the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from hub.auth.roles import Role
from hub.catalog import Catalog, load_catalog
from hub.db.models import OAuthClient, utcnow
from hub.db.session import Database

JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUTH_METHOD = "private_key_jwt"
#: (kty, crv) pairs a client key may have; they match jwtcheck.ALGORITHM_KEYS.
ALLOWED_KEY_TYPES = {("OKP", "Ed25519"), ("EC", "P-256")}
_PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
_CLIENT_ID = re.compile(r"\A[A-Za-z0-9._-]{1,64}\Z")


class ClientRegistrationError(ValueError):
    """The registration request is not acceptable; the message says why."""


@dataclass(frozen=True)
class HubClient:
    """A registered client as authlib sees it (its ClientMixin methods), loaded once per request."""

    client_id: str
    role: Role
    agency: str | None
    name: str
    keys: KeySet
    active: bool

    def get_client_id(self) -> str:
        """The client's id (authlib's ClientMixin)."""
        return self.client_id

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Clients authenticate at the token endpoint with private_key_jwt only."""
        return method == AUTH_METHOD and endpoint == "token"

    def check_grant_type(self, grant_type: str) -> bool:
        """The JWT-bearer grant is the only grant the hub offers."""
        return grant_type == JWT_BEARER_GRANT_TYPE


@dataclass(frozen=True)
class Registration:
    """What `register_client` did."""

    client_id: str
    role: Role
    agency: str | None
    name: str
    kids: tuple[str, ...]
    created: bool
    previous_kids: tuple[str, ...] = ()
    disabled: bool = False

    def describe(self) -> str:
        """One line for the operator."""
        verb = "registered" if self.created else "updated"
        owner = f", agency {self.agency}" if self.agency else ""
        kids = ", ".join(self.kids)
        line = f"{verb} client {self.client_id} (role {self.role}{owner}) with keys {kids}"
        if not self.created:
            line += f" (were {', '.join(self.previous_kids) or 'none'})"
        if self.disabled:
            line += "; the client stays disabled (`ssis-hub agency enable` lets it back in)"
        return line


def validate_public_jwks(data: object) -> dict[str, Any]:
    """The JWKS reduced to its public signing keys; ClientRegistrationError says what is wrong."""
    if isinstance(data, dict) and "kty" in data and "keys" not in data:
        data = {"keys": [data]}  # a single JWK: judged as a set of one
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ClientRegistrationError(
            'a JWKS is a JSON object {"keys": [...]} with at least one key'
        )
    kids: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ClientRegistrationError(f"key {index} is not a JSON object")
        kid = entry.get("kid")
        label = f"key {kid!r}" if kid else f"key {index}"
        kty, crv = entry.get("kty"), entry.get("crv")
        if kty == "oct":
            raise ClientRegistrationError(
                f"{label} is a symmetric (oct/HMAC) key: register public keys only"
            )
        if _PRIVATE_MEMBERS & set(entry):
            raise ClientRegistrationError(
                f"{label} contains private key material: register the public key only "
                "and keep the private key at the agency"
            )
        if (kty, crv) not in ALLOWED_KEY_TYPES:
            raise ClientRegistrationError(
                f"{label} is {kty}/{crv}: only Ed25519 (OKP) and P-256 (EC) keys are accepted"
            )
        if not isinstance(kid, str) or not kid:
            raise ClientRegistrationError(f"key {index} has no kid")
        if entry.get("use", "sig") != "sig":
            raise ClientRegistrationError(f"{label} is not a signing key (use {entry['use']!r})")
        kids.append(kid)
    if len(set(kids)) != len(kids):
        raise ClientRegistrationError("key ids (kid) must be unique within the JWKS")
    try:
        keys = KeySet.import_key_set({"keys": entries})
    except (JoseError, ValueError) as exc:
        raise ClientRegistrationError(f"the JWKS does not parse: {exc}") from None
    return {"keys": [dict(key.as_dict(private=False)) for key in keys.keys]}


def plausible_client_id(text: str) -> bool:
    """Whether `text` has the shape of a client id (1-64 letters, digits or ._-)."""
    return bool(_CLIENT_ID.match(text))


def client_from_row(row: OAuthClient) -> HubClient:
    """The authlib-facing view of a stored client."""
    return HubClient(
        client_id=row.client_id,
        role=Role(row.role),
        agency=row.agency,
        name=row.name,
        keys=KeySet.import_key_set(row.jwks),  # type: ignore[arg-type]
        active=row.active,
    )


async def get_client(db: Database, client_id: str) -> HubClient | None:
    """The registered client with this id (active or not), or None."""
    async with db.session() as session:
        row = await session.get(OAuthClient, client_id)
        return client_from_row(row) if row is not None else None


async def load_clients(db: Database, client_ids: Iterable[str]) -> dict[str, HubClient]:
    """The registered clients among `client_ids`, by id, in one query."""
    wanted = {cid for cid in client_ids if plausible_client_id(cid)}
    if not wanted:
        return {}
    async with db.session() as session:
        rows = (
            await session.execute(select(OAuthClient).where(OAuthClient.client_id.in_(wanted)))
        ).scalars()
        return {row.client_id: client_from_row(row) for row in rows}


async def register_client(
    db: Database,
    *,
    code: str,
    jwks: object,
    role: Role = Role.AGENCY,
    client_id: str | None = None,
    name: str | None = None,
    catalog: Catalog | None = None,
) -> Registration:
    """Register a client, or replace the keys (and name) of an existing one.

    For the agency role `code` must be an agency of the catalog and the
    client belongs to it; for other roles `code` only names the client. The
    client id defaults to `code`. An existing client keeps its role and
    agency: changing them would silently change what its tokens may do, so
    that needs a new client id.
    """
    catalog = catalog or load_catalog()
    client_id = client_id or code
    if not _CLIENT_ID.match(client_id):
        raise ClientRegistrationError("a client id is 1-64 letters, digits or ._-")
    agency: str | None = None
    if role is Role.AGENCY:
        known = catalog.agency(code)
        if known is None:
            raise ClientRegistrationError(f"unknown agency {code!r} (see `ssis-hub catalog`)")
        agency = known.code
        name = name or known.name
    public = validate_public_jwks(jwks)
    kids = tuple(str(key["kid"]) for key in public["keys"])
    async with db.session() as session:
        row = await session.get(OAuthClient, client_id)
        if row is None:
            row = OAuthClient(
                client_id=client_id,
                role=str(role),
                agency=agency,
                name=name or code,
                jwks=public,
                active=True,
            )
            session.add(row)
            result = Registration(client_id, role, agency, row.name, kids, created=True)
        else:
            if (row.role, row.agency) != (str(role), agency):
                raise ClientRegistrationError(
                    f"client {client_id} is registered as {row.role}"
                    f"{f' of {row.agency}' if row.agency else ''}; "
                    "register a new client id instead of changing its role or agency"
                )
            previous = tuple(str(key.get("kid")) for key in row.jwks.get("keys", []))
            row.jwks = public
            row.name = name or row.name
            # A disabled client stays disabled: new keys are no reason to let
            # it back in, `ssis-hub agency enable` (with a reason) is.
            row.updated_at = utcnow()
            result = Registration(
                client_id,
                role,
                agency,
                row.name,
                kids,
                created=False,
                previous_kids=previous,
                disabled=not row.active,
            )
        await session.commit()
    return result
