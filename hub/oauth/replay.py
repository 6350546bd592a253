"""One use per assertion: every accepted assertion's `jti` is kept until it could no longer pass.

The `used_assertions` table's primary key (client_id, jti) is the whole
mechanism: recording a jti is an INSERT, and a jti already there makes the
INSERT fail, atomically, even when two hub processes see the same assertion
at the same instant. Rows are kept until the assertion's `exp` plus the
clock leeway (after that the expiry check refuses it anyway) and purged by
later token requests.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from hub.db.models import UsedAssertion
from hub.db.session import Database


class AssertionKind(enum.StrEnum):
    """Which of a token request's two assertions."""

    CLIENT = "client assertion"
    GRANT = "grant assertion"


@dataclass(frozen=True, slots=True)
class SeenAssertion:
    """An assertion that passed every other check, to be recorded before a token is issued."""

    kind: AssertionKind
    client_id: str
    jti: str
    keep_until: int


class ReplayedAssertion(Exception):
    """The assertion's jti was already used by this client."""

    def __init__(self, seen: SeenAssertion) -> None:
        super().__init__(f"{seen.kind} jti {seen.jti!r} of client {seen.client_id} used before")
        self.seen = seen


def _at(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


async def record_assertions(db: Database, seen: Sequence[SeenAssertion], *, now: int) -> None:
    """Record each assertion's jti, or raise ReplayedAssertion for the first one used before.

    Nothing is recorded when any is refused: the request fails as a whole.
    A jti must also differ between the two assertions of one request (RFC
    7519 makes it unique per JWT), which the same primary key enforces.
    """
    async with db.session() as session:
        await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < _at(now)))
        for item in seen:
            try:
                # A savepoint per row, so that the failed INSERT is undone
                # cleanly on PostgreSQL too and the error names the assertion.
                async with session.begin_nested():
                    session.add(
                        UsedAssertion(
                            client_id=item.client_id,
                            jti=item.jti,
                            expires_at=_at(item.keep_until),
                        )
                    )
                    await session.flush()
            except IntegrityError:
                raise ReplayedAssertion(item) from None
        await session.commit()
