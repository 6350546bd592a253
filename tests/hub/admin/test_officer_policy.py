"""The officers' policy services end to end: requests recorded and replayed, TOML edited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.db.models import PolicyVersion, RequestPlan
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.conftest import OFFICER_B, Admin, codes
from tests.schema.conftest import AGENCY, PURPOSE, Hub, HubFactory

INCOME = "query($r: String!) { person(rrn: $r) { earnedIncome { year annualAmount } } }"
NAME = "query($r: String!) { person(rrn: $r) { residentRegistration { name } } }"
BIRTH = "query($r: String!) { person(rrn: $r) { residentRegistration { birthDate } } }"
TWO = "query($a: String!, $b: String!) { a: person(rrn: $a) { residentRegistration { name } } b: person(rrn: $b) { residentRegistration { name } } }"  # noqa: E501
TOML = "query($a: String!) { agencyPolicyToml(agency: $a) { agency version toml } }"
CHECK = """query($a: String!, $t: String!) { checkAgencyPolicy(agency: $a, toml: $t) {
  agency baseVersion valid problems { path message line column } changes document } }"""
REPLAY = """query($a: String!, $t: String!, $d: Int! = 7) {
  replayAgencyPolicy(agency: $a, toml: $t, days: $d) {
    agency activeVersion capped cap newlyRefusedByCode newlyRefusedRequests newlyAllowedRequests
    outcomes { considered refusedNow refusedProposed newlyRefused newlyAllowed }
    fieldChanges { infoType field before after kind requests summary }
    purposes { purpose outcomes { considered newlyRefused } fieldChanges { summary } } } }"""
PROPOSE = """mutation($a: String!, $t: String!, $r: String!, $b: Int!) {
  proposeAgencyPolicy(agency: $a, toml: $t, reason: $r, baseVersion: $b) }"""
DIFF = "query($d: JSON!) { policyDiffFromActive(document: $d) }"
GRANTS = """query($a: String) { agencyGrants(agency: $a) { agency name purposes { purpose name
  grant { legalBasis maxPersons policyVersion infoTypes { infoType consentRequired
  fields { field form derivedFrom } } } } } }"""


async def _ask(hub: Hub, query: str, variables: dict[str, Any]) -> str:
    """An agency request; its Hub-Request-Id."""
    response = await hub.post(query, variables)
    assert response.status_code == 200, response.text
    return response.headers["hub-request-id"]


async def _toml(admin: Admin, agency: str = AGENCY) -> str:
    body = await admin.run(TOML, {"a": agency})
    assert "errors" not in body, body
    text: str = body["data"]["agencyPolicyToml"]["toml"]
    return text


def _grant_section(text: str, purpose: str = PURPOSE) -> tuple[int, int]:
    """The start and end offsets of `purpose`'s grant in an agency file."""
    start = text.index(f'purpose = "{purpose}"')
    end = text.find("[[grants]]", start)
    return start, len(text) if end < 0 else end


def _edit(text: str, old: str, new: str) -> str:
    """Replace `old` once within the grant of PURPOSE only."""
    start, end = _grant_section(text)
    section = text[start:end]
    assert old in section
    return text[:start] + section.replace(old, new, 1) + text[end:]


