"""Console sessions, stored server-side in the hub's database.

Why not a signed cookie (starlette's SessionMiddleware): a cookie-stored
session is valid for as long as its signature is, wherever it was copied.
Signing out could only ask the browser to forget it, an idle timeout would
be the browser's word, and a stolen cookie could not be revoked. Here the
cookie holds only a random 256-bit token and the database a row keyed by
its SHA-256 (`hub.db.models.ConsoleSession`): who, in which role, since
when, last seen when. Every request looks the row up, so

- signing out deletes the row: the cookie is worthless at once, anywhere;
- the idle timeout (`HUB_CONSOLE_IDLE_TIMEOUT_S`) and the absolute lifetime
  (`HUB_CONSOLE_SESSION_LIFETIME_S`) are the hub's clock against the row,
  and a session past either is deleted when next presented;
- an operator revokes a session, or all of them, by deleting rows;
- a copy of the table gives no usable cookie (only hashes), and does not
  say which citizens are signed in: a citizen's registration number is
  sealed (AES-256-GCM) under a key derived from the cookie's token, which
  only the browser holds.

The cost is one read and one write of the hub's database per page, which a
console's traffic affords.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, or_, select

from hub.auth.roles import Role
from hub.auth.tokens import Principal
from hub.console.csrf import csrf_token
from hub.db.models import ConsoleSession, utcnow
from hub.db.session import Database

#: The client id the console's principals carry, as a token names its client.
CONSOLE_CLIENT = "console"
#: How a development sign-in is recorded (`sign_in`); providers' keys otherwise.
DEVELOPMENT = "development"
#: The official a citizen's own reads are logged under: the person is the
#: entry's subject, and the portal is a service, not an official.
CITIZEN_OFFICIAL = "citizen.self-service"

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class ConsoleUser:
    """Who signed in: a role and an official id, or a citizen (role citizen portal) and a number."""

    role: Role
    official: str
    #: A citizen's registration number (13 digits); None for officials.
    rrn: str | None = None
    #: `development`, or the identity provider's key.
    sign_in: str = DEVELOPMENT

    @property
    def is_citizen(self) -> bool:
        """Whether this is a citizen looking at their own data."""
        return self.role is Role.CITIZEN_PORTAL


class SessionEnded(Exception):
    """The cookie's session exists no more; `reason` is `idle`, `expired` or `unknown`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ActiveSession:
    """A session presented with this request, found valid and just touched."""

    #: The cookie's secret: kept in memory for this request only.
    token: str
    user: ConsoleUser
    created_at: dt.datetime
    expires_at: dt.datetime

    @property
    def ref(self) -> str:
        """The session's id in the database (the token's hash), safe to log."""
        return session_id(self.token)

    @property
    def csrf_token(self) -> str:
        """The token every form of this session carries."""
        return csrf_token(self.token)

    def principal(self) -> Principal:
        """The caller as the admin services know callers: the same type a bearer token gives."""
        return Principal(
            agency="",
            official=self.user.official,
            token_id=self.ref[:16],
            expires_at=int(self.expires_at.timestamp()),
            role=self.user.role,
            client_id=CONSOLE_CLIENT,
            issued_at=int(self.created_at.timestamp()),
        )


def new_token() -> str:
    """A fresh random cookie token (256 bits)."""
    return secrets.token_urlsafe(32)


def session_id(token: str) -> str:
    """The database key of the session whose cookie holds `token`."""
    return hashlib.sha256(token.encode()).hexdigest()


def _sealing_key(token: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ssis-hub console subject v1"
    ).derive(token.encode())
    return AESGCM(key)


def seal(token: str, plaintext: str) -> str:
    """`plaintext` encrypted under a key only the cookie's `token` gives (base64)."""
    nonce = secrets.token_bytes(12)
    sealed = _sealing_key(token).encrypt(nonce, plaintext.encode(), session_id(token).encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, sealed: str) -> str:
    """The plaintext `seal` sealed under `token`; ValueError if it was not."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return _sealing_key(token).decrypt(raw[:12], raw[12:], session_id(token).encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise ValueError("the sealed value does not open with this token") from exc


def aware_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back the UTC wall time it was given, without the zone.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


class SessionStore:
    """Creates, resumes and ends console sessions in the hub's database."""

    def __init__(
        self,
        database: Database,
        *,
        idle_timeout_s: float,
        lifetime_s: float,
        clock: Clock = utcnow,
    ) -> None:
        self.database = database
        self.idle = dt.timedelta(seconds=idle_timeout_s)
        self.lifetime = dt.timedelta(seconds=lifetime_s)
        self.clock = clock

    async def create(self, user: ConsoleUser) -> ActiveSession:
        """A new session for `user` (a fresh token: never one the browser had before)."""
        token = new_token()
        now = self.clock()
        row = ConsoleSession(
            id=session_id(token),
            role=str(user.role),
            official=user.official,
            sealed_subject=seal(token, user.rrn) if user.rrn is not None else None,
            sign_in=user.sign_in,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.lifetime,
        )
        async with self.database.session() as session:
            # Sessions that ended without signing out go when new ones begin.
            await session.execute(
                delete(ConsoleSession).where(
                    or_(
                        ConsoleSession.expires_at <= now,
                        ConsoleSession.last_seen_at <= now - self.idle,
                    )
                )
            )
            session.add(row)
            await session.commit()
        return ActiveSession(token, user, now, row.expires_at)

    async def resume(self, token: str) -> ActiveSession:
        """The session whose cookie holds `token`, touched; SessionEnded if there is none."""
        now = self.clock()
        async with self.database.session() as session:
            row = await session.scalar(
                select(ConsoleSession).where(ConsoleSession.id == session_id(token))
            )
            if row is None:
                raise SessionEnded("unknown")
            reason = None
            if aware_utc(row.expires_at) <= now:
                reason = "expired"
            elif aware_utc(row.last_seen_at) <= now - self.idle:
                reason = "idle"
            if reason is not None:
                await session.delete(row)
                await session.commit()
                raise SessionEnded(reason)
            try:
                rrn = unseal(token, row.sealed_subject) if row.sealed_subject else None
            except ValueError:
                raise SessionEnded("unknown") from None
            user = ConsoleUser(Role(row.role), row.official, rrn, row.sign_in)
            row.last_seen_at = now
            await session.commit()
            return ActiveSession(token, user, aware_utc(row.created_at), aware_utc(row.expires_at))

    async def end(self, token: str) -> None:
        """Sign out: the session's row goes, so its cookie is worthless wherever it is."""
        async with self.database.session() as session:
            await session.execute(
                delete(ConsoleSession).where(ConsoleSession.id == session_id(token))
            )
            await session.commit()
