"""Policy versions: immutable, proposed by one officer, activated by another.

A proposal names its base, and approving it once the base is no longer
active is refused; concurrent officers never get two active versions or two
proposals with one number (tested on separate connections, both backends).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hub.catalog import load_catalog
from hub.db.models import PolicyVersion, utcnow
from hub.db.session import Database
from policies.compiled import PolicyError
from policies.document import PolicyDocument, parse_document
from policies.versions import (
    PolicyBaseStale,
    VersionError,
    VersionInfo,
    VersionStatus,
    active_version,
    decide,
    get_version,
    install_baseline,
    list_versions,
    load_active,
    propose,
)


async def test_baseline_is_installed_once(database: Database) -> None:
    active = await active_version(database)
    assert active is not None and active.version == 1 and active.proposed_by == "baseline"
    assert await install_baseline(database, load_catalog()) is None


async def test_four_eyes_activation(database: Database) -> None:
    catalog = load_catalog()
    base = await active_version(database)
    assert base is not None
    document = base.document.model_copy(update={"agencies": base.document.agencies[1:]})
    removed = base.document.agencies[0].agency
    version = await propose(
        database, catalog, document, "officer.a", "drop one agency", base_version=1
    )
    assert (await load_active(database, catalog)).version == 1
    with pytest.raises(VersionError, match="proposer cannot"):
        await decide(database, version, "officer.a", approve=True)
    info = await decide(database, version, "officer.b", approve=True)
    assert info.status is VersionStatus.ACTIVE and info.decided_by == "officer.b"
    assert info.base_version == 1
    compiled = await load_active(database, catalog)
    assert compiled.version == version
    assert not compiled.grants_of(removed)
    statuses = {v.version: v.status for v in await list_versions(database)}
    assert statuses[1] is VersionStatus.SUPERSEDED
    with pytest.raises(VersionError, match="not proposed"):
        await decide(database, version, "officer.c", approve=False)


async def test_invalid_proposal_is_refused_and_nothing_changes(database: Database) -> None:
    document = parse_document(
        {
            "agencies": [
                {
                    "agency": "LOCAL_WELFARE",
                    "grants": [
                        {
                            "purpose": "basic_livelihood_eligibility",
                            "legal_basis": "x",
                            "types": {
                                "earnedIncome": {"fields": {"salary": "full"}},
                                "noSuchType": {"fields": {}},
                            },
                        }
                    ],
                }
            ]
        }
    )
    before = len(await list_versions(database))
    with pytest.raises(PolicyError) as refused:
        await propose(database, load_catalog(), document, "officer.a", "typo", base_version=1)
    assert "unknown field earnedIncome.salary" in refused.value.problems
    assert any("noSuchType" in p for p in refused.value.problems)
    assert len(await list_versions(database)) == before


async def test_rejected_proposal_never_activates(database: Database) -> None:
    base = await active_version(database)
    assert base is not None
    version = await propose(
        database, load_catalog(), base.document, "officer.a", "same again", base_version=1
    )
    info = await decide(database, version, "officer.b", approve=False)
    assert info.status is VersionStatus.REJECTED
    assert (await load_active(database, load_catalog())).version == 1


def _without_first_agency(document: PolicyDocument) -> PolicyDocument:
    return document.model_copy(update={"agencies": document.agencies[1:]})


async def _baseline(db: Database) -> VersionInfo:
    active = await active_version(db)
    assert active is not None and active.version == 1
    return active


async def test_a_stale_approval_is_refused_and_the_newer_version_kept(database: Database) -> None:
    catalog = load_catalog()
    baseline = await _baseline(database)
    newer = await propose(
        database,
        catalog,
        _without_first_agency(baseline.document),
        "officer.a",
        "drop one agency",
        base_version=1,
    )
    # Drafted from version 1 too, before `newer` was approved: approving it
    # afterwards would bring the dropped agency back.
    stale = await propose(
        database, catalog, baseline.document, "officer.c", "other edit", base_version=1
    )
    await decide(database, newer, "officer.b", approve=True)
    with pytest.raises(PolicyBaseStale) as refused:
        await decide(database, stale, "officer.b", approve=True)
    assert (refused.value.version, refused.value.base, refused.value.active) == (stale, 1, newer)
    message = str(refused.value)
    assert f"version {newer} is active now" in message
    assert f"propose it again on top of version {newer}" in message
    # Nothing changed: the newer version is in force, the stale one still proposed.
    assert (await load_active(database, catalog)).version == newer
    assert (await get_version(database, stale)).status is VersionStatus.PROPOSED
    # It can still be rejected (a decision that overwrites nothing).
    rejected = await decide(database, stale, "officer.b", approve=False)
    assert rejected.status is VersionStatus.REJECTED


async def test_a_proposal_on_a_base_that_is_not_active_is_refused(database: Database) -> None:
    catalog = load_catalog()
    baseline = await _baseline(database)
    newer = await propose(
        database, catalog, baseline.document, "officer.a", "same again", base_version=1
    )
    await decide(database, newer, "officer.b", approve=True)
    before = len(await list_versions(database))
    for base in (1, 99):
        with pytest.raises(PolicyBaseStale, match=f"version {newer} is active now") as refused:
            await propose(database, catalog, baseline.document, "officer.a", "x", base_version=base)
        assert (refused.value.version, refused.value.base) == (None, base)
    assert len(await list_versions(database)) == before


async def test_a_proposal_without_a_recorded_base_cannot_be_approved(database: Database) -> None:
    # As a proposal made before migration 0007 was left: its base is unknown.
    baseline = await _baseline(database)
    async with database.session() as session:
        session.add(
            PolicyVersion(
                version=2,
                status=VersionStatus.PROPOSED,
                document=baseline.document.as_json(),
                reason="old proposal",
                proposed_by="officer.a",
                proposed_at=utcnow(),
            )
        )
        await session.commit()
    with pytest.raises(PolicyBaseStale, match="before proposals recorded their base"):
        await decide(database, 2, "officer.b", approve=True)
    assert (await load_active(database, load_catalog())).version == 1


async def test_the_database_refuses_a_second_active_version(database: Database) -> None:
    baseline = await _baseline(database)
    now = utcnow()
    async with database.session() as session:
        session.add(
            PolicyVersion(
                version=2,
                status=VersionStatus.ACTIVE,
                base_version=1,
                document=baseline.document.as_json(),
                reason="written around the service",
                proposed_by="officer.a",
                proposed_at=now,
                decided_by="officer.b",
                decided_at=now,
                activated_at=now,
            )
        )
        # PostgreSQL names the index; SQLite names the indexed column.
        one_active = r"ux_policy_versions_one_active|UNIQUE .* policy_versions\.status"
        with pytest.raises(IntegrityError, match=one_active):
            await session.flush()
    # Any number of versions may be in every other state.
    for version, status in ((2, VersionStatus.SUPERSEDED), (3, VersionStatus.SUPERSEDED)):
        async with database.session() as session:
            session.add(
                PolicyVersion(
                    version=version,
                    status=status,
                    document=baseline.document.as_json(),
                    reason="history",
                    proposed_by="officer.a",
                    proposed_at=now,
                )
            )
            await session.commit()
    assert [v.version for v in await list_versions(database)] == [3, 2, 1]


async def _active_rows(db: Database) -> list[int]:
    async with db.session() as session:
        rows = await session.scalars(
            select(PolicyVersion.version).where(PolicyVersion.status == VersionStatus.ACTIVE)
        )
        return list(rows)


async def test_concurrent_approvals_on_one_base_activate_exactly_one(fresh_url: str) -> None:
    catalog = load_catalog()
    # Two database services (two engines, two pools) stand for two hub processes.
    first, second = Database.from_url(fresh_url), Database.from_url(fresh_url)
    try:
        active = await _baseline(first)
        # Several rounds, each on the version the previous round activated.
        for round_ in range(4):
            left, right = [
                await propose(
                    first,
                    catalog,
                    active.document,
                    "officer.a",
                    f"round {round_} edit {i}",
                    base_version=active.version,
                )
                for i in range(2)
            ]
            outcomes = await asyncio.gather(
                decide(first, left, "officer.b", approve=True),
                decide(second, right, "officer.c", approve=True),
                return_exceptions=True,
            )
            won = [o for o in outcomes if isinstance(o, VersionInfo)]
            lost = [o for o in outcomes if isinstance(o, PolicyBaseStale)]
            assert len(won) == 1 and len(lost) == 1, outcomes
            [winner], [loser] = won, lost
            assert winner.status is VersionStatus.ACTIVE
            assert loser.base == active.version and loser.active == winner.version
            assert await _active_rows(second) == [winner.version]
            assert (await get_version(second, active.version)).status is VersionStatus.SUPERSEDED
            assert (await get_version(second, loser.version or 0)).status is VersionStatus.PROPOSED
            active = winner
    finally:
        await first.dispose()
        await second.dispose()


async def test_concurrent_proposals_get_distinct_numbers(fresh_url: str) -> None:
    catalog = load_catalog()
    first, second = Database.from_url(fresh_url), Database.from_url(fresh_url)
    try:
        baseline = await _baseline(first)
        count = 8
        numbers = await asyncio.gather(
            *(
                propose(
                    (first, second)[i % 2],
                    catalog,
                    baseline.document,
                    f"officer.{i}",
                    f"proposal {i}",
                    base_version=1,
                )
                for i in range(count)
            )
        )
        assert sorted(numbers) == list(range(2, 2 + count))
        async with first.session() as session:
            stored = await session.scalar(select(func.count()).select_from(PolicyVersion))
        assert stored == 1 + count
        # Each number is the proposal that was given it.
        for i, number in enumerate(numbers):
            info = await get_version(second, number)
            assert (info.proposed_by, info.reason) == (f"officer.{i}", f"proposal {i}")
    finally:
        await first.dispose()
        await second.dispose()
