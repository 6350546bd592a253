"""Expected GraphQL errors are one quiet log line each; unexpected ones keep their traceback."""

from __future__ import annotations

import logging

import pytest

from hub.db.session import Database
from simulator.population import Population
from tests.schema.conftest import AGENCY, Hub, HubFactory

ONE = "query($r: String!) { person(rrn: $r) { id earnedIncome { annualAmount } } }"


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_refusal_is_one_info_line_without_traceback(
    hub: Hub, population: Population, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = await hub.query(
        ONE, {"r": population.sample_rrns(1)[0]}, agency=AGENCY, purpose="overpayment_recovery"
    )
    assert body["errors"][0]["extensions"]["code"] == "POLICY_REFUSED"
    assert _errors(caplog) == []
    lines = [r.getMessage() for r in caplog.records if r.name == "hub.graphql"]
    # Refused by the gate, before execution: no field path.
    assert "graphql error POLICY_REFUSED at the operation" in lines


async def test_a_malformed_number_is_logged_without_the_number(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bad = "9001011234ABC"
    body = await hub.query(ONE, {"r": bad})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_RRN"
    assert _errors(caplog) == []
    assert not any(bad in r.getMessage() for r in caplog.records)


async def test_a_validation_error_is_not_an_error_of_the_hub(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await hub.post('{ person(rrn: "x") { noSuchField } }')
    assert response.status_code == 200 and response.json()["errors"]
    assert _errors(caplog) == []


async def test_an_unexpected_error_keeps_its_traceback(
    database: Database,
    hub_factory: HubFactory,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom(text: str, index: int | None = None) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr("schema.query._parse", boom)
    hub = await hub_factory(database)
    await hub.query(ONE, {"r": population.sample_rrns(1)[0]})
    [record] = _errors(caplog)
    assert record.exc_info is not None and "a bug" in str(record.exc_info[1])
