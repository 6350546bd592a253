"""Policy versions in the database: baseline, proposals, four-eyes activation.

Every change is a new immutable version with who proposed it, when and why;
a version becomes active only when a second privacy officer approves it, and
activation supersedes the previously active version.

A version is the whole policy set, so a proposal is an edit of the version
it was drafted from: it names that base, and it may be approved only while
its base is still the active version (otherwise approving it would silently
undo whatever was activated in between). Concurrent officers are kept apart
by the database, on SQLite and PostgreSQL alike: a proposal's and a
decision's transaction starts with its write (never with a read), which on
SQLite takes the database's write lock and on PostgreSQL the rows' locks
before anything is decided; a partial unique index keeps at most one version
active whatever happens; version numbers are allocated inside the INSERT and
retried on the rare collision.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.catalog.model import Catalog
from hub.db.models import PolicyVersion, utcnow
from hub.db.session import Database
from hub.identity.officials import same_official
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


class PolicyBaseStale(VersionError):
    """The version a proposal is based on is not (or no longer) the active one.

    `version` is the proposal being approved (None when a proposal is being
    made), `base` the version it names as its base (None when unknown), and
    `active` the version active now (None when none is).
    """

    def __init__(self, version: int | None, base: int | None, active: int | None) -> None:
        self.version, self.base, self.active = version, base, active
        now = "no version is active" if active is None else f"version {active} is active now"
        on_top = "" if active is None else f" on top of version {active}"
        if version is None:
            message = (
                f"the proposal is based on version {base}, but {now}: "
                f"apply your change{on_top} and propose it again"
            )
        elif base is None:
            message = (
                f"version {version} was proposed before proposals recorded their base, "
                f"so it cannot be approved ({now}): it must be proposed again{on_top}"
            )
        else:
            message = (
                f"version {version} was proposed on top of version {base}, but {now}: "
                f"approving it would undo what changed since; the proposing officer "
                f"must propose it again{on_top}"
            )
        super().__init__(message)


class VersionConflict(VersionError):
    """Another officer's write to the policy versions won a race; trying again is safe."""


#: The longest reason the database keeps (policy_versions.reason).
MAX_REASON = 2000

#: How many times a proposal tries for a version number before giving up.
#: Each collision means another proposal got the number, so this bounds how
#: many officers may propose in the very same moment (PostgreSQL only:
#: SQLite's write lock serialises the allocation itself).
ALLOCATION_ATTEMPTS = 10


@dataclass(frozen=True)
class VersionInfo:
    """A version's metadata and document."""

    version: int
    status: VersionStatus
    document: PolicyDocument
    reason: str
    proposed_by: str
    decided_by: str | None
    base_version: int | None = None
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
        base_version=row.base_version,
        proposed_at=_aware(row.proposed_at),
        decided_at=_aware(row.decided_at),
        activated_at=_aware(row.activated_at),
    )


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
                base_version=None,  # the baseline is based on no earlier version
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


async def _active_number(db: Database) -> int | None:
    async with db.session() as session:
        number: int | None = await session.scalar(
            select(PolicyVersion.version).where(PolicyVersion.status == VersionStatus.ACTIVE)
        )
        return number


async def propose(
    db: Database,
    catalog: Catalog,
    document: PolicyDocument,
    officer: str,
    reason: str,
    *,
    base_version: int,
) -> int:
    """Record a new proposed version drafted from `base_version`; returns its number.

    PolicyError if the document contradicts the catalog; PolicyBaseStale if
    `base_version` is not the active version (the officer edited an old
    one); VersionConflict in the unlikely case that no number could be
    allocated because other proposals kept taking them.
    """
    if not reason.strip():
        raise VersionError("a proposal needs a reason")
    if len(reason) > MAX_REASON:
        raise VersionError(f"a reason is at most {MAX_REASON} characters")
    # Validation does not depend on the number: it is compiled as version 0.
    compile_policy(document, catalog, 0)
    # Checked here so the officer learns at once; the base can still go
    # stale before the approval, which checks it again under lock.
    active = await _active_number(db)
    if active != base_version:
        raise PolicyBaseStale(None, base_version, active)
    # The number is computed inside the INSERT, so on SQLite the statement
    # holds the write lock while it reads the maximum and no two proposals
    # can get the same one. On PostgreSQL two concurrent INSERTs may both
    # read the same maximum; the primary key refuses the second, which then
    # tries again and sees the first one's row.
    allocate = insert(PolicyVersion).values(
        version=select(func.coalesce(func.max(PolicyVersion.version), 0) + 1).scalar_subquery(),
        status=VersionStatus.PROPOSED,
        base_version=base_version,
        document=document.as_json(),
        reason=reason,
        proposed_by=officer,
        proposed_at=utcnow(),
    )
    for _ in range(ALLOCATION_ATTEMPTS):
        try:
            async with db.session() as session:
                inserted = await session.execute(allocate.returning(PolicyVersion.version))
                version: int = inserted.scalar_one()
                await session.commit()
        except IntegrityError:
            continue
        return version
    raise VersionConflict(
        "other proposals took every version number tried; propose again in a moment"
    )