async def test_requests_are_recorded_then_a_removed_field_refuses_exactly_them(
    admin: Admin, database: Database, population: Population
) -> None:
    hub = admin.hub
    a, b = population.sample_rrns(2)
    income = [await _ask(hub, INCOME, {"r": a}), await _ask(hub, INCOME, {"r": b})]
    others = [await _ask(hub, NAME, {"r": a}), await _ask(hub, TWO, {"a": a, "b": b})]
    async with database.session() as session:
        rows = {r.request_id: r for r in await session.scalars(select(RequestPlan))}
    assert set(rows) == {*income, *others}
    recorded = rows[income[0]]
    assert (recorded.agency, recorded.purpose, recorded.persons) == (AGENCY, PURPOSE, 1)
    assert recorded.selected == {"earnedIncome": ["annualAmount", "year"]}
    assert recorded.policy_version == 1 and recorded.query_hash
    assert rows[others[1]].persons == 2

    edited = _edit(await _toml(admin), 'annualAmount = "full"\n', "")
    body = await admin.run(REPLAY, {"a": AGENCY, "t": edited})
    assert "errors" not in body, body
    report = body["data"]["replayAgencyPolicy"]
    assert sorted(report["newlyRefusedRequests"]) == sorted(income)
    assert report["newlyRefusedByCode"] == {"POLICY_REFUSED": 2}
    assert report["outcomes"] == {
        "considered": 4,
        "refusedNow": 0,
        "refusedProposed": 2,
        "newlyRefused": 2,
        "newlyAllowed": 0,
    }
    assert report["fieldChanges"] == [
        {
            "infoType": "earnedIncome",
            "field": "annualAmount",
            "before": "full",
            "after": None,
            "kind": "withheld",
            "requests": 2,
            "summary": "earnedIncome.annualAmount: withheld (was full)",
        }
    ]
    assert (report["capped"], report["cap"], report["activeVersion"]) == (False, 100_000, 1)
    [purpose] = [p for p in report["purposes"] if p["purpose"] == PURPOSE]
    assert purpose["outcomes"] == {"considered": 4, "newlyRefused": 2}
    # Replaying stores nothing.
    async with database.session() as session:
        assert len(list(await session.scalars(select(PolicyVersion)))) == 1


async def test_a_form_change_is_reported_for_the_requests_that_touched_the_field(
    admin: Admin, population: Population
) -> None:
    hub = admin.hub
    [rrn] = population.sample_rrns(1)
    birth = await _ask(hub, BIRTH, {"r": rrn})
    await _ask(hub, NAME, {"r": rrn})
    edited = _edit(await _toml(admin), 'birthDate = "full"', 'birthDate = "birthYear"')
    report = (await admin.run(REPLAY, {"a": AGENCY, "t": edited}))["data"]["replayAgencyPolicy"]
    [change] = report["fieldChanges"]
    assert change["summary"] == "residentRegistration.birthDate: full → birthYear"
    assert (change["kind"], change["requests"]) == ("form", 1)
    assert report["newlyRefusedRequests"] == [birth]


