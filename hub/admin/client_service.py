"""Switching agencies' clients off and on as plain services: the admin fields and the console.

Each change names a reason and is recorded with the officer (the actor)
and the time (`hub.oauth.standing`). The token endpoint refuses the client
(or the key) from its next request; the tokens it already holds are
refused on both GraphQL endpoints at once in this process (the cache is
invalidated) and within HUB_POLICY_REFRESH_S in the others. Each function
applies `OfficersOnly` with `require_permission`.
"""

from __future__ import annotations

import logging

from hub.admin.context import AdminContext
from hub.admin.errors import AdminError
from hub.admin.permissions import OfficersOnly, require_permission
from hub.oauth import standing
from hub.oauth.standing import ClientChangeError, ClientNotFound, ClientStanding

log = logging.getLogger("hub.admin")

#: The changes an officer may make, as the mutations name them.
CHANGES = ("disable", "enable", "remove_key")


class ClientNotFoundError(AdminError):
    """No client is registered under this id."""

    code = "NOT_FOUND"


class ClientChangeRefused(AdminError):
    """The change is not possible: no reason, already disabled, the last key, an unknown kid."""

    code = "CLIENT_CHANGE_REFUSED"


def _refused(exc: ClientChangeError) -> AdminError:
    if isinstance(exc, ClientNotFound):
        return ClientNotFoundError(str(exc))
    return ClientChangeRefused(str(exc))


async def client_standing(ctx: AdminContext, client_id: str) -> ClientStanding:
    """The client's standing and its recorded changes (`client`); ClientNotFoundError."""
    await require_permission(OfficersOnly, ctx, {})
    try:
        return await standing.client_standing(ctx.services.database, client_id)
    except ClientChangeError as exc:
        raise _refused(exc) from None


async def change_client(
    ctx: AdminContext, client_id: str, action: str, reason: str, kid: str | None = None
) -> ClientStanding:
    """Disable, enable, or remove one key of a client, with a reason.

    `disableClient`, `enableClient`, `removeClientKey`: ClientChangeRefused
    for a change the client's standing does not allow or without a reason,
    ClientNotFoundError for an unknown client.
    """
    await require_permission(OfficersOnly, ctx, {})
    if action not in CHANGES or (action == "remove_key") != (kid is not None):
        raise ClientChangeRefused(f"unknown change {action!r}")
    db, actor = ctx.services.database, ctx.actor
    try:
        if action == "disable":
            found = await standing.disable_client(db, client_id, actor=actor, reason=reason)
        elif action == "enable":
            found = await standing.enable_client(db, client_id, actor=actor, reason=reason)
        else:
            assert kid is not None
            found = await standing.remove_client_key(db, client_id, kid, actor=actor, reason=reason)
    except ClientChangeError as exc:
        raise _refused(exc) from None
    if ctx.services.revocations is not None:
        ctx.services.revocations.invalidate()  # this process refuses the tokens at once
    log.info("%s: %s client %s%s", actor, action, client_id, f" key {kid}" if kid else "")
    return found