async def _check_decidable(db: Database, version: int, officer: str) -> PolicyVersion:
    """The proposal, if `officer` may decide it; read before (and apart from) the decision."""
    async with db.session() as session:
        row = await session.get(PolicyVersion, version)
    if row is None:
        raise VersionNotFound(f"no policy version {version}")
    if row.status != VersionStatus.PROPOSED:
        raise VersionError(f"version {version} is {row.status}, not proposed")
    if same_official(row.proposed_by, officer):
        raise VersionError("the proposer cannot approve or reject their own change")
    return row


async def _no_longer_proposed(db: Database, version: int) -> VersionError:
    """Why a proposal seen as proposed could not be decided: another officer decided it."""
    async with db.session() as session:
        status = await session.scalar(
            select(PolicyVersion.status).where(PolicyVersion.version == version)
        )
    return VersionError(f"version {version} is {status}, not proposed")


async def _supersede(session: AsyncSession, base: int) -> bool:
    """Supersede `base` if it is still the active version; whether it was."""
    superseded = await session.scalar(
        update(PolicyVersion)
        .where(PolicyVersion.version == base, PolicyVersion.status == VersionStatus.ACTIVE)
        .values(status=VersionStatus.SUPERSEDED)
        .returning(PolicyVersion.version)
    )
    return superseded is not None


async def decide(db: Database, version: int, officer: str, *, approve: bool) -> VersionInfo:
    """Approve (activate) or reject a proposed version; the proposer cannot decide it.

    Approval supersedes the proposal's base, which must still be the active
    version: PolicyBaseStale otherwise, and nothing changes. Of two
    approvals racing on one base, exactly one activates; the other is
    refused as stale.
    """
    proposal = await _check_decidable(db, version, officer)
    # Who proposed it and on what base never change, so they may be read
    # outside the transaction below. Its status may: every write there is
    # guarded by the status it expects and returns the row it changed.
    base = proposal.base_version
    if approve and base is None:
        raise PolicyBaseStale(version, None, await _active_number(db))
    now = utcnow()
    decision = (
        update(PolicyVersion)
        .where(PolicyVersion.version == version, PolicyVersion.status == VersionStatus.PROPOSED)
        .values(
            status=VersionStatus.ACTIVE if approve else VersionStatus.REJECTED,
            decided_by=officer,
            decided_at=now,
            activated_at=now if approve else None,
        )
        .returning(PolicyVersion)
    )
    stale = False
    row: PolicyVersion | None = None
    try:
        async with db.session() as session:
            # Superseding comes first, and it is a write: it takes SQLite's
            # write lock, or on PostgreSQL the base row's lock, before
            # anything is decided. A concurrent approval on the same base
            # waits there, then finds the base superseded and changes nothing.
            if approve and base is not None:
                stale = not await _supersede(session, base)
            if not stale:
                row = await session.scalar(decision)
            if row is None:
                await session.rollback()
            else:
                await session.commit()
    except IntegrityError:
        # Only the one-active index can refuse these updates, and only if a
        # version was activated by something that bypassed this function.
        raise VersionConflict(
            f"version {version} could not be activated: another version became active "
            "at the same time; look at the active version and propose again on top of it"
        ) from None
    if stale:
        raise PolicyBaseStale(version, base, await _active_number(db))
    if row is None:
        # Still proposed when checked, decided by another officer since.
        raise await _no_longer_proposed(db, version)
    return _info(row)


async def load_active(db: Database, catalog: Catalog) -> CompiledPolicy:
    """Compile the active version; an empty policy (nothing granted) if none exists.

    Failing closed: with no policy installed every data field is refused.
    """
    info = await active_version(db)
    if info is None:
        return CompiledPolicy(version=0, grants={})
    return compile_policy(info.document, catalog, info.version)
