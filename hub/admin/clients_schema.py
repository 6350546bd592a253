"""Privacy officers switching a client off at /admin/graphql: disable, enable, remove a key.

Each change names a reason and is recorded with the officer (the actor)
and the time (`hub.oauth.standing`). The token endpoint refuses the client
(or the key) from its next request; the tokens it already holds are
refused on both GraphQL endpoints at once in this process (the cache is
invalidated) and within HUB_POLICY_REFRESH_S in the others. The fields are
mounted on the admin schema's Query and Mutation by inheritance.
"""

from __future__ import annotations

import datetime as dt
import logging

import strawberry

from hub.admin.context import AdminContext
from hub.admin.errors import AdminError
from hub.admin.permissions import OfficersOnly
from hub.oauth import standing
from hub.oauth.standing import ClientChangeError, ClientNotFound, ClientStanding

log = logging.getLogger("hub.admin")


class ClientNotFoundError(AdminError):
    """No client is registered under this id."""

    code = "NOT_FOUND"


class ClientChangeRefused(AdminError):
    """The change is not possible: no reason, already disabled, the last key, an unknown kid."""

    code = "CLIENT_CHANGE_REFUSED"


@strawberry.type(name="ClientChange", description="One recorded change of a client.")
class ClientChangeInfo:
    action: str = strawberry.field(description="`disabled`, `enabled` or `key_removed`.")
    actor: str
    reason: str
    at: dt.datetime
    kid: str | None = strawberry.field(description="The key removed, for `key_removed`.")


@strawberry.type(name="ClientStanding", description="A client's keys and whether it is on.")
class ClientStandingInfo:
    client_id: str
    role: str
    agency: str | None
    kids: list[str]
    disabled: bool
    disabled_at: dt.datetime | None
    disabled_by: str | None
    disabled_reason: str | None
    tokens_not_before: dt.datetime | None = strawberry.field(
        description="Access tokens of the client issued before this are refused."
    )
    changes: list[ClientChangeInfo]


def _info(found: ClientStanding) -> ClientStandingInfo:
    return ClientStandingInfo(
        client_id=found.client_id,
        role=found.role,
        agency=found.agency,
        kids=list(found.kids),
        disabled=found.disabled,
        disabled_at=found.disabled_at,
        disabled_by=found.disabled_by,
        disabled_reason=found.disabled_reason,
        tokens_not_before=found.tokens_not_before,
        changes=[
            ClientChangeInfo(
                action=str(c.action), actor=c.actor, reason=c.reason, at=c.at, kid=c.kid
            )
            for c in found.changes
        ],
    )


def _ctx(info: strawberry.Info) -> AdminContext:
    context = info.context
    assert isinstance(context, AdminContext)
    return context


def _refused(exc: ClientChangeError) -> AdminError:
    if isinstance(exc, ClientNotFound):
        return ClientNotFoundError(str(exc))
    return ClientChangeRefused(str(exc))


async def resolve_client(info: strawberry.Info, client_id: str) -> ClientStandingInfo:
    """The client's standing and its recorded changes."""
    try:
        return _info(await standing.client_standing(_ctx(info).services.database, client_id))
    except ClientChangeError as exc:
        raise _refused(exc) from None


async def _change(
    info: strawberry.Info, client_id: str, action: str, reason: str, kid: str | None = None
) -> ClientStandingInfo:
    ctx = _ctx(info)
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
    return _info(found)


async def resolve_disable(info: strawberry.Info, client_id: str, reason: str) -> ClientStandingInfo:
    """Disable a client."""
    return await _change(info, client_id, "disable", reason)


async def resolve_enable(info: strawberry.Info, client_id: str, reason: str) -> ClientStandingInfo:
    """Enable a disabled client."""
    return await _change(info, client_id, "enable", reason)


async def resolve_remove_key(
    info: strawberry.Info, client_id: str, kid: str, reason: str
) -> ClientStandingInfo:
    """Remove one key of a client."""
    return await _change(info, client_id, "remove_key", reason, kid)


@strawberry.type
class ClientsQuery:
    """What officers may read of clients."""

    client: ClientStandingInfo = strawberry.field(
        resolver=resolve_client,
        permission_classes=[OfficersOnly],
        description="A registered client: its keys, whether it is disabled (by whom, when, "
        "why) and every recorded change.",
    )


@strawberry.type
class ClientsMutation:
    """Switching clients off and on, each change recorded with a reason."""

    disable_client: ClientStandingInfo = strawberry.mutation(
        resolver=resolve_disable,
        permission_classes=[OfficersOnly],
        description="Disable a client: the token endpoint refuses it from the next request "
        "and its access tokens issued until now are refused. Needs a reason.",
    )
    enable_client: ClientStandingInfo = strawberry.mutation(
        resolver=resolve_enable,
        permission_classes=[OfficersOnly],
        description="Enable a disabled client; tokens issued before it was disabled stay "
        "refused. Needs a reason.",
    )
    remove_client_key: ClientStandingInfo = strawberry.mutation(
        resolver=resolve_remove_key,
        permission_classes=[OfficersOnly],
        description="Remove one key (kid) of a client, e.g. a leaked one: assertions signed "
        "with it are refused from the next request and the client's access tokens issued "
        "until now are refused. Not the last key (disable the client instead). Needs a reason.",
    )
