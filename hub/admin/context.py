"""Who is calling the administrative endpoint, and with which services."""

from __future__ import annotations

from dataclasses import dataclass

from hub.auth.roles import Role
from hub.auth.tokens import Principal
from schema.context import Services


def actor_of(principal: Principal) -> str:
    """The identity a change is recorded under.

    A privacy officer is their official id alone: four eyes compare these,
    so one official approving through a second client is still the same
    person. A consent-manager channel is `client_id:official`, naming both
    the channel and the person at it (`consent_manager:official` when the
    token names no client, as development tokens do).
    """
    if principal.role is Role.CONSENT_MANAGER:
        return f"{principal.client_id or principal.role}:{principal.official}"
    return principal.official


@dataclass(frozen=True)
class AdminContext:
    """Per-request state of the administrative endpoint."""

    services: Services
    principal: Principal
    request_id: str
    #: `Hub-Case-Ref`: the inquiry an auditor's reads are recorded under.
    case_ref: str | None = None
    client_addr: str | None = None

    @property
    def actor(self) -> str:
        """The identity changes made in this request are recorded under."""
        return actor_of(self.principal)
