"""Policy versions in the database: baseline, proposals, four-eyes activation.

Every change is a new immutable version with who proposed it, when and why;
a version becomes active only when a second privacy officer approves it, and
activation supersedes the previously active version.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.catalog.model import Catalog
from hub.db.models import PolicyVersion, utcnow
from hub.db.session import Database
from policies.compiled import CompiledPolicy, compile_policy
from policies.document import PolicyDocument, parse_document, read_baseline

BASELINE_AUTHOR = "baseline"


class VersionStatus(enum.StrEnum):
    """Where a version is in its life."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"


class VersionError(ValueError):
    """A version operation is not allowed (unknown version, wrong state, same officer)."""


class VersionNotFound(VersionError):
    """No version has this number."""


#: The longest reason the database keeps (policy_versions.reason).
MAX_REASON = 2000


@dataclass(frozen=True)
class VersionInfo:
    """A version's metadata and document."""

    version: int
    status: VersionStatus
    document: PolicyDocument
    reason: str
    proposed_by: str
    decided_by: str | None
    proposed_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    activated_at: dt.datetime | None = None


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _info(row: PolicyVersion) -> VersionInfo:
    return VersionInfo(
        version=row.version,
        status=VersionStatus(row.status),
        document=parse_document(row.document),
        reason=row.reason,
        proposed_by=row.proposed_by,
        decided_by=row.decided_by,
        proposed_at=_aware(row.proposed_at),
        decided_at=_aware(row.decided_at),
        activated_at=_aware(row.activated_at),
    )


async def _next_version(session: AsyncSession) -> int:
    current = await session.scalar(select(func.max(PolicyVersion.version)))
    return (current or 0) + 1


async def install_baseline(db: Database, catalog: Catalog) -> int | None:
    """Load the reviewed baseline as the active version 1 if no version exists yet.

    Returns the version installed, or None when the database already has
    policies (the baseline never overwrites officers' work).
    """
    document = read_baseline()
    compile_policy(document, catalog, 1)  # refuse to install an invalid baseline
    async with db.session() as session:
        if await session.scalar(select(func.count()).select_from(PolicyVersion)):
            return None
        now = utcnow()
        session.add(
            PolicyVersion(
                version=1,
                status=VersionStatus.ACTIVE,
                document=document.as_json(),
                reason="reviewed baseline from policies/baseline",
                proposed_by=BASELINE_AUTHOR,
                proposed_at=now,
                decided_by=BASELINE_AUTHOR,
                decided_at=now,
                activated_at=now,
            )
        )
        await session.commit()
    return 1


async def active_version(db: Database) -> VersionInfo | None:
    """The active version, or None when no policy was ever installed."""
    async with db.session() as session:
        row = await session.scalar(
            select(PolicyVersion).where(PolicyVersion.status == VersionStatus.ACTIVE)
        )
        return None if row is None else _info(row)


async def list_versions(db: Database) -> list[VersionInfo]:
    """Every version, newest first."""
    async with db.session() as session:
        rows = await session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc()))
        return [_info(row) for row in rows]


async def get_version(db: Database, version: int) -> VersionInfo:
    """One version; VersionNotFound when it does not exist."""
    async with db.session() as session:
        row = await session.get(PolicyVersion, version)
        if row is None:
            raise VersionNotFound(f"no policy version {version}")
        return _info(row)


async def propose(
    db: Database, catalog: Catalog, document: PolicyDocument, officer: str, reason: str
) -> int:
    """Record a new proposed version; PolicyError if it contradicts the catalog."""
    if not reason.strip():
        raise VersionError("a proposal needs a reason")
    if len(reason) > MAX_REASON:
        raise VersionError(f"a reason is at most {MAX_REASON} characters")
    async with db.session() as session:
        version = await _next_version(session)
        compile_policy(document, catalog, version)
        session.add(
            PolicyVersion(
                version=version,
                status=VersionStatus.PROPOSED,
                document=document.as_json(),
                reason=reason,
                proposed_by=officer,
            )
        )
        await session.commit()
    return version


async def decide(db: Database, version: int, officer: str, *, approve: bool) -> VersionInfo:
    """Approve (activate) or reject a proposed version; the proposer cannot decide it."""
    async with db.session() as session:
        row = await session.get(PolicyVersion, version, with_for_update=True)
        if row is None:
            raise VersionNotFound(f"no policy version {version}")
        if row.status != VersionStatus.PROPOSED:
            raise VersionError(f"version {version} is {row.status}, not proposed")
        if row.proposed_by == officer:
            raise VersionError("the proposer cannot approve or reject their own change")
        now = utcnow()
        if approve:
            await session.execute(
                update(PolicyVersion)
                .where(PolicyVersion.status == VersionStatus.ACTIVE)
                .values(status=VersionStatus.SUPERSEDED)
            )
            row.status = VersionStatus.ACTIVE
            row.activated_at = now
        else:
            row.status = VersionStatus.REJECTED
        row.decided_by = officer
        row.decided_at = now
        await session.commit()
        return _info(row)


async def load_active(db: Database, catalog: Catalog) -> CompiledPolicy:
    """Compile the active version; an empty policy (nothing granted) if none exists.

    Failing closed: with no policy installed every data field is refused.
    """
    info = await active_version(db)
    if info is None:
        return CompiledPolicy(version=0, grants={})
    return compile_policy(info.document, catalog, info.version)
