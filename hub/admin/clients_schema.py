"""Privacy officers switching a client off at /admin/graphql: disable, enable, remove a key.

Thin wrappers of `hub.admin.client_service`, which the console's officer
pages call too: each change names a reason and is recorded with the
officer; the token endpoint refuses the client (or the key) from its next
request and its tokens already issued are refused. The fields are mounted
on the admin schema's Query and Mutation by inheritance.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.admin.client_service import change_client, client_standing
from hub.admin.context import AdminContext
from hub.admin.permissions import OfficersOnly
from hub.oauth.standing import ClientStanding


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


async def resolve_client(info: strawberry.Info, client_id: str) -> ClientStandingInfo:
    """The client's standing and its recorded changes."""
    return _info(await client_standing(_ctx(info), client_id))


async def _change(
    info: strawberry.Info, client_id: str, action: str, reason: str, kid: str | None = None
) -> ClientStandingInfo:
    return _info(await change_client(_ctx(info), client_id, action, reason, kid))


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
