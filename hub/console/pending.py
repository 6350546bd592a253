"""OpenID Connect sign-ins under way: what authlib keeps between the redirect and the callback.

authlib's Starlette client keeps the state, nonce, PKCE code verifier and
redirect URI in `request.session`. The console has no cookie session for a
visitor, so each sign-in gets a row of its own (`ConsoleSignIn`), keyed by
the hash of a random token in the browser's sign-in cookie
(`cookies.SIGN_IN`): the callback finds the row only in the browser that
started the sign-in, uses it once, and rows go ten minutes after they were
made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from hub.console.sessions import Clock, aware_utc, new_token, session_id
from hub.db.models import ConsoleSignIn, utcnow
from hub.db.session import Database

#: How long a sign-in at the provider may take.
SIGN_IN_TTL = dt.timedelta(minutes=10)


class SignInStore:
    """Rows of `console_sign_ins`: put when a sign-in starts, taken once by its callback."""

    def __init__(self, database: Database, clock: Clock = utcnow) -> None:
        self.database = database
        self.clock = clock

    async def put(self, provider: str, state: dict[str, Any]) -> str:
        """Keep `state` for `provider`'s callback; return the cookie's token."""
        token = new_token()
        now = self.clock()
        async with self.database.session() as session:
            await session.execute(delete(ConsoleSignIn).where(ConsoleSignIn.expires_at <= now))
            session.add(
                ConsoleSignIn(
                    id=session_id(token),
                    provider=provider,
                    state=state,
                    expires_at=now + SIGN_IN_TTL,
                )
            )
            await session.commit()
        return token

    async def take(self, provider: str, token: str) -> dict[str, Any] | None:
        """The state kept for this cookie's sign-in at `provider`, removed; None if none is live."""
        async with self.database.session() as session:
            row = await session.scalar(
                select(ConsoleSignIn).where(ConsoleSignIn.id == session_id(token))
            )
            if row is None:
                return None
            await session.delete(row)
            await session.commit()
        if row.provider != provider or aware_utc(row.expires_at) <= self.clock():
            return None
        return dict(row.state)
