"""Checked decoding of what sources send: here, each record's as-of date."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import AS_OF, SourceInvalidData
from hub.catalog.model import InfoType
from schema.info_types import record_as_of
from simulator.app import MISSING_AS_OF, malformed_as_ofs
from simulator.testing import mini_catalog

SINGLE: InfoType = mini_catalog().info_type("annualIncome")
MANY: InfoType = mini_catalog().info_type("holdings")


def _record(as_of: object) -> dict[str, object]:
    record: dict[str, object] = {"year": 2025}
    if as_of is not MISSING_AS_OF:
        record[AS_OF] = as_of
    return record


def test_the_as_of_of_a_record_is_the_date_its_source_states() -> None:
    assert record_as_of(SINGLE, _record("2026-11-30")) == dt.date(2026, 11, 30)


def test_a_list_is_as_old_as_its_oldest_item() -> None:
    items = [_record("2026-11-30"), _record("2026-06-01"), _record("2026-12-01")]
    assert record_as_of(MANY, items) == dt.date(2026, 6, 1)


def test_nothing_to_date_has_no_as_of() -> None:
    assert record_as_of(SINGLE, None) is None
    assert record_as_of(MANY, []) is None


@pytest.mark.parametrize("bad", malformed_as_ofs(), ids=repr)
def test_a_missing_or_malformed_as_of_is_invalid_data(bad: object) -> None:
    with pytest.raises(SourceInvalidData, match=AS_OF) as caught:
        record_as_of(SINGLE, _record(bad))
    assert caught.value.source == SINGLE.source
    # One bad item spoils the list: its age cannot be known.
    with pytest.raises(SourceInvalidData, match=AS_OF):
        record_as_of(MANY, [_record("2026-11-30"), _record(bad)])


@pytest.mark.parametrize("raw", ["2026-11-30", [{AS_OF: "2026-11-30"}], 7])
def test_a_record_that_is_not_an_object_is_invalid_data(raw: object) -> None:
    info_type = MANY if isinstance(raw, str) else SINGLE
    with pytest.raises(SourceInvalidData):
        record_as_of(info_type, raw)
