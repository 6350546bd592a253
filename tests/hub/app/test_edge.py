"""The edge inside the app: bounded headers, no caching of answers, /metrics protected."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.auth.roles import Role
from hub.auth.tokens import issue_token
from hub.db.session import Database
from hub.observability.clip import clip
from simulator.population import Population
from tests.hub.test_settings import _production
from tests.schema.conftest import HubFactory

QUERY = "query($rrn: String!) { person(rrn: $rrn) { residentRegistration { name } } }"


async def test_too_many_header_fields_is_431(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database)
    many = [(f"x-filler-{i}", "1") for i in range(3000)]
    response = await hub.client.post("/graphql", headers=many, json={"query": "{ __typename }"})
    assert response.status_code == 431, response.text
    assert response.json()["errors"][0]["extensions"] == {
        "code": "HEADERS_TOO_LARGE",
        "limit": hub.settings.max_header_count,
    }
    assert response.headers["Hub-Request-Id"]
    assert "x-filler" not in response.text


async def test_too_large_a_header_section_is_431(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database)
    headers = {**hub.headers(), "Hub-Purpose": "p" * 100_000}
    response = await hub.client.post("/graphql", headers=headers, json={"query": QUERY})
    assert response.status_code == 431, response.text
    assert len(response.content) < 1000  # the value is not echoed
    # Within the bound, the same request is served.
    ok = await hub.client.get("/readyz", headers={"X-Small": "s" * 1000})
    assert ok.status_code == 200


async def test_a_long_purpose_is_not_echoed(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database)
    purpose = "q" * 10_000  # within the header bound, far over any purpose code
    response = await hub.post(QUERY, {"rrn": population.sample_rrns(1)[0]}, purpose=purpose)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PURPOSE_NOT_DECLARED"
    assert "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" not in response.text


def test_clip_keeps_short_values_and_says_how_long_long_ones_were() -> None:
    assert clip("basic_livelihood") == "basic_livelihood"
    assert clip("x" * 100, 10) == "xxxxxxxxxx... (100 characters)"


async def test_graphql_answers_are_never_cached(
    database: Database, hub_factory: HubFactory, population: Population
) -> None:
    hub = await hub_factory(database)
    rrn = population.sample_rrns(1)[0]
    officer = issue_token(
        hub.app.state.services.keys, hub.settings, official="lee.02", role=Role.PRIVACY_OFFICER
    )
    replies = [
        await hub.post(QUERY, {"rrn": rrn}),  # data
        await hub.client.post("/graphql", json={"query": QUERY}),  # 401
        await hub.client.post(  # 413
            "/graphql", headers=hub.headers(), content=b"x" * (hub.settings.max_body_bytes + 1)
        ),
        await hub.client.get("/graphql"),  # 405
        await hub.client.post(
            "/admin/graphql",
            json={"query": "{ policyVersions { version } }"},
            headers={"Authorization": f"Bearer {officer}"},
        ),
    ]
    assert [r.status_code for r in replies] == [200, 401, 413, 405, 200]
    for reply in replies:
        assert reply.headers["Cache-Control"] == "no-store", reply.request.url


async def test_metrics_need_the_token_when_one_is_set(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database, metrics_token="s3cret-metrics-token")
    assert (await hub.client.get("/metrics")).status_code == 401
    wrong = await hub.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = await hub.client.get(
        "/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"}
    )
    assert right.status_code == 200
    assert "hub_http_requests_total" in right.text


async def test_a_metrics_port_takes_metrics_off_the_public_app(
    database: Database, hub_factory: HubFactory
) -> None:
    hub = await hub_factory(database, metrics_port=9464)
    assert (await hub.client.get("/metrics")).status_code == 404
    assert hub.app.state.metrics_app is not None


def test_production_refuses_unprotected_metrics(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="HUB_METRICS_TOKEN or HUB_METRICS_PORT"):
        _production(data_dir, metrics_token=None)
    assert _production(data_dir, metrics_token=None, metrics_port=9464).metrics_port == 9464
    assert _production(data_dir, metrics_token=None, metrics_public=True).metrics_public


def test_trusted_proxies_must_be_addresses() -> None:
    from hub.settings import Settings

    with pytest.raises(ValidationError, match=r"lb\.internal"):
        Settings(trusted_proxies="10.0.0.1,lb.internal")
    assert Settings(trusted_proxies=" 10.0.0.0/8 ,::1").trusted_proxy_list == ["10.0.0.0/8", "::1"]