async def test_the_cap_is_said_when_hit(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await hub_factory(database, policy="database", replay_max_requests=1)
    admin = Admin(hub)
    [rrn] = population.sample_rrns(1)
    await _ask(hub, NAME, {"r": rrn})
    newest = await _ask(hub, INCOME, {"r": rrn})
    edited = _edit(await _toml(admin), 'annualAmount = "full"\n', "")
    report = (await admin.run(REPLAY, {"a": AGENCY, "t": edited}))["data"]["replayAgencyPolicy"]
    assert (report["capped"], report["cap"], report["outcomes"]["considered"]) == (True, 1, 1)
    assert report["newlyRefusedRequests"] == [newest]


async def test_the_active_toml_round_trips_and_an_unchanged_file_changes_nothing(
    admin: Admin,
) -> None:
    body = await admin.run(TOML, {"a": AGENCY})
    assert body["data"]["agencyPolicyToml"]["version"] == 1
    text = body["data"]["agencyPolicyToml"]["toml"]
    checked = (await admin.run(CHECK, {"a": AGENCY, "t": text}))["data"]["checkAgencyPolicy"]
    assert (checked["valid"], checked["problems"], checked["changes"]) == (True, [], [])
    version = (await admin.run("{ policyVersion(version: 1) { document } }"))["data"]
    assert checked["document"] == version["policyVersion"]["document"]


async def test_problems_are_listed_in_place_and_nothing_is_proposed(
    admin: Admin, database: Database
) -> None:
    text = await _toml(admin)
    edited = _edit(text, 'birthDate = "full"', 'birthDate = "birthMonth"')
    checked = (await admin.run(CHECK, {"a": AGENCY, "t": edited}))["data"]["checkAgencyPolicy"]
    assert not checked["valid"] and checked["document"] is None and checked["changes"] == []
    [problem] = checked["problems"]
    assert problem["path"] == "grants[0].types.residentRegistration.fields.birthDate"
    assert problem["line"] == edited.splitlines().index('birthDate = "birthMonth"') + 1
    variables = {"a": AGENCY, "t": edited, "r": "coarsen", "b": 1}
    body = await admin.run(PROPOSE, variables)
    assert codes(body) == ["POLICY_INVALID"]
    [located] = body["errors"][0]["extensions"]["located"]
    assert located["path"] == problem["path"] and located["line"] == problem["line"]
    broken = await admin.run(REPLAY, {"a": AGENCY, "t": "agency = ["})
    assert codes(broken) == ["POLICY_INVALID"]
    assert broken["errors"][0]["extensions"]["located"][0]["line"] == 1
    async with database.session() as session:
        assert len(list(await session.scalars(select(PolicyVersion)))) == 1


async def test_a_valid_file_is_proposed_on_its_base_with_four_eyes(admin: Admin) -> None:
    edited = _edit(await _toml(admin), 'annualAmount = "full"', 'annualAmount = "annualAmountBand"')
    checked = (await admin.run(CHECK, {"a": AGENCY, "t": edited}))["data"]["checkAgencyPolicy"]
    assert checked["changes"] == [
        f"{AGENCY} now receives earnedIncome.annualAmountBand instead of "
        f"earnedIncome.annualAmount for {PURPOSE}"
    ]
    diff = await admin.run(DIFF, {"d": checked["document"]})
    assert diff["data"]["policyDiffFromActive"] == checked["changes"]
    body = await admin.run(PROPOSE, {"a": AGENCY, "t": edited, "r": "coarsen", "b": 1})
    assert body["data"]["proposeAgencyPolicy"] == 2
    stale = await admin.run(PROPOSE, {"a": AGENCY, "t": edited, "r": "again", "b": 2})
    assert codes(stale) == ["POLICY_BASE_STALE"]
    own = await admin.run("mutation { approvePolicyVersion(version: 2) { status } }")
    assert codes(own) == ["VERSION_ERROR"]
    # The approving officer replays the stored proposal.
    stored = await admin.run(
        """query { replayPolicyVersion(agency: "LOCAL_WELFARE", version: 2) {
             since until fieldChanges { summary } } }""",
        token=admin.token(OFFICER_B),
    )
    replayed = stored["data"]["replayPolicyVersion"]
    assert replayed["fieldChanges"] == [
        {"summary": "earnedIncome.annualAmount: full → annualAmountBand"}
    ]
    assert replayed["since"] < replayed["until"]


async def test_agency_grants_list_every_purpose_with_its_fields(admin: Admin) -> None:
    body = await admin.run(GRANTS, {"a": AGENCY})
    [agency] = body["data"]["agencyGrants"]
    purposes = {p["purpose"]: p for p in agency["purposes"]}
    grant = purposes[PURPOSE]["grant"]
    assert grant["policyVersion"] == 1 and grant["maxPersons"] == 50
    types = {t["infoType"]: t for t in grant["infoTypes"]}
    registration = {f["field"]: f for f in types["residentRegistration"]["fields"]}
    assert registration["registrationNumberMasked"]["derivedFrom"] == "registrationNumber"
    assert types["financialAssets"]["consentRequired"] is True
    assert types["earnedIncome"]["consentRequired"] is False
    every = (await admin.run(GRANTS, {"a": None}))["data"]["agencyGrants"]
    assert len(every) == 18
    unknown = await admin.run(GRANTS, {"a": "NOBODY"})
    assert codes(unknown) == ["NOT_FOUND"]


async def test_only_officers_and_only_sane_windows(admin: Admin) -> None:
    text = await _toml(admin)
    desk = admin.desk_token()
    calls: list[tuple[str, dict[str, Any]]] = [
        (TOML, {"a": AGENCY}),
        (CHECK, {"a": AGENCY, "t": text}),
        (REPLAY, {"a": AGENCY, "t": text}),
        (GRANTS, {"a": AGENCY}),
        (PROPOSE, {"a": AGENCY, "t": text, "r": "x", "b": 1}),
    ]
    for query, variables in calls:
        assert codes(await admin.run(query, variables, token=desk)) == ["FORBIDDEN_ROLE"]
    wide = await admin.run(REPLAY, {"a": AGENCY, "t": text, "d": 0})
    assert codes(wide) == ["INVALID_ARGUMENT"]
    assert codes(await admin.run(TOML, {"a": "NOBODY"})) == ["NOT_FOUND"]
