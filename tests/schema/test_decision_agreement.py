"""The officers' simulator and the live gate agree, because they make the same decision.

Requests are sent to the live agencies' endpoint for every grant of the
baseline (exactly the granted fields, and one field more), their outcomes
recorded from the response and the access log, and then replayed through
`policies.simulate.simulate` for the same agency, purpose, person and
fields: refused or not, the refused fields, and per type whether it is
released and in which forms must all match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from hub.catalog import Catalog
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.identity.pseudonyms import agency_person_id
from policies.compiled import CompiledGrant
from policies.decision import Limits
from policies.simulate import Simulation, simulate
from simulator.population import Population
from tests.schema.conftest import Hub, HubFactory
from tests.schema.test_policy_enforcement import GRANTS, HOUSEHOLD, one_field_more

# Types released or refused for reasons that are the data's, not the policy's.
DATA_REASONS = {"PERSON_NOT_FOUND", "SOURCE_UNAVAILABLE", "SOURCE_INVALID_DATA", "SOURCE_STALE"}


@dataclass(frozen=True)
class Recorded:
    """What the live endpoint did with one request."""

    code: str | None  # the refusal's code, None when it ran
    refused_fields: tuple[str, ...]
    released: dict[str, dict[str, str]]  # type -> field -> form, from the access log
    refused: dict[str, str]  # type -> code, from the access log


def _fields(grant: CompiledGrant) -> list[str]:
    return sorted(f"{t}.{n}" for t, names in grant.releases.items() for n in names)


def _selection(fields: list[str]) -> str:
    by_type: dict[str, list[str]] = {}
    for text in fields:
        type_name, _, name = text.partition(".")
        by_type.setdefault(type_name, []).append(name)
    parts = ["id"]
    for type_name, names in sorted(by_type.items()):
        plain = [n for n in names if (type_name, n) != HOUSEHOLD]
        if plain:
            parts.append(f"{type_name} {{ {' '.join(sorted(plain))} }}")
        if type_name == HOUSEHOLD[0] and HOUSEHOLD[1] in names:
            parts.append("household { members { relationship } }")
    return " ".join(parts)


async def _record(
    hub: Hub, database: Database, grant: CompiledGrant, rrn: str, fields: list[str]
) -> Recorded:
    query = f"query($r: String!) {{ person(rrn: $r) {{ {_selection(fields)} }} }}"
    response = await hub.post(query, {"r": rrn}, agency=grant.agency, purpose=grant.purpose)
    body: dict[str, Any] = response.json()
    code = None
    refused_fields: tuple[str, ...] = ()
    if body.get("data") is None:
        extensions = body["errors"][0]["extensions"]
        code = extensions["code"]
        refused_fields = tuple(extensions.get("fields", ()))
    pseudonym = agency_person_id(hub.app.state.services.keys, grant.agency, rrn)
    async with database.session() as session:
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.request_id == response.headers["hub-request-id"],
                AuditEntry.person == pseudonym,
            )
        )
    assert entry is not None, "every request naming a person leaves an entry for them"
    return Recorded(code, refused_fields, dict(entry.released or {}), dict(entry.refused or {}))


async def _replay(
    hub: Hub,
    database: Database,
    catalog: Catalog,
    grant: CompiledGrant,
    rrn: str,
    fields: list[str],
) -> Simulation:
    services = hub.app.state.services
    return await simulate(
        database,
        services.keys,
        catalog,
        await services.policies.current(),
        agency=grant.agency,
        purpose=grant.purpose,
        rrn=rrn,
        fields=fields,
        limits=Limits(max_persons=hub.settings.max_persons_per_request),
    )


def _agree(recorded: Recorded, simulated: Simulation) -> None:
    assert simulated.would_be_refused == (recorded.code is not None)
    assert simulated.refused_fields == recorded.refused_fields
    if recorded.code is not None:
        assert simulated.decision.refusal is not None
        assert simulated.decision.refusal.code.value == recorded.code
        assert recorded.released == {}
        return
    would_release = {t.info_type: t for t in simulated.types if t.released}
    withheld = {t.info_type for t in simulated.types if not t.released}
    for type_name, forms in recorded.released.items():
        assert type_name in would_release, f"{type_name} released live, not in the simulation"
        assert forms == {r.schema_field: r.form for r in would_release[type_name].releases}
    for type_name in withheld:
        assert recorded.refused.get(type_name) == "CONSENT_REQUIRED"
    for type_name in set(would_release) - set(recorded.released):
        assert recorded.refused.get(type_name) in DATA_REASONS, type_name


@pytest.fixture
async def hub(hub_factory: HubFactory, database: Database) -> Hub:
    return await hub_factory(database, policy="database")


@pytest.mark.parametrize("grant", GRANTS, ids=lambda g: f"{g.agency}/{g.purpose}")
async def test_recorded_requests_replay_through_the_simulator_alike(
    hub: Hub, database: Database, population: Population, catalog: Catalog, grant: CompiledGrant
) -> None:
    rrn = population.sample_rrns(1)[0]
    exact = _fields(grant)
    extra_type, extra_field = one_field_more(grant, catalog)
    for fields in (exact, sorted([*exact, f"{extra_type}.{extra_field}"])):
        recorded = await _record(hub, database, grant, rrn, fields)
        _agree(recorded, await _replay(hub, database, catalog, grant, rrn, fields))
