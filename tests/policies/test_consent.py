"""The consent registry's lifecycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.catalog import load_catalog
from hub.db.models import utcnow
from hub.db.session import Database
from hub.identity.subjects import person_id
from hub.keys import load_keys
from hub.settings import Settings
from policies.consent import (
    ConsentChannel,
    ConsentError,
    ConsentRequest,
    ConsentStatus,
    ConsentUsage,
    change_consent,
    consent_evidence,
    consent_history,
    consents_of,
    record_consent,
    spend_one_time,
)

RRN = "8503142123456"


def _request(**changes: object) -> ConsentRequest:
    now = utcnow()
    values: dict[str, object] = {
        "rrn": RRN,
        "agency": "LOCAL_WELFARE",
        "purpose": "basic_livelihood_eligibility",
        "info_types": ["financialAssets"],
        "valid_from": now - dt.timedelta(minutes=1),
        "valid_until": now + dt.timedelta(days=30),
        "usage": ConsentUsage.PERIODIC,
        "channel": ConsentChannel.ONLINE_PORTAL,
        "evidence": "signed form 2026-0042",
    }
    values.update(changes)
    return ConsentRequest(**values)  # type: ignore[arg-type]


async def test_lifecycle(database: Database, data_dir: Path) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    consent = await record_consent(database, keys, load_catalog(), _request(), "portal")
    now = utcnow()
    assert consent.permits("financialAssets", now)
    assert not consent.permits("earnedIncome", now)
    paused = await change_consent(database, consent.id, "pause", "officer", "person asked")
    assert paused.status is ConsentStatus.PAUSED and not paused.permits("financialAssets", now)
    resumed = await change_consent(database, consent.id, "resume", "officer")
    assert resumed.permits("financialAssets", now)
    revoked = await change_consent(database, consent.id, "revoke", "portal")
    assert revoked.status is ConsentStatus.REVOKED
    with pytest.raises(ConsentError, match="cannot resume"):
        await change_consent(database, consent.id, "resume", "officer")
    actions = [e.action for e in await consent_history(database, consent.id)]
    assert actions == ["recorded", "pause", "resume", "revoke"]
    assert await consent_evidence(database, keys, consent.id) == "signed form 2026-0042"


async def test_expiry_is_derived_from_the_window(database: Database, data_dir: Path) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    now = utcnow()
    await record_consent(
        database,
        keys,
        load_catalog(),
        _request(valid_from=now - dt.timedelta(days=2), valid_until=now - dt.timedelta(days=1)),
        "portal",
    )
    [found] = (await consents_of(database, [person_id(keys, RRN)]))[person_id(keys, RRN)]
    assert found.status is ConsentStatus.EXPIRED
    assert not found.permits("financialAssets", now)


async def test_one_time_consent_is_spent_once(database: Database, data_dir: Path) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    consent = await record_consent(
        database, keys, load_catalog(), _request(usage=ConsentUsage.ONE_TIME), "portal"
    )
    assert await spend_one_time(database, consent.id) is True
    assert await spend_one_time(database, consent.id) is False
    [found] = (await consents_of(database, [consent.subject_id]))[consent.subject_id]
    assert not found.permits("financialAssets", utcnow())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agency": "NOPE"}, "unknown agency"),
        ({"purpose": "housing_benefit_eligibility"}, "has not declared"),
        ({"info_types": ["salary"]}, "unknown or missing"),
        ({"info_types": []}, "unknown or missing"),
    ],
)
async def test_bad_consents_are_refused(
    database: Database, data_dir: Path, changes: dict[str, object], message: str
) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    with pytest.raises(ConsentError, match=message):
        await record_consent(database, keys, load_catalog(), _request(**changes), "portal")
