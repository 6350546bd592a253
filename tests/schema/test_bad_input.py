"""Bad input gets a specific error, no data, and no source is bothered."""

from __future__ import annotations

import pytest

from simulator.population import Population
from tests.schema.conftest import Hub

ONE = "query($r: String!) { person(rrn: $r) { id earnedIncome { annualAmount } } }"
MANY = "query($r: [String!]!) { persons(rrns: $r) { id earnedIncome { annualAmount } } }"


def _code(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list) and errors
    code = errors[0]["extensions"]["code"]
    assert isinstance(code, str)
    return code


@pytest.mark.parametrize(
    ("rrn", "reason"),
    [
        ("12345", "expected 13 digits"),
        ("850314-21234AB", "expected 13 digits"),
        ("".join(chr(ord(c) + 0xFEE0) for c in "8503142123456"), "expected 13 digits"),  # fullwidth
        ("8513142123456", "not a valid birth date"),
        ("8502302123456", "not a valid birth date"),
        ("0002291123456", "puts the birth in the 1900s, and 1900-02-29 did not exist"),
        ("9912313123456", "puts the birth in the 2000s, and 2099-12-31 is in the future"),
    ],
)
async def test_structurally_invalid_rrn(hub: Hub, rrn: str, reason: str) -> None:
    body = await hub.query(ONE, {"r": rrn})
    assert body["data"] == {"person": None}
    assert _code(body) == "INVALID_RRN"
    assert reason in body["errors"][0]["extensions"]["reason"]
    assert hub.calls() == {}


async def test_unknown_person(hub: Hub, population: Population) -> None:
    import datetime as dt

    from hub.identity.rrn import make_rrn

    stranger = next(
        str(make_rrn(dt.date(1901, 1, 1), "M", 9999, serial))
        for serial in range(10)
        if str(make_rrn(dt.date(1901, 1, 1), "M", 9999, serial)) not in population
    )
    body = await hub.query(ONE, {"r": stranger})
    assert body["data"] == {"person": None}
    assert _code(body) == "PERSON_NOT_FOUND"


async def test_unknown_person_in_a_list_nulls_only_its_entry(
    hub: Hub, population: Population
) -> None:
    import datetime as dt

    from hub.identity.rrn import make_rrn

    stranger = str(make_rrn(dt.date(1901, 1, 1), "F", 9999, 7))
    assert stranger not in population
    known = population.sample_rrns(2)
    body = await hub.query(MANY, {"r": [known[0], stranger, known[1]]})
    persons = body["data"]["persons"]
    assert persons[0] is not None and persons[2] is not None and persons[1] is None
    [error] = body["errors"]
    assert error["path"] == ["persons", 1]
    assert error["extensions"]["code"] == "PERSON_NOT_FOUND"


async def test_invalid_number_in_a_list_refuses_the_list(hub: Hub, population: Population) -> None:
    body = await hub.query(MANY, {"r": [*population.sample_rrns(2), "8502302123456"]})
    assert body["data"] == {"persons": None} or body["data"] is None
    assert _code(body) == "INVALID_RRN"
    assert body["errors"][0]["extensions"]["index"] == 2
    assert hub.calls() == {}


async def test_over_long_persons_list(hub: Hub, population: Population) -> None:
    limit = hub.settings.max_persons_per_request
    body = await hub.query(MANY, {"r": population.sample_rrns(limit + 1)})
    assert not body["data"] or body["data"]["persons"] is None
    assert _code(body) == "TOO_MANY_PERSONS"
    assert hub.calls() == {}


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"purpose": None}, "PURPOSE_REQUIRED"),
        ({"purpose": "housing_benefit_eligibility"}, "PURPOSE_NOT_DECLARED"),
        ({"case": None}, "CASE_REF_REQUIRED"),
        ({"case": "bad case ref with spaces"}, "CASE_REF_REQUIRED"),
        ({"agency": "NOT_AN_AGENCY"}, "AGENCY_NOT_REGISTERED"),
    ],
)
async def test_missing_or_wrong_context(
    hub: Hub, population: Population, headers: dict[str, str | None], code: str
) -> None:
    body = await hub.query(ONE, {"r": population.sample_rrns(1)[0]}, **headers)
    assert body["data"] is None
    assert _code(body) == code
    assert hub.calls() == {}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"]
)
async def test_missing_or_invalid_token_is_401(
    hub: Hub, population: Population, authorization: str | None
) -> None:
    headers = hub.headers()
    if authorization is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = authorization
    response = await hub.client.post(
        "/graphql",
        json={"query": ONE, "variables": {"r": population.sample_rrns(1)[0]}},
        headers=headers,
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["data"] is None
    assert hub.calls() == {}


async def test_expired_token_is_401(hub: Hub, population: Population) -> None:
    response = await hub.post(ONE, {"r": population.sample_rrns(1)[0]}, token=hub.token(ttl_s=-120))
    assert response.status_code == 401


async def test_unknown_field_is_a_validation_error(hub: Hub, population: Population) -> None:
    body = await hub.query(
        "query($r: String!) { person(rrn: $r) { salary } }", {"r": population.sample_rrns(1)[0]}
    )
    assert body.get("data") is None
    assert "salary" in body["errors"][0]["message"]
    assert hub.calls() == {}


async def test_introspection_needs_no_purpose(hub: Hub) -> None:
    body = await hub.query("{ __schema { queryType { name } } }", purpose=None, case=None)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_get_serves_graphiql_in_development_only(hub: Hub) -> None:
    page = await hub.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    query = await hub.client.get("/graphql", params={"query": "{ __typename }"})
    assert query.status_code == 405


async def test_unknown_person_is_refused_even_when_only_the_id_is_asked(
    hub: Hub, population: Population
) -> None:
    import datetime as dt

    from hub.identity.rrn import make_rrn

    stranger = str(make_rrn(dt.date(1901, 1, 1), "F", 9999, 3))
    assert stranger not in population
    body = await hub.query("query($r: String!) { person(rrn: $r) { id } }", {"r": stranger})
    assert body["data"] == {"person": None}
    assert _code(body) == "PERSON_NOT_FOUND"
    assert hub.calls() == {"MOIS": 1}
