"""Policy versions: immutable, proposed by one officer, activated by another."""

from __future__ import annotations

import pytest

from hub.catalog import load_catalog
from hub.db.session import Database
from policies.compiled import PolicyError
from policies.document import parse_document
from policies.versions import (
    VersionError,
    VersionStatus,
    active_version,
    decide,
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
    version = await propose(database, catalog, document, "officer.a", "drop one agency")
    assert (await load_active(database, catalog)).version == 1
    with pytest.raises(VersionError, match="proposer cannot"):
        await decide(database, version, "officer.a", approve=True)
    info = await decide(database, version, "officer.b", approve=True)
    assert info.status is VersionStatus.ACTIVE and info.decided_by == "officer.b"
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
        await propose(database, load_catalog(), document, "officer.a", "typo")
    assert "unknown field earnedIncome.salary" in refused.value.problems
    assert any("noSuchType" in p for p in refused.value.problems)
    assert len(await list_versions(database)) == before


async def test_rejected_proposal_never_activates(database: Database) -> None:
    base = await active_version(database)
    assert base is not None
    version = await propose(database, load_catalog(), base.document, "officer.a", "same again")
    info = await decide(database, version, "officer.b", approve=False)
    assert info.status is VersionStatus.REJECTED
    assert (await load_active(database, load_catalog())).version == 1
