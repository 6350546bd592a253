"""SimulatorServer: starts on a free port, drives the control endpoints, stops cleanly."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from simulator.app import TIMEOUT_SLEEP_S
from simulator.cli import main
from simulator.harness import SimulatorServer
from simulator.population import Population
from simulator.testing import mini_catalog


def test_serves_on_a_free_port_and_stops() -> None:
    server = SimulatorServer(Population(50), mini_catalog())
    with pytest.raises(RuntimeError, match="not running"):
        server.source_url("TAX")
    with server as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        assert running.source_url("TAX") == f"{running.base_url}/sources/TAX"
        assert running.source_urls() == {
            "REG": f"{running.base_url}/sources/REG",
            "TAX": f"{running.base_url}/sources/TAX",
        }
        assert httpx.get(f"{running.base_url}/healthz").json()["status"] == "ok"
        with pytest.raises(RuntimeError, match="already running"):
            running.start()
        base_url = running.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/healthz")
    server.stop()  # a second stop is harmless


def test_two_servers_side_by_side() -> None:
    catalog = mini_catalog()
    first = SimulatorServer(Population(50), catalog)
    second = SimulatorServer(Population(50, seed=1), catalog)
    with first as a, second as b:
        assert a.base_url != b.base_url
        a.set_fault("TAX", error_rate=1.0)
        assert "TAX" in a.simulator.faults
        assert not b.simulator.faults


def test_control_helpers_use_the_endpoints() -> None:
    with SimulatorServer(Population(100, seed=2), mini_catalog()) as sim:
        subjects = sim.population.rrns()[:7]
        body = {"subjects": subjects, "types": {"annualIncome": ["amount"]}}
        httpx.post(f"{sim.source_url('TAX')}/v1/lookup", json=body).raise_for_status()
        assert sim.stats() == {
            "calls": {"REG": 0, "TAX": 1},
            "subjects": {"REG": 0, "TAX": 7},
            "type_subjects": {"TAX.annualIncome": 7},
        }
        sim.reset()
        assert sim.stats() == {
            "calls": {"REG": 0, "TAX": 0},
            "subjects": {"REG": 0, "TAX": 0},
            "type_subjects": {},
        }
        sim.set_fault("REG", delay_ms=20, malformed_rate=0.5)
        assert sim.simulator.faults["REG"].delay_ms == 20
        assert sim.simulator.faults["REG"].malformed_rate == 0.5
        sim.set_fault("REG")  # all off
        assert "REG" not in sim.simulator.faults
        sim.set_fault("TAX", timeout=True)
        sim.clear_faults()
        assert sim.simulator.faults == {}
        with pytest.raises(httpx.HTTPStatusError):
            sim.set_fault("NOPE", delay_ms=1)


def test_default_population_and_catalog() -> None:
    with SimulatorServer(size=200, seed=9) as sim:
        assert sim.population.size == 200
        assert sim.population.seed == 9
        assert "NTS" in sim.source_urls()


def test_stops_promptly_with_a_client_still_waiting_on_a_timeout() -> None:
    outcome: list[BaseException | None] = []
    with SimulatorServer(Population(50), mini_catalog()) as sim:
        sim.set_fault("TAX", timeout=True)
        url = f"{sim.source_url('TAX')}/v1/lookup"
        body = {"subjects": [], "types": {"annualIncome": ["amount"]}}

        def wait_forever() -> None:
            try:
                with httpx.Client(timeout=TIMEOUT_SLEEP_S) as client:
                    client.post(url, json=body)
                outcome.append(None)
            except httpx.HTTPError as exc:
                outcome.append(exc)

        waiter = threading.Thread(target=wait_forever)
        waiter.start()
        time.sleep(0.3)
        started = time.perf_counter()
    # Leaving the block stopped the server although the fault would hold the
    # call (and the client would wait) for TIMEOUT_SLEEP_S: far less than that.
    assert time.perf_counter() - started < TIMEOUT_SLEEP_S / 10
    waiter.join(TIMEOUT_SLEEP_S)
    assert len(outcome) == 1


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--port", "not-a-number"])
    assert "--port" in capsys.readouterr().err
