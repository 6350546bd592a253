"""Trusted documents at /graphql: restricted agencies run only approved documents.

A refusal happens after the token and before parsing: nothing executes, no
source is called and nothing is logged.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.documents.ids import document_hash
from hub.documents.store import DocumentStatus
from simulator.population import Population
from tests.hub.documents.helpers import INCOME_QUERY, NAME_QUERY, register
from tests.schema.conftest import AGENCY, Hub, HubFactory

OTHER_AGENCY = "NPS"


async def _entries(database: Database) -> list[AuditEntry]:
    async with database.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


async def _count(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(AuditEntry)) or 0


async def _send(hub: Hub, body: dict[str, Any], agency: str = AGENCY) -> httpx.Response:
    return await hub.client.post("/graphql", json=body, headers=hub.headers(agency=agency))


def _error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


@pytest.fixture
async def restricted(database: Database, hub_factory: HubFactory) -> Hub:
    """A hub where LOCAL_WELFARE may run only approved documents."""
    return await hub_factory(database, trusted_document_agencies=[AGENCY.lower()])


@pytest.fixture
def rrn(population: Population) -> str:
    return population.sample_rrns(1)[0]


async def test_unregistered_query_of_a_restricted_agency_is_refused_before_anything_runs(
    restricted: Hub, database: Database, rrn: str
) -> None:
    before = await _count(database)
    response = await _send(restricted, {"query": NAME_QUERY, "variables": {"rrn": rrn}})
    assert response.status_code == 403
    extensions = _error(response)
    assert extensions["code"] == "UNTRUSTED_DOCUMENT"
    assert extensions["documentId"] == f"sha256:{document_hash(NAME_QUERY)}"
    assert restricted.calls() == {}
    assert await _count(database) == before


@pytest.mark.parametrize(
    "status", [DocumentStatus.PENDING, DocumentStatus.REJECTED, DocumentStatus.REVOKED]
)
async def test_documents_not_approved_are_refused_by_id_and_by_text(
    restricted: Hub, database: Database, rrn: str, status: DocumentStatus
) -> None:
    digest = await register(database, AGENCY, NAME_QUERY, status)
    before = await _count(database)
    by_id = await _send(restricted, {"documentId": f"sha256:{digest}", "variables": {"rrn": rrn}})
    by_text = await _send(restricted, {"query": NAME_QUERY, "variables": {"rrn": rrn}})
    for response in (by_id, by_text):
        assert response.status_code == 403
        assert _error(response)["code"] == "UNTRUSTED_DOCUMENT"
        assert _error(response)["status"] == status.value
    assert restricted.calls() == {}
    assert await _count(database) == before


async def test_approved_document_is_served_by_id_and_audited_under_its_hash(
    restricted: Hub, database: Database, rrn: str
) -> None:
    digest = await register(database, AGENCY, NAME_QUERY)
    response = await _send(
        restricted,
        {"documentId": f"sha256:{digest}", "variables": {"rrn": rrn}, "operationName": "Applicant"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert set(body["data"]["person"]["residentRegistration"]) == {"name", "district"}
    (entry,) = await _entries(database)
    # The id an agency sends is what auditors find in the log.
    assert entry.query_hash == digest


async def test_approved_document_is_served_by_text_and_by_apollo_hash(
    restricted: Hub, database: Database, rrn: str
) -> None:
    digest = await register(database, AGENCY, NAME_QUERY)
    by_text = await restricted.query(NAME_QUERY, {"rrn": rrn})
    apollo = await _send(
        restricted,
        {
            "variables": {"rrn": rrn},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
        },
    )
    assert apollo.status_code == 200, apollo.text
    assert apollo.json()["data"] == by_text["data"]
    assert by_text["data"]["person"]["residentRegistration"]["name"]


async def test_id_and_query_must_agree(restricted: Hub, database: Database, rrn: str) -> None:
    digest = await register(database, AGENCY, NAME_QUERY)
    response = await _send(
        restricted,
        {"documentId": f"sha256:{digest}", "query": INCOME_QUERY, "variables": {"rrn": rrn}},
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "DOCUMENT_ID_MISMATCH"
    assert restricted.calls() == {}


async def test_malformed_ids_are_refused(restricted: Hub, rrn: str) -> None:
    digest = document_hash(NAME_QUERY)
    for body in (
        {"documentId": digest},
        {"documentId": 7},
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest}}},
        {
            "documentId": f"sha256:{digest}",
            "extensions": {
                "persistedQuery": {"version": 1, "sha256Hash": document_hash(INCOME_QUERY)}
            },
        },
    ):
        response = await _send(restricted, {**body, "variables": {"rrn": rrn}})
        assert response.status_code == 400, body
        assert _error(response)["code"] == "INVALID_DOCUMENT_ID"


async def test_another_agency_s_approved_document_is_not_usable(
    restricted: Hub, database: Database, rrn: str
) -> None:
    digest = await register(database, OTHER_AGENCY, NAME_QUERY)
    by_id = await _send(restricted, {"documentId": f"sha256:{digest}", "variables": {"rrn": rrn}})
    assert by_id.status_code == 400
    # Indistinguishable from a document nobody registered.
    assert _error(by_id) == {
        "code": "PERSISTED_DOCUMENT_NOT_FOUND",
        "documentId": f"sha256:{digest}",
    }
    by_text = await _send(restricted, {"query": NAME_QUERY, "variables": {"rrn": rrn}})
    assert by_text.status_code == 403
    assert _error(by_text) == {"code": "UNTRUSTED_DOCUMENT", "documentId": f"sha256:{digest}"}
    assert restricted.calls() == {}


async def test_unrestricted_agency_sends_plain_queries_or_ids_of_its_approved_documents(
    hub: Hub, database: Database, rrn: str
) -> None:
    plain = await hub.query(INCOME_QUERY, {"rrn": rrn})
    assert "errors" not in plain
    digest = await register(database, AGENCY, NAME_QUERY)
    by_id = await _send(hub, {"documentId": f"sha256:{digest}", "variables": {"rrn": rrn}})
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["data"]["person"]["residentRegistration"]["name"]
    unknown = await _send(
        hub, {"documentId": f"sha256:{document_hash(INCOME_QUERY)}", "variables": {"rrn": rrn}}
    )
    assert unknown.status_code == 400
    assert _error(unknown)["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"


async def test_restriction_is_per_agency(restricted: Hub) -> None:
    # The same harmless document: refused for the restricted agency only.
    body = {"query": "{ __typename }"}
    free = await _send(restricted, body, agency=OTHER_AGENCY)
    assert free.status_code == 200
    assert free.json() == {"data": {"__typename": "Query"}}
    refused = await _send(restricted, body)
    assert refused.status_code == 403
    assert _error(refused)["code"] == "UNTRUSTED_DOCUMENT"


async def test_star_restricts_every_agency(
    database: Database, hub_factory: HubFactory, rrn: str
) -> None:
    hub = await hub_factory(database, trusted_document_agencies=["*"])
    response = await _send(hub, {"query": NAME_QUERY, "variables": {"rrn": rrn}}, OTHER_AGENCY)
    assert response.status_code == 403
    assert _error(response)["code"] == "UNTRUSTED_DOCUMENT"


async def test_the_token_is_checked_before_the_document(restricted: Hub) -> None:
    response = await restricted.client.post(
        "/graphql",
        json={"documentId": f"sha256:{document_hash(NAME_QUERY)}"},
        headers={"Authorization": "Bearer nonsense"},
    )
    assert response.status_code == 401
