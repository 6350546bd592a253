"""The agencies page: every agency, its purposes and each grant, off the catalog and the policy."""

from __future__ import annotations

import pytest

from hub.catalog import load_catalog
from policies.compiled import CompiledPolicy, compile_policy
from policies.decision import Limits
from policies.document import read_baseline
from policies.overview import UnknownAgency, agencies_overview

CATALOG = load_catalog()
POLICY = compile_policy(read_baseline(), CATALOG, 3)


def test_every_agency_and_declared_purpose_in_catalog_order() -> None:
    found = agencies_overview(CATALOG, POLICY, Limits(max_persons=100))
    assert [a.code for a in found] == [a.code for a in CATALOG.agencies]
    for overview, agency in zip(found, CATALOG.agencies, strict=True):
        assert [p.code for p in overview.purposes] == [p.code for p in agency.purposes]
        for purpose in overview.purposes:
            assert purpose.grant is POLICY.grant(agency.code, purpose.code)


def test_person_limits_are_the_gates() -> None:
    [welfare] = agencies_overview(CATALOG, POLICY, Limits(max_persons=20), "LOCAL_WELFARE")
    purpose = next(p for p in welfare.purposes if p.code == "basic_livelihood_eligibility")
    assert purpose.grant is not None and purpose.grant.max_persons == 50
    assert purpose.person_limit == 20


def test_a_purpose_without_a_grant_says_so() -> None:
    [welfare] = agencies_overview(
        CATALOG, CompiledPolicy(version=0, grants={}), Limits(max_persons=100), "LOCAL_WELFARE"
    )
    assert all(p.grant is None and p.person_limit == 0 for p in welfare.purposes)


def test_an_unknown_agency_is_refused() -> None:
    with pytest.raises(UnknownAgency):
        agencies_overview(CATALOG, POLICY, Limits(max_persons=100), "NOBODY")
