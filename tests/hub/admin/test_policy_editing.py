"""The policy-editing services as the console calls them: plain functions, no GraphQL."""

from __future__ import annotations

import pytest

from hub.admin.policy_editing import (
    agency_policy_toml,
    check_agency_toml,
    diff_against_active,
    propose_agency_toml,
)
from hub.admin.replay import ReplayWindowInvalid, replay_agency_toml
from hub.catalog import load_catalog
from hub.db.session import Database
from hub.settings import Settings
from policies import versions
from policies.agency_toml import ProposalInvalid
from policies.document import PolicyDocument, parse_document, read_baseline

CATALOG = load_catalog()


async def _without(database: Database, agency: str) -> int:
    """Activate a version granting `agency` nothing; its number."""
    await versions.install_baseline(database, CATALOG)
    data = read_baseline().as_json()
    data["agencies"] = [a for a in data["agencies"] if a["agency"] != agency]
    version = await versions.propose(
        database, CATALOG, parse_document(data), "po.one", "drop", base_version=1
    )
    await versions.decide(database, version, "po.two", approve=True)
    return version


async def test_an_agency_granted_nothing_gets_a_file_to_add_grants_to(database: Database) -> None:
    version = await _without(database, "BAI")
    found = await agency_policy_toml(database, CATALOG, "BAI")
    assert found.version == version
    checked = await check_agency_toml(database, CATALOG, "BAI", found.text)
    assert checked.proposal.valid and checked.changes == ()
    baseline = (await versions.get_version(database, 1)).document
    text = (await agency_policy_toml(database, CATALOG, "BAI", version=1)).text
    checked = await check_agency_toml(database, CATALOG, "BAI", text)
    assert checked.changes[0] == "BAI gains purpose audit_inspection " + (
        f"(legal basis: {baseline.agencies[0].grants[0].legal_basis}; max persons 500)"
    )


async def test_invalid_files_raise_with_every_problem_and_store_nothing(
    database: Database,
) -> None:
    await versions.install_baseline(database, CATALOG)
    with pytest.raises(ProposalInvalid) as raised:
        await propose_agency_toml(
            database, CATALOG, "BAI", 'agency = "BAI"\n', "po.one", "x", base_version=1
        )
    assert [p.path for p in raised.value.problems] == ["grants"]
    assert [v.version for v in await versions.list_versions(database)] == [1]
    with pytest.raises(ProposalInvalid):
        await replay_agency_toml(database, CATALOG, Settings(), "BAI", "agency = [")
    text = (await agency_policy_toml(database, CATALOG, "BAI")).text
    with pytest.raises(ReplayWindowInvalid):
        await replay_agency_toml(database, CATALOG, Settings(), "BAI", text, days=400)


async def test_any_document_is_compared_with_the_active_version(database: Database) -> None:
    await versions.install_baseline(database, CATALOG)
    diff = await diff_against_active(database, CATALOG, PolicyDocument(agencies=[]))
    assert diff.active_version == 1
    assert len(diff.changes) == sum(len(a.grants) for a in read_baseline().agencies)
    assert all(" loses purpose " in change for change in diff.changes)
