"""Consents recorded, looked up, paused, resumed and revoked through the administrative API."""

from __future__ import annotations

from typing import Any

from hub.auth.roles import Role
from simulator.population import Population
from tests.hub.admin.conftest import (
    CASE_HEADER,
    DESK_CLIENT,
    DESK_OFFICIAL,
    OFFICER_A,
    Admin,
    codes,
)
from tests.schema.conftest import AGENCY, PURPOSE

CONSENTED = "financialAssets"  # consent-based for LOCAL_WELFARE's means test in the baseline
ASSETS = f"query($r: String!) {{ person(rrn: $r) {{ {CONSENTED} {{ balance }} }} }}"
CONSENT_FIELDS = """id agency purpose infoTypes usage channel status recordedBy validFrom validUntil
                    history { actor action reason at }"""
RECORD = f"mutation($i: ConsentInput!) {{ recordConsent(input: $i) {{ {CONSENT_FIELDS} }} }}"
LOOKUP = f"query($r: String!) {{ consents(rrn: $r) {{ {CONSENT_FIELDS} }} }}"


def _change(action: str) -> str:
    return (
        f"mutation($id: ID!, $why: String!) {{ {action}Consent(id: $id, reason: $why) "
        f"{{ {CONSENT_FIELDS} }} }}"
    )


def _input(rrn: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "rrn": rrn,
        "agency": AGENCY,
        "purpose": PURPOSE,
        "infoTypes": [CONSENTED],
        "validUntil": "2099-12-31T00:00:00+00:00",
        "usage": "PERIODIC",
        "channel": "IN_PERSON",
        "evidence": "application form 2026-1234",
    }
    values.update(changes)
    return values


async def _record(admin: Admin, rrn: str, **changes: Any) -> dict[str, Any]:
    body = await admin.run(RECORD, {"i": _input(rrn, **changes)}, token=admin.desk_token())
    assert "errors" not in body, body
    consent: dict[str, Any] = body["data"]["recordConsent"]
    return consent


async def _released(admin: Admin, rrn: str) -> bool:
    """Whether the agency's request gets the consent-based type (else CONSENT_REQUIRED)."""
    body = await admin.hub.query(ASSETS, {"r": rrn})
    if not body.get("errors"):
        return True
    assert codes(body) == ["CONSENT_REQUIRED"]
    assert body["errors"][0]["path"] == ["person", CONSENTED]
    return False


async def test_the_lifecycle_through_the_api_governs_release(
    admin: Admin, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    assert not await _released(admin, rrn)

    consent = await _record(admin, rrn)
    channel = f"{DESK_CLIENT}:{DESK_OFFICIAL}"
    assert consent["status"] == "ACTIVE" and consent["recordedBy"] == channel
    assert await _released(admin, rrn)

    officer, desk = admin.token(), admin.desk_token()
    steps = [
        ("pause", officer, "person asked to pause", False),
        ("resume", desk, "person asked to resume", True),
        ("revoke", desk, "withdrawn at the counter", False),
    ]
    for action, token, reason, released in steps:
        body = await admin.run(_change(action), {"id": consent["id"], "why": reason}, token=token)
        assert "errors" not in body, body
        assert await _released(admin, rrn) is released, action

    [listed] = (await admin.run(LOOKUP, {"r": rrn}, headers=CASE_HEADER))["data"]["consents"]
    assert listed["status"] == "REVOKED"
    assert [(e["action"], e["actor"], e["reason"]) for e in listed["history"]] == [
        ("recorded", channel, None),
        ("pause", OFFICER_A, "person asked to pause"),
        ("resume", channel, "person asked to resume"),
        ("revoke", channel, "withdrawn at the counter"),
    ]
    # Revoked is final.
    body = await admin.run(_change("resume"), {"id": consent["id"], "why": "oops"})
    assert codes(body) == ["CONSENT_ERROR"]


async def test_lookup_shows_every_agency_and_the_effective_status(
    admin: Admin, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _record(admin, rrn)
    other = await _record(
        admin,
        rrn,
        agency="NPS",
        purpose="basic_pension_eligibility",
        infoTypes=["earnedIncome"],
        validFrom="2020-01-01T00:00:00Z",
        validUntil="2020-12-31T00:00:00Z",
    )
    assert other["status"] == "EXPIRED"
    listed = (await admin.run(LOOKUP, {"r": rrn}, token=admin.desk_token(), headers=CASE_HEADER))[
        "data"
    ]["consents"]
    assert [(c["agency"], c["status"]) for c in listed] == [
        (AGENCY, "ACTIVE"),
        ("NPS", "EXPIRED"),
    ]
    # A hyphenated number is the same person.
    hyphenated = f"{rrn[:6]}-{rrn[6:]}"
    assert (await admin.run(LOOKUP, {"r": hyphenated}, headers=CASE_HEADER))["data"][
        "consents"
    ] == listed


async def test_a_hyphenated_number_is_recorded_for_the_same_person(
    admin: Admin, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    await _record(admin, f"{rrn[:6]}-{rrn[6:]}")
    assert await _released(admin, rrn)


async def test_bad_consents_are_refused_with_the_reason(
    admin: Admin, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    desk = admin.desk_token()
    for changes, fragment in (
        ({"rrn": "123"}, "resident registration number"),
        ({"agency": "NOBODY"}, "unknown agency"),
        ({"purpose": "curiosity"}, "has not declared purpose"),
        ({"infoTypes": ["noSuchType"]}, "unknown or missing information types"),
        ({"validUntil": "2000-01-01T00:00:00Z"}, "valid_until must be after"),
        ({"validUntil": "2099-01-01T00:00:00"}, "time zone"),
    ):
        body = await admin.run(RECORD, {"i": {**_input(rrn), **changes}}, token=desk)
        assert codes(body) == ["CONSENT_ERROR"], changes
        assert fragment in body["errors"][0]["message"], body
    body = await admin.run(_change("pause"), {"id": "no-such-consent", "why": "x"}, token=desk)
    assert codes(body) == ["NOT_FOUND"]
    consent = await _record(admin, rrn)
    body = await admin.run(_change("pause"), {"id": consent["id"], "why": " "}, token=desk)
    assert codes(body) == ["CONSENT_ERROR"]


async def test_the_longest_channel_identity_is_recorded_whole(
    admin: Admin, population: Population
) -> None:
    client, official = "c" * 64, "o" * 64
    token = admin.token(official, Role.CONSENT_MANAGER, client_id=client)
    body = await admin.run(RECORD, {"i": _input(population.sample_rrns(1)[0])}, token=token)
    assert body["data"]["recordConsent"]["recordedBy"] == f"{client}:{official}"


async def test_a_development_token_without_client_is_still_a_channel(
    admin: Admin, population: Population
) -> None:
    token = admin.token("kim.07", Role.CONSENT_MANAGER)
    body = await admin.run(RECORD, {"i": _input(population.sample_rrns(1)[0])}, token=token)
    assert body["data"]["recordConsent"]["recordedBy"] == "consent_manager:kim.07"
