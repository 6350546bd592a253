"""Who an identity provider says signed in: its ID token's claims mapped to a console user.

Officials (`HUB_CONSOLE_OIDC`): the role claim (`role_claim`, a string or a
list) holds the provider's role values, which `role_values` maps to the
hub's roles; exactly one console role must result (an account carrying
two, such as officer and auditor, is refused: no session serves an auditor
together with another role). The official's personal id is the
`official_claim` (1-64 letters, digits or ._@-, as in access tokens).

Citizens (`HUB_CONSOLE_CITIZEN_OIDC`): the `citizen_claim` holds the
person's resident registration number, checked like any number the hub
receives (`hub.identity.rrn`).

Pure functions, so that the mapping is tested without a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.auth.roles import Role
from hub.auth.tokens import OFFICIAL_ID
from hub.console.sessions import CITIZEN_OFFICIAL, ConsoleUser
from hub.identity.rrn import InvalidRRN, parse_rrn
from hub.settings import OIDCProvider


class ClaimsRefused(Exception):
    """The provider's claims do not make a console user; the message says why, plainly."""


def official_from_claims(
    provider: OIDCProvider, key: str, claims: Mapping[str, Any]
) -> ConsoleUser:
    """The official the claims name, in the one hub role they map to."""
    raw = claims.get(provider.role_claim)
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if values is None:
        raise ClaimsRefused(
            f"Your account has no hub role (the identity provider sent no "
            f"{provider.role_claim!r} claim). Ask your administrator to assign one."
        )
    roles = {
        Role(provider.role_values[v])
        for v in values
        if isinstance(v, str) and v in provider.role_values
    }
    if not roles:
        raise ClaimsRefused(
            "None of your account's roles is a role of this console. Ask your administrator "
            "to assign one."
        )
    if len(roles) > 1:
        names = ", ".join(sorted(role.replace("_", " ") for role in roles))
        raise ClaimsRefused(
            f"Your account carries several console roles ({names}); a session has one. Ask "
            "your administrator to keep one, or to give you one account per role."
        )
    official = claims.get(provider.official_claim)
    if not isinstance(official, str) or not OFFICIAL_ID.match(official):
        raise ClaimsRefused(
            f"The identity provider sent no usable official id (claim "
            f"{provider.official_claim!r}: 1-64 letters, digits or ._@-)."
        )
    (role,) = roles
    return ConsoleUser(role, official, sign_in=key)


def citizen_from_claims(provider: OIDCProvider, key: str, claims: Mapping[str, Any]) -> ConsoleUser:
    """The citizen whose registration number the claims carry."""
    number = claims.get(provider.citizen_claim)
    if not isinstance(number, str):
        raise ClaimsRefused(
            f"The identity provider did not say who you are (no {provider.citizen_claim!r} claim)."
        )
    try:
        digits = parse_rrn(number).digits
    except InvalidRRN as exc:
        raise ClaimsRefused(
            f"The identity provider sent a registration number the hub cannot use: {exc.reason}."
        ) from None
    return ConsoleUser(Role.CITIZEN_PORTAL, CITIZEN_OFFICIAL, digits, sign_in=key)
