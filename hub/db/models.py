"""Tables of the hub's own database.

The hub stores no personal data values: only who asked for what (the access
log) and the mapping from its opaque person ids to encrypted registration
numbers (subjects).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, not BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: Who changed a consent: an official id (64), or a consent-manager channel
#: as `client_id:official` (64 + 1 + 64).
ACTOR_LENGTH = 129


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention for migrations."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Subject(Base):
    """A person the hub has answered about, by opaque id."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(33), primary_key=True)
    rrn_key_id: Mapped[str] = mapped_column(String(64))
    rrn_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One leaf of the tamper-evident audit log: one person's data in one request.

    Every column but `leaf_hash` and `pruned_at` goes into the entry's
    canonical encoding (hub.audit.entries), whose hash is the Merkle leaf;
    changing any of them is detected. Retention prunes the content of old
    entries but keeps their leaf hash, so the tree stays verifiable.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_agency_person", "agency", "person"),
        Index("ix_audit_entries_official_time", "official", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)
    agency: Mapped[str | None] = mapped_column(String(32))
    official: Mapped[str | None] = mapped_column(String(129))
    purpose: Mapped[str | None] = mapped_column(String(64))
    case_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    person: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(16))
    released: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    refused: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    consent_ids: Mapped[list[str] | None] = mapped_column(JSON)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    query_hash: Mapped[str | None] = mapped_column(String(64))
    suppressed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    pruned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RequestPlan(Base):
    """What one agency request asked for: the plan the gate decided, beside its entries.

    The entries say per person what was released and refused, not what a
    refused request asked for; this row does, so a proposed policy can be
    replayed against recent requests (`hub.admin.replay`). It holds no
    person: the count named, never who. Written by the audit writer in the
    same transaction as the request's entries, and deleted with their
    content by retention (`hub.audit.retention`).
    """

    __tablename__ = "request_plans"
    __table_args__ = (Index("ix_request_plans_agency_time", "agency", "occurred_at"),)
    #: Each request writes its row once: the audit writer need not remember it.
    remember_written: ClassVar[bool] = False

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    agency: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(64))
    #: Information type -> the schema fields selected on it, sorted.
    selected: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Every person the operation named, over all its root fields and aliases.
    persons: Mapped[int] = mapped_column(Integer)
    walks_household: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[int | None] = mapped_column(Integer)
    query_hash: Mapped[str | None] = mapped_column(String(64))


class AuditNode(Base):
    """A perfect subtree of the audit tree (level >= 1) covering leaves
    [index * 2**level, (index + 1) * 2**level); leaves are in audit_entries."""

    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditState(Base):
    """The single row holding the tree's size; writers serialise on its lock."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)


class AuditTreeHead(Base):
    """A signed tree head: the hub's Ed25519 signature over (size, root, time)."""

    __tablename__ = "audit_tree_heads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class OAuthClient(Base):
    """A registered client of the hub's OAuth2 server: an agency application or a role's tool.

    The hub stores only the client's public keys (JWKS); clients prove who
    they are with assertions signed by the matching private keys.
    """

    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    jwks: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Who disabled the client, when and why (null while it is enabled).
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_by: Mapped[str | None] = mapped_column(String(200))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    #: Access tokens of this client issued before this moment are refused at
    #: /graphql: set when it is disabled or loses a key, kept when re-enabled.
    tokens_not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthClientChange(Base):
    """One recorded change of a client's standing: disabled, enabled, or a key removed."""

    __tablename__ = "oauth_client_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("oauth_clients.client_id"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    kid: Mapped[str | None] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsedAssertion(Base):
    """A client assertion's `jti`, kept until the assertion expires, to refuse replays."""

    __tablename__ = "used_assertions"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class PolicyVersion(Base):
    """One immutable version of the whole access policy set.

    A version is proposed by one privacy officer and activated only when a
    second one approves it; activating supersedes the previous active version.
    The document is never edited: a change is a new version.

    A proposal names the version it was based on (`base_version`, the active
    one when it was proposed); it may be approved only while that version is
    still the active one, so approving a stale proposal cannot silently undo
    a newer change. The partial unique index `ux_policy_versions_one_active`
    lets the database itself refuse a second active version, whatever the
    application does.
    """

    __tablename__ = "policy_versions"
    __table_args__ = (
        Index(
            "ux_policy_versions_one_active",
            "status",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    # NULL for the baseline (based on nothing) and for proposals recorded
    # before migration 0007, whose base is unknown (they cannot be approved).
    base_version: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.version"))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(2000))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Consent(Base):
    """A person's consent to an agency using information types for a purpose."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_lookup", "subject_id", "agency", "purpose"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"))
    agency: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(64))
    info_types: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    usage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Free-text evidence (document numbers, the officer's note) is personal
    # data: kept AES-GCM-encrypted with its key id.
    evidence_key_id: Mapped[str | None] = mapped_column(String(64))
    evidence_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsentEvent(Base):
    """One step in a consent's life (recorded, paused, resumed, revoked, used)."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(2000))


class Pseudonym(Base):
    """The id an agency knows a person by, back to the hub's subject."""

    __tablename__ = "pseudonyms"

    agency: Mapped[str] = mapped_column(String(32), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)


class RateCounter(Base):
    """Requests counted in one window of one rate limit, shared by every hub process.

    `scope` names the limit (`agency_per_minute`, `official_per_minute`,
    `agency_per_day`), `key` whom it counts (an agency code, or
    `agency:official`), `window_start` the window's start in Unix seconds.
    """

    __tablename__ = "rate_counters"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)


class TrustedDocument(Base):
    """An operation an agency registered by hash, and a privacy officer's decision on it.

    `document_hash` is the sha256 hex of the exact UTF-8 text, the same hash
    the access log records as `query_hash`, so auditors can join the two.
    """

    __tablename__ = "trusted_documents"

    agency: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    operation_names: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(ACTOR_LENGTH))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(String(2000))


class ConsoleSession(Base):
    """A person signed in to the console (`hub.console.sessions`).

    `id` is the SHA-256 of the token the browser's cookie holds, never the
    token: a copy of this table lets no one act as anyone. A citizen's
    registration number is sealed under a key derived from that token
    (`sealed_subject`), so the table does not say who is signed in either.
    """

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    official: Mapped[str] = mapped_column(String(64))
    sealed_subject: Mapped[str | None] = mapped_column(String(200))
    #: How the person signed in: `development`, or the OpenID Connect provider's key.
    sign_in: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ConsoleSignIn(Base):
    """An OpenID Connect sign-in under way: state, nonce and PKCE verifier until the callback.

    `id` is the SHA-256 of the token in the browser's sign-in cookie, which
    binds the callback to the browser that started it.
    """

    __tablename__ = "console_sign_ins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
