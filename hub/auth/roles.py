"""The roles of the hub's OAuth2 server, declared once.

Every client of the token endpoint is registered with exactly one role, and
every token the hub issues carries it. An endpoint states the roles it
serves with `require_role`; a token of any other role is refused, so an
auditor's tool cannot query beneficiaries and an agency cannot approve a
policy, even with a perfectly valid token.
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.auth.tokens import Principal

log = logging.getLogger("hub.auth")


class Role(enum.StrEnum):
    """What a client of the hub is: each role has its own endpoints."""

    AGENCY = "agency"
    PRIVACY_OFFICER = "privacy_officer"
    CONSENT_MANAGER = "consent_manager"
    AUDITOR = "auditor"
    CITIZEN_PORTAL = "citizen_portal"


class RoleRefused(Exception):
    """A valid token of a role the endpoint does not serve; `reason` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def require_role(principal: Principal, *roles: Role) -> Principal:
    """Return `principal` if its role is one of `roles`, else log and raise RoleRefused."""
    if principal.role in roles:
        return principal
    reason = (
        f"wrong role: {principal.role} token (client {principal.client_id}, "
        f"official {principal.official}) at an endpoint for {', '.join(roles)}"
    )
    log.warning("access refused: %s", reason)
    raise RoleRefused(reason)
