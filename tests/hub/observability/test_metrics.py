"""`/metrics` after a few GraphQL requests: requests, latency, source calls, audit commits."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from hub.db.session import Database
from simulator.population import Population
from tests.schema.conftest import AGENCY, HubFactory

ONE = "query($r: String!) { person(rrn: $r) { id earnedIncome { annualAmount } } }"


def metric_samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def metric_value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_after_graphql_requests(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database)
    rrns = population.sample_rrns(3)
    for rrn in rrns:
        body = await hub.query(ONE, {"r": rrn})
        assert "errors" not in body, body
    # A purpose the agency declares but the test policy does not grant.
    refused = await hub.query(ONE, {"r": rrns[0]}, agency=AGENCY, purpose="overpayment_recovery")
    assert refused["errors"][0]["extensions"]["code"] == "POLICY_REFUSED"
    await hub.client.post("/graphql", json={"query": ONE, "variables": {"r": rrns[0]}})

    response = await hub.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = metric_samples(response.text)

    assert metric_value(samples, "hub_http_requests_total", endpoint="/graphql", status="200") == 4
    assert metric_value(samples, "hub_http_requests_total", endpoint="/graphql", status="401") == 1
    assert (
        metric_value(samples, "hub_http_request_duration_seconds_count", endpoint="/graphql") == 5
    )
    assert (
        metric_value(
            samples, "hub_http_request_duration_seconds_bucket", endpoint="/graphql", le="+Inf"
        )
        == 5
    )
    assert metric_value(samples, "hub_source_calls_total", source="NTS") >= 3
    # A running count: a counter, so rate() and increase() apply to it.
    assert "# TYPE hub_source_sent_calls_total counter" in response.text
    # One request at a time: nothing to merge, every lookup was its own call.
    assert metric_value(samples, "hub_source_sent_calls_total", source="NTS") == metric_value(
        samples, "hub_source_calls_total", source="NTS"
    )
    assert metric_value(samples, "hub_source_call_duration_seconds_count", source="NTS") >= 3
    assert metric_value(samples, "hub_audit_commit_duration_seconds_count") >= 1
    assert metric_value(samples, "hub_audit_batch_entries_sum") >= 3
    assert metric_value(samples, "hub_policy_refusals_total", code="POLICY_REFUSED") == 1
    # Every source's breaker state is a gauge (unknown until connectors keep one).
    assert any(name == "hub_source_breaker_state" for name, _ in samples)
    # No registration number ever becomes a label or value.
    assert not any(rrn in response.text or rrn.replace("-", "") in response.text for rrn in rrns)


async def test_source_errors_are_counted_by_code(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database)
    hub.sources.set_fault("NTS", error_rate=1.0)
    body = await hub.query(ONE, {"r": population.sample_rrns(1)[0]})
    assert body["errors"][0]["extensions"]["code"] == "SOURCE_UNAVAILABLE"
    samples = metric_samples((await hub.client.get("/metrics")).text)
    assert (
        metric_value(samples, "hub_source_errors_total", source="NTS", code="SOURCE_UNAVAILABLE")
        >= 1
    )


async def test_each_app_has_its_own_registry(database: Database, hub_factory: HubFactory) -> None:
    first = await hub_factory(database)
    second = await hub_factory(database)
    await first.client.get("/healthz")
    samples = metric_samples((await second.client.get("/metrics")).text)
    assert metric_value(samples, "hub_http_requests_total", endpoint="/healthz", status="200") == 0
