"""The checked tree heads and entry proofs on /admin/graphql."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hub.audit.heads import sign_current
from hub.audit.inclusion import verify_document
from hub.audit.keyset import load_jwks
from hub.db.models import AuditTreeHead
from hub.db.session import Database
from simulator.population import Population
from tests.hub.admin.audit_helpers import access, audit
from tests.hub.admin.conftest import Admin, codes

HEADS = """query($first: Int! = 50, $after: String) { treeHeads(first: $first, after: $after) {
    items { head { size keyId } signedAt keyKnown signatureValid consistentWithPrevious }
    nextCursor } }"""
PROOF = """query($s: Long!, $n: Long) { entryInclusion(seq: $s, treeSize: $n) {
    proof { leafIndex treeSize leafHash auditPath rootHash }
    treeHead { size rootHash } verified verification document } }"""


async def _sign(admin: Admin) -> None:
    services = admin.hub.app.state.services
    await sign_current(services.database, services.keys)


async def test_heads_are_listed_newest_first_and_checked(
    admin: Admin, population: Population, database: Database
) -> None:
    first, second = population.sample_rrns(2)
    await access(admin.hub, first)
    await _sign(admin)
    await access(admin.hub, second)
    await _sign(admin)
    page = (await audit(admin, HEADS, {"first": 1}))["data"]["treeHeads"]
    [newest] = page["items"]
    assert newest["head"]["size"] == 2 and newest["keyKnown"] and newest["signatureValid"]
    assert newest["consistentWithPrevious"] is True and page["nextCursor"] is not None
    rest = (await audit(admin, HEADS, {"after": page["nextCursor"]}))["data"]["treeHeads"]
    assert [h["head"]["size"] for h in rest["items"]] == [1] and rest["nextCursor"] is None
    assert rest["items"][0]["consistentWithPrevious"] is None

    async with database.session() as session:
        await session.execute(
            update(AuditTreeHead).where(AuditTreeHead.size == 2).values(root_hash=bytes(32))
        )
        await session.commit()
    [forged, _] = (await audit(admin, HEADS))["data"]["treeHeads"]["items"]
    assert (forged["signatureValid"], forged["consistentWithPrevious"]) == (False, False)

    # A timestamp beyond the calendar shows as no time, not as a failed page.
    async with database.session() as session:
        await session.execute(
            update(AuditTreeHead).where(AuditTreeHead.size == 1).values(timestamp_ms=2**62)
        )
        await session.commit()
    [_, odd] = (await audit(admin, HEADS))["data"]["treeHeads"]["items"]
    assert odd["signedAt"] is None and odd["signatureValid"] is False


async def test_an_entrys_proof_verifies_here_and_offline(
    admin: Admin, population: Population
) -> None:
    for rrn in population.sample_rrns(3):
        await access(admin.hub, rrn)
    await _sign(admin)
    data = (await audit(admin, PROOF, {"s": 1}))["data"]["entryInclusion"]
    assert data["verified"] and data["verification"].startswith("OK: entry 1 ")
    assert data["proof"]["treeSize"] == data["treeHead"]["size"] == 3
    assert data["proof"]["rootHash"] == data["treeHead"]["rootHash"]
    jwks = load_jwks((await admin.hub.client.get("/audit/keys.json")).json())
    assert verify_document(data["document"], jwks).ok


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"s": 0}, "seq"),  # no head signed yet
        ({"s": 5}, "seq"),  # beyond the log
        ({"s": -1}, "seq"),
        ({"s": 0, "n": 1}, "treeSize"),  # no head of that size (the one signed is for 2)
        ({"s": 1, "n": 1}, "treeSize"),  # a tree of 1 lacks entry 1
    ],
)
async def test_an_entry_proof_needs_a_head_that_contains_it(
    admin: Admin, population: Population, variables: dict[str, int], argument: str
) -> None:
    for rrn in population.sample_rrns(2):
        await access(admin.hub, rrn)
    if variables != {"s": 0}:
        await _sign(admin)
    body = await audit(admin, PROOF, variables)
    assert codes(body) == ["INVALID_ARGUMENT"], body
    assert body["errors"][0]["extensions"]["argument"] == argument
