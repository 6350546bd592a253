"""The simulated sources over real HTTP: the lookup protocol, counters and faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.base import AS_OF
from hub.catalog import load_catalog
from hub.catalog.model import Catalog
from simulator.app import MAX_SUBJECTS, MISSING_AS_OF, TIMEOUT_SLEEP_S, malformed_as_ofs
from simulator.harness import SimulatorServer
from simulator.population import Population
from simulator.testing import mini_catalog

INCOME = load_catalog().info_type("earnedIncome")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def server(catalog: Catalog) -> Iterator[SimulatorServer]:
    with SimulatorServer(Population(2000, seed=11), catalog) as running:
        yield running


@pytest.fixture
def sim(server: SimulatorServer) -> Iterator[SimulatorServer]:
    """The shared server with counters zeroed and no faults, before and after."""
    server.clear_faults()
    server.reset()
    yield server
    server.clear_faults()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as c:
        yield c


def lookup(client: httpx.Client, sim: SimulatorServer, code: str, body: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"{sim.source_url(code)}/v1/lookup",
        content=content,
        headers={"Content-Type": "application/json", "Authorization": "Bearer anything"},
    )


def protocol_problem(response: httpx.Response, code: str, subjects: list[str]) -> str | None:
    """Why a 200 lookup response breaks docs/sources.md, or None if it does not."""
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict):
        return "not an object"
    if body.get("source") != code:
        return "wrong or missing source"
    records, unknown = body.get("records"), body.get("unknown")
    if not isinstance(records, dict) or not isinstance(unknown, list):
        return "records must be an object and unknown a list"
    if set(records) | set(unknown) != set(subjects):
        return "subjects missing from records and unknown"
    return None


def test_lookup_answers_known_and_unknown_subjects(
    sim: SimulatorServer, client: httpx.Client, catalog: Catalog
) -> None:
    known = sim.population.sample_rrns(20)
    unknown = ["0000000000000", "not-an-rrn"]
    wanted = {"earnedIncome": ["annualAmount", "year"], "businessIncome": ["netIncome"]}
    response = lookup(client, sim, "NTS", {"subjects": known + unknown, "types": wanted})
    assert response.status_code == 200
    assert protocol_problem(response, "NTS", known + unknown) is None
    body = response.json()
    assert body["unknown"] == unknown
    assert list(body["records"]) == known
    for rrn in known:
        entry = body["records"][rrn]
        assert set(entry) == set(wanted)
        for type_name, fields in wanted.items():
            expected = sim.population.record(rrn, catalog.info_type(type_name), fields)
            assert entry[type_name] == expected
            assert entry[type_name] is None or list(entry[type_name]) == [*fields, AS_OF]


def test_many_types_and_members(
    sim: SimulatorServer, client: httpx.Client, catalog: Catalog
) -> None:
    subjects = sim.population.sample_rrns(200)
    body = lookup(
        client, sim, "MOLIT", {"subjects": subjects, "types": {"land": ["area", "officialPrice"]}}
    ).json()
    lands = [body["records"][rrn]["land"] for rrn in subjects]
    assert all(isinstance(v, list) for v in lands)
    assert any(lands)
    assert not all(lands)
    assert all(set(r) == {"area", "officialPrice", AS_OF} for v in lands for r in v)
    wanted = {"householdComposition": ["members", "memberCount"]}
    body = lookup(client, sim, "MOIS", {"subjects": subjects[:5], "types": wanted}).json()
    for rrn in subjects[:5]:
        household = body["records"][rrn]["householdComposition"]
        expected = sim.population.household_members(rrn)
        assert [m["rrn"] for m in household["members"]] == [r for r, _ in expected]
        assert household["memberCount"] == len(expected)


def test_duplicate_subjects_and_empty_batches(sim: SimulatorServer, client: httpx.Client) -> None:
    rrn = sim.population.sample_rrns(1)[0]
    types = {"earnedIncome": ["year"]}
    body = lookup(client, sim, "NTS", {"subjects": [rrn, rrn], "types": types}).json()
    assert list(body["records"]) == [rrn]
    assert body["unknown"] == []
    body = lookup(client, sim, "NTS", {"subjects": [], "types": types}).json()
    assert body == {"source": "NTS", "records": {}, "unknown": []}


def test_empty_types_only_tells_who_exists(sim: SimulatorServer, client: httpx.Client) -> None:
    rrn = sim.population.sample_rrns(1)[0]
    body = lookup(client, sim, "MOIS", {"subjects": [rrn, "0000000000000"], "types": {}}).json()
    assert body == {"source": "MOIS", "records": {rrn: {}}, "unknown": ["0000000000000"]}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"subjects": [], "types": {"land": ["area"]}}, "belongs to MOLIT"),
        ({"subjects": [], "types": {"noSuchType": ["x"]}}, "does not own"),
        ({"subjects": [], "types": {"earnedIncome": ["noSuchField"]}}, "no field"),
        ({"subjects": [], "types": {"earnedIncome": "year"}}, "list of field names"),
        ({"subjects": [], "types": []}, "'types' must be an object"),
        ({"subjects": "8503142123456", "types": {"earnedIncome": ["year"]}}, "subjects"),
        ({"subjects": [8503142123456], "types": {"earnedIncome": ["year"]}}, "subjects"),
        ({"types": {"earnedIncome": ["year"]}}, "subjects"),
        ([], "JSON object"),
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (
            {"subjects": ["0"] * (MAX_SUBJECTS + 1), "types": {"earnedIncome": ["year"]}},
            f"at most {MAX_SUBJECTS}",
        ),
    ],
)
def test_bad_requests_are_400(
    sim: SimulatorServer, client: httpx.Client, body: Any, needle: str
) -> None:
    response = lookup(client, sim, "NTS", body)
    assert response.status_code == 400
    assert needle in response.json()["error"]
    assert sim.stats()["calls"]["NTS"] == 0


def test_unknown_source_and_wrong_method(sim: SimulatorServer, client: httpx.Client) -> None:
    body = {"subjects": [], "types": {"earnedIncome": ["year"]}}
    response = lookup(client, sim, "NOPE", body)
    assert response.status_code == 404
    assert "error" in response.json()
    response = client.get(f"{sim.source_url('NTS')}/v1/lookup")
    assert response.status_code == 405
    assert "error" in response.json()
    # The SQL source has no HTTP endpoint.
    assert lookup(client, sim, "SSIS", body).status_code == 404


def test_full_batch_is_accepted(sim: SimulatorServer, client: httpx.Client) -> None:
    subjects = sim.population.rrns()[:MAX_SUBJECTS]
    body = {"subjects": subjects, "types": {"residentRegistration": ["name"]}}
    response = lookup(client, sim, "MOIS", body)
    assert response.status_code == 200
    assert len(response.json()["records"]) == MAX_SUBJECTS


def test_credential_is_enforced_when_configured(client: httpx.Client) -> None:
    with SimulatorServer(Population(100), mini_catalog(), credential="s3cret") as sim:
        url = f"{sim.source_url('TAX')}/v1/lookup"
        body = {"subjects": sim.population.rrns()[:3], "types": {"annualIncome": ["amount"]}}
        assert client.post(url, json=body).status_code == 401
        wrong = client.post(url, json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        assert "error" in wrong.json()
        right = client.post(url, json=body, headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200
        assert sim.stats() == {
            "calls": {"REG": 0, "TAX": 1},
            "subjects": {"REG": 0, "TAX": 3},
            "type_subjects": {"TAX.annualIncome": 3},
        }


def test_stats_count_calls_and_subjects_and_reset(
    sim: SimulatorServer, client: httpx.Client
) -> None:
    subjects = [*sim.population.sample_rrns(30), "0000000000000"]
    types = {"earnedIncome": ["year"]}
    lookup(client, sim, "NTS", {"subjects": subjects, "types": types})
    lookup(client, sim, "NTS", {"subjects": subjects[:5], "types": types})
    lookup(client, sim, "MOIS", {"subjects": subjects[:2], "types": {"residentRegistration": []}})
    stats = sim.stats()
    assert set(stats) == {"calls", "subjects", "type_subjects"}
    assert stats["type_subjects"] == {"NTS.earnedIncome": 36, "MOIS.residentRegistration": 2}
    assert stats["calls"]["NTS"] == 2
    assert stats["subjects"]["NTS"] == 36
    assert stats["calls"]["MOIS"] == 1
    assert stats["subjects"]["MOIS"] == 2
    assert sum(stats["calls"].values()) == 3
    assert "SSIS" not in stats["calls"]
    sim.reset()
    assert set(sim.stats()["calls"].values()) == {0}
    assert sim.stats()["type_subjects"] == {}


def test_delay_fault(sim: SimulatorServer, client: httpx.Client) -> None:
    body = {"subjects": sim.population.sample_rrns(3), "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", delay_ms=300)
    started = time.perf_counter()
    assert lookup(client, sim, "NTS", body).status_code == 200
    assert time.perf_counter() - started >= 0.3
    # Other sources are unaffected: with NTS delayed far beyond the client's
    # timeout, NPS still answers within it.
    sim.set_fault("NTS", delay_ms=int(TIMEOUT_SLEEP_S * 1000))
    with httpx.Client(timeout=TIMEOUT_SLEEP_S / 10) as quick:
        nps = {"subjects": [], "types": {"basicPension": ["monthlyAmount"]}}
        assert lookup(quick, sim, "NPS", nps).status_code == 200


async def test_delayed_lookups_run_concurrently(sim: SimulatorServer) -> None:
    # Ten lookups delayed 2 s each: one after another they would take 20 s;
    # side by side about 2, and under 10 however busy the machine.
    sim.set_fault("NTS", delay_ms=2000)
    body = {"subjects": sim.population.sample_rrns(3), "types": {"earnedIncome": ["year"]}}
    async with httpx.AsyncClient(timeout=30.0) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(client.post(f"{sim.source_url('NTS')}/v1/lookup", json=body) for _ in range(10))
        )
        elapsed = time.perf_counter() - started
    assert [r.status_code for r in responses] == [200] * 10
    assert 2.0 <= elapsed < 10.0


def test_error_fault(sim: SimulatorServer, client: httpx.Client) -> None:
    body = {"subjects": sim.population.sample_rrns(4), "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", error_rate=1.0)
    for _ in range(5):
        response = lookup(client, sim, "NTS", body)
        assert response.status_code == 500
        assert "error" in response.json()
    # Faulty calls are counted too: the hub did make them.
    assert sim.stats()["calls"]["NTS"] == 5
    assert sim.stats()["subjects"]["NTS"] == 20
    sim.set_fault("NTS", error_rate=0.0)
    assert lookup(client, sim, "NTS", body).status_code == 200


def test_partial_error_rate(sim: SimulatorServer, client: httpx.Client) -> None:
    body = {"subjects": [], "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", error_rate=0.5)
    codes = [lookup(client, sim, "NTS", body).status_code for _ in range(60)]
    assert 10 < codes.count(500) < 50
    assert set(codes) == {200, 500}


def test_malformed_fault(sim: SimulatorServer, client: httpx.Client) -> None:
    subjects = sim.population.sample_rrns(3)
    body = {"subjects": subjects, "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", malformed_rate=1.0)
    problems = set()
    for _ in range(30):
        response = lookup(client, sim, "NTS", body)
        assert response.status_code == 200
        problem = protocol_problem(response, "NTS", subjects)
        assert problem is not None
        problems.add(problem)
    assert len(problems) >= 3  # several ways of being broken
    sim.clear_faults()
    assert protocol_problem(lookup(client, sim, "NTS", body), "NTS", subjects) is None


def test_malformed_as_of_fault(sim: SimulatorServer, client: httpx.Client) -> None:
    people = [
        r for r in sim.population.sample_rrns(200) if sim.population.record(r, INCOME, ["year"])
    ][:40]
    body = {"subjects": people, "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", malformed_as_of_rate=1.0)
    answer = lookup(client, sim, "NTS", body).json()
    records = [answer["records"][r]["earnedIncome"] for r in people]
    # The values are as ever; only each record's as-of is spoiled or gone.
    expected = [sim.population.record(r, INCOME, ["year"]) for r in people]
    assert [r["year"] for r in records] == [e["year"] for e in expected if isinstance(e, dict)]
    bad = [b for b in malformed_as_ofs() if b is not MISSING_AS_OF]
    assert all(AS_OF not in r or r[AS_OF] in bad for r in records)
    assert any(AS_OF not in r for r in records) and any(AS_OF in r for r in records)
    sim.clear_faults()
    answer = lookup(client, sim, "NTS", body).json()
    assert all(
        answer["records"][r]["earnedIncome"] == sim.population.record(r, INCOME, ["year"])
        for r in people
    )


def test_timeout_fault(sim: SimulatorServer) -> None:
    body = {"subjects": sim.population.sample_rrns(3), "types": {"earnedIncome": ["year"]}}
    sim.set_fault("NTS", timeout=True)
    started = time.perf_counter()
    with httpx.Client(timeout=0.5) as client, pytest.raises(httpx.ReadTimeout):
        client.post(f"{sim.source_url('NTS')}/v1/lookup", json=body)
    # The source holds the call for TIMEOUT_SLEEP_S: the client's timeout ended it.
    assert time.perf_counter() - started < TIMEOUT_SLEEP_S / 10
    assert sim.stats()["calls"]["NTS"] == 1


def test_fault_settings_are_validated(sim: SimulatorServer, client: httpx.Client) -> None:
    url = f"{sim.base_url}/_sim/faults"
    assert client.put(f"{url}/NOPE", json={}).status_code == 404
    for bad in [{"error_rate": 2}, {"delay_ms": -1}, {"timeout": "yes"}, {"colour": 1}, []]:
        response = client.put(f"{url}/NTS", json=bad)
        assert response.status_code == 400, bad
        assert "error" in response.json()
    assert client.put(f"{url}/NTS", content=b"{").status_code == 400
    client.put(f"{url}/NTS", json={"delay_ms": 5})
    assert client.get(url).json() == {
        "NTS": {
            "delay_ms": 5,
            "error_rate": 0.0,
            "timeout": False,
            "malformed_rate": 0.0,
            "malformed_as_of_rate": 0.0,
        }
    }
    assert client.delete(url).status_code == 200
    assert client.get(url).json() == {}


def test_healthz(sim: SimulatorServer, client: httpx.Client, catalog: Catalog) -> None:
    body = client.get(f"{sim.base_url}/healthz").json()
    assert body["status"] == "ok"
    assert "NTS" in body["sources"]
    assert "SSIS" not in body["sources"]
    assert set(sim.source_urls()) == set(body["sources"])
