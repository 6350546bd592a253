"""Switching a client off: disable, enable, remove one of its keys; each change recorded.

A leaked key or a compromised application must stop working at once, not
at the next registration. Disabling a client (or removing a key) takes
effect at the token endpoint with the next request, since every token
request loads its clients from the database; the change also sets
`tokens_not_before`, so the access tokens the client already holds (at most
10 minutes' worth) are refused at /graphql too, within
HUB_POLICY_REFRESH_S (`hub.auth.revocation`). Every change is recorded in
`oauth_client_changes` with who made it, when and why; a reason is
required.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import OAuthClient, OAuthClientChange, utcnow
from hub.db.session import Database

#: Longest reason kept for a change (a sentence or two, not a report).
MAX_REASON = 500


class ClientChangeError(ValueError):
    """The change is not possible; the message says why."""


class ClientNotFound(ClientChangeError):
    """No client is registered under this id."""


class ClientAction(enum.StrEnum):
    """What a recorded change did."""

    DISABLED = "disabled"
    ENABLED = "enabled"
    KEY_REMOVED = "key_removed"


@dataclass(frozen=True)
class ClientChange:
    """One recorded change."""

    action: ClientAction
    actor: str
    reason: str
    at: dt.datetime
    kid: str | None = None


@dataclass(frozen=True)
class ClientStanding:
    """A client's keys and whether (and since when, by whom, why) it is disabled."""

    client_id: str
    role: str
    agency: str | None
    kids: tuple[str, ...]
    disabled_at: dt.datetime | None
    disabled_by: str | None
    disabled_reason: str | None
    tokens_not_before: dt.datetime | None
    changes: tuple[ClientChange, ...] = ()

    @property
    def disabled(self) -> bool:
        """Whether the token endpoint refuses the client."""
        return self.disabled_at is not None

    def describe(self) -> str:
        """One line for the operator."""
        state = (
            f"disabled since {self.disabled_at.isoformat()} by {self.disabled_by}"
            if self.disabled_at is not None
            else "enabled"
        )
        return f"client {self.client_id} ({state}) with keys {', '.join(self.kids)}"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ClientChangeError("a reason is required: say why, it is recorded with the change")
    if len(text) > MAX_REASON:
        raise ClientChangeError(f"the reason is over {MAX_REASON} characters")
    return text


def _kids(row: OAuthClient) -> tuple[str, ...]:
    return tuple(str(key.get("kid")) for key in row.jwks.get("keys", []))


async def _locked(session: AsyncSession, client_id: str) -> OAuthClient:
    # Locked so that two officers' changes of one client apply one after the other.
    row = await session.get(OAuthClient, client_id, with_for_update=True)
    if row is None:
        raise ClientNotFound(f"no client {client_id!r} is registered")
    return row


async def disable_client(
    db: Database, client_id: str, *, actor: str, reason: str
) -> ClientStanding:
    """Disable the client: refused at the token endpoint at once, its tokens at /graphql."""
    why = _reason(reason)
    async with db.session() as session:
        row = await _locked(session, client_id)
        if row.disabled_at is not None or not row.active:
            raise ClientChangeError(f"client {client_id} is already disabled")
        now = utcnow()
        row.active = False
        row.disabled_at, row.disabled_by, row.disabled_reason = now, actor, why
        row.tokens_not_before = now
        row.updated_at = now
        session.add(OAuthClientChange(
            client_id=client_id, action=ClientAction.DISABLED, actor=actor, reason=why, at=now
        ))  # fmt: skip
        await session.commit()
    return await client_standing(db, client_id)


async def enable_client(db: Database, client_id: str, *, actor: str, reason: str) -> ClientStanding:
    """Enable a disabled client; tokens issued before it was disabled stay refused."""
    why = _reason(reason)
    async with db.session() as session:
        row = await _locked(session, client_id)
        if row.active and row.disabled_at is None:
            raise ClientChangeError(f"client {client_id} is not disabled")
        now = utcnow()
        row.active = True
        row.disabled_at = row.disabled_by = row.disabled_reason = None
        row.updated_at = now
        session.add(OAuthClientChange(
            client_id=client_id, action=ClientAction.ENABLED, actor=actor, reason=why, at=now
        ))  # fmt: skip
        await session.commit()
    return await client_standing(db, client_id)


async def remove_client_key(
    db: Database, client_id: str, kid: str, *, actor: str, reason: str
) -> ClientStanding:
    """Remove one key of the client: assertions signed with it are refused at once.

    Access tokens the client obtained before are refused at /graphql too: the
    hub cannot tell which key obtained them, and the client gets new ones
    with its remaining keys. The last key cannot be removed (disable the
    client instead), so a client always has a key to come back with.
    """
    why = _reason(reason)
    async with db.session() as session:
        row = await _locked(session, client_id)
        kids = _kids(row)
        if kid not in kids:
            raise ClientChangeError(
                f"client {client_id} has no key {kid!r} (its keys: {', '.join(kids)})"
            )
        if len(kids) == 1:
            raise ClientChangeError(
                f"{kid} is the last key of client {client_id}: disable the client instead"
            )
        now = utcnow()
        row.jwks = {"keys": [key for key in row.jwks["keys"] if key.get("kid") != kid]}
        row.tokens_not_before = now
        row.updated_at = now
        session.add(OAuthClientChange(
            client_id=client_id, action=ClientAction.KEY_REMOVED, kid=kid, actor=actor,
            reason=why, at=now,
        ))  # fmt: skip
        await session.commit()
    return await client_standing(db, client_id)


async def client_standing(db: Database, client_id: str) -> ClientStanding:
    """The client's standing and its recorded changes, oldest first."""
    async with db.session() as session:
        row = await session.get(OAuthClient, client_id)
        if row is None:
            raise ClientNotFound(f"no client {client_id!r} is registered")
        changes = (
            await session.scalars(
                select(OAuthClientChange)
                .where(OAuthClientChange.client_id == client_id)
                .order_by(OAuthClientChange.id)
            )
        ).all()
        return ClientStanding(
            client_id=row.client_id,
            role=row.role,
            agency=row.agency,
            kids=_kids(row),
            # A client made inactive before disabling was recorded counts as disabled.
            disabled_at=_aware(row.disabled_at) or (None if row.active else _aware(row.updated_at)),
            disabled_by=row.disabled_by,
            disabled_reason=row.disabled_reason,
            tokens_not_before=_aware(row.tokens_not_before),
            changes=tuple(
                ClientChange(ClientAction(c.action), c.actor, c.reason, _aware(c.at) or c.at, c.kid)
                for c in changes
            ),
        )
