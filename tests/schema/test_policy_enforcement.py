"""Every field is released only under a policy grant, in the form the grant names.

Table-driven over every (agency, purpose) of the baseline: asking exactly
for the granted fields succeeds with values in the declared form; asking
for one field more is refused as a whole before any source is contacted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from connectors.base import AS_OF
from hub.catalog import Catalog, load_catalog
from hub.db.models import utcnow
from hub.db.session import Database
from hub.identity.pseudonyms import agency_key
from hub.keys import KeyRing
from policies import transforms
from policies.compiled import CompiledGrant, CompiledPolicy, compile_policy
from policies.consent import ConsentChannel, ConsentRequest, ConsentUsage, record_consent
from policies.document import read_baseline
from policies.transforms import TransformContext
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory

BASELINE: CompiledPolicy = compile_policy(read_baseline(), load_catalog(), 1)
GRANTS = sorted(BASELINE.grants.values(), key=lambda g: (g.agency, g.purpose))
HOUSEHOLD = ("householdComposition", "members")


def selection(grant: CompiledGrant) -> str:
    """A Person selection asking for exactly what the grant releases."""
    parts = ["id"]
    for type_name, releases in sorted(grant.releases.items()):
        names = sorted(n for n in releases if (type_name, n) != HOUSEHOLD)
        if names:
            parts.append(f"{type_name} {{ {' '.join(names)} }}")
        if HOUSEHOLD[1] in releases and type_name == HOUSEHOLD[0]:
            parts.append("household { members { relationship person { id } } }")
    return " ".join(parts)


def reading(grant: CompiledGrant, type_name: str) -> list[str]:
    """The Person fields `selection(grant)` asks for that read this type."""
    releases = grant.releases[type_name]
    fields = [type_name] if any((type_name, n) != HOUSEHOLD for n in releases) else []
    if type_name == HOUSEHOLD[0] and HOUSEHOLD[1] in releases:
        fields.append("household")
    return fields


def one_field_more(grant: CompiledGrant, catalog: Catalog) -> tuple[str, str]:
    """Some schema field (raw or form) of a type the grant does not release."""
    for info_type in catalog.info_types:
        for name in [f.name for f in info_type.exposed_fields] + list(info_type.forms):
            if not grant.allows(info_type.name, name):
                return info_type.name, name
    raise AssertionError("the grant releases everything")


def expected_value(
    catalog: Catalog,
    population: Population,
    rrn: str,
    grant: CompiledGrant,
    type_name: str,
    ctx: TransformContext,
) -> Any:
    """What the hub must return for one type: the source's values, minimised as granted."""
    info_type = catalog.info_type(type_name)
    releases = {n: r for n, r in grant.releases[type_name].items() if (type_name, n) != HOUSEHOLD}
    raw = population.record(rrn, info_type, sorted({r.source_field for r in releases.values()}))

    def one(record: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, release in releases.items():
            value = record[release.source_field]
            if release.transform is None:
                out[name] = value
                continue
            if value is not None and info_type.field(release.source_field).kind.value == "date":
                value = dt.date.fromisoformat(value)
            out[name] = transforms.apply(release.transform, value, ctx)
        return out

    if raw is None:
        return None
    return [one(r) for r in raw] if isinstance(raw, list) else one(raw)


def too_old(
    catalog: Catalog,
    population: Population,
    rrn: str,
    type_name: str,
    max_age_days: int,
    today: dt.date,
) -> bool:
    """Whether the source states a record of the type older than `max_age_days`."""
    found = population.record(rrn, catalog.info_type(type_name), [])
    items = found if isinstance(found, list) else [] if found is None else [found]
    return any((today - dt.date.fromisoformat(i[AS_OF])).days > max_age_days for i in items)


async def consent_everything(
    database: Database, keys: KeyRing, grant: CompiledGrant, rrns: list[str]
) -> None:
    """Record a periodic consent per person for the grant's consent-based types."""
    if not grant.consent_types:
        return
    now = utcnow()
    for rrn in rrns:
        await record_consent(
            database,
            keys,
            load_catalog(),
            ConsentRequest(
                rrn=rrn,
                agency=grant.agency,
                purpose=grant.purpose,
                info_types=sorted(grant.consent_types),
                valid_from=now - dt.timedelta(minutes=5),
                valid_until=now + dt.timedelta(days=1),
                usage=ConsentUsage.PERIODIC,
                channel=ConsentChannel.ONLINE_PORTAL,
            ),
            "test.portal",
        )


@pytest.fixture
async def baseline_hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


@pytest.mark.parametrize("grant", GRANTS, ids=lambda g: f"{g.agency}/{g.purpose}")
async def test_granted_fields_come_back_in_the_declared_form(
    baseline_hub: Hub,
    database: Database,
    population: Population,
    catalog: Catalog,
    grant: CompiledGrant,
) -> None:
    hub = baseline_hub
    rrns = population.sample_rrns(2)
    keys = hub.app.state.services.keys
    await consent_everything(database, keys, grant, rrns)
    query = f"query($r: [String!]!) {{ persons(rrns: $r) {{ {selection(grant)} }} }}"
    body = await hub.query(query, {"r": rrns}, agency=grant.agency, purpose=grant.purpose)
    ctx = TransformContext(pseudonym_key=agency_key(keys, grant.agency), today=dt.date.today())
    # Records older than the grant allows are the only errors, each in its place.
    stale = {
        (i, type_name)
        for i, rrn in enumerate(rrns)
        for type_name in grant.releases
        if too_old(catalog, population, rrn, type_name, grant.max_age_days, ctx.today)
    }
    expected_errors = {("persons", i, f) for i, t in stale for f in reading(grant, t)}
    errors = body.get("errors", [])
    assert {e["extensions"]["code"] for e in errors} <= {"SOURCE_STALE"}, errors[:2]
    assert {tuple(e["path"]) for e in errors} == expected_errors
    for i, (rrn, person) in enumerate(zip(rrns, body["data"]["persons"], strict=True)):
        for type_name in grant.releases:
            if set(grant.releases[type_name]) == {HOUSEHOLD[1]}:
                continue
            got = person[type_name]
            want = (
                None
                if (i, type_name) in stale
                else expected_value(catalog, population, rrn, grant, type_name, ctx)
            )
            assert got == want, (type_name, got, want)


@pytest.mark.parametrize("grant", GRANTS, ids=lambda g: f"{g.agency}/{g.purpose}")
async def test_one_field_more_is_refused_before_any_source_call(
    baseline_hub: Hub, population: Population, catalog: Catalog, grant: CompiledGrant
) -> None:
    hub = baseline_hub
    extra_type, extra_field = one_field_more(grant, catalog)
    query = (
        f"query($r: [String!]!) {{ persons(rrns: $r) {{ {selection(grant)} "
        f"{extra_type} {{ {extra_field} }} }} }}"
    )
    body = await hub.query(
        query, {"r": population.sample_rrns(2)}, agency=grant.agency, purpose=grant.purpose
    )
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "POLICY_REFUSED"
    assert error["extensions"]["fields"] == [f"{extra_type}.{extra_field}"]
    assert hub.calls() == {}


async def test_my_grants_describes_the_active_policy(baseline_hub: Hub) -> None:
    grants = BASELINE.grants_of("LOCAL_WELFARE")
    body = await baseline_hub.query(
        """{ myGrants { purpose legalBasis maxPersons policyVersion
             infoTypes { infoType consentRequired fields { field form derivedFrom } } } }""",
        purpose=None,
        case=None,
    )
    listed = body["data"]["myGrants"]
    assert [g["purpose"] for g in listed] == [g.purpose for g in grants]
    for described, grant in zip(listed, grants, strict=True):
        assert described["policyVersion"] == 1
        assert described["legalBasis"] == grant.legal_basis
        for item in described["infoTypes"]:
            releases = grant.releases[item["infoType"]]
            assert item["consentRequired"] == (item["infoType"] in grant.consent_types)
            assert {f["field"]: f["form"] for f in item["fields"]} == {
                n: r.form for n, r in releases.items()
            }


async def test_ids_differ_between_agencies(
    hub_factory: HubFactory, database: Database, population: Population
) -> None:
    hub = await hub_factory(database, policy="database")
    rrn = population.sample_rrns(1)[0]
    first, second = GRANTS[0], next(g for g in GRANTS if g.agency != GRANTS[0].agency)
    ids = []
    for grant in (first, second):
        body = await hub.query(
            "query($r: String!) { person(rrn: $r) { id } }",
            {"r": rrn},
            agency=grant.agency,
            purpose=grant.purpose,
        )
        ids.append(body["data"]["person"]["id"])
    assert ids[0] != ids[1]
    # The second agency cannot resolve the first agency's id.
    body = await hub.query(
        """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { id } } }""",
        {"reps": [{"__typename": "Person", "id": ids[0]}]},
        agency=second.agency,
        purpose=second.purpose,
    )
    assert body["errors"][0]["extensions"]["code"] == "PERSON_NOT_FOUND"
