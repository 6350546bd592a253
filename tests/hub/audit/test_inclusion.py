"""Inclusion proof documents: built from storage, checked offline, tampering refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.audit.entries import content_of
from hub.audit.head_status import covering_head
from hub.audit.inclusion import PROOF_FORMAT, proof_document, verify_document
from hub.audit.keyset import AuditPublicKeys, heads_jwks, ring_public_keys
from hub.audit.proofs import stored_inclusion_proof
from hub.db.models import AuditEntry
from hub.db.session import Database
from hub.keys import KeyRing
from tests.hub.audit.logbook import write_log


async def _document(database: Database, keys: KeyRing, seq: int) -> dict[str, Any]:
    async with database.session() as session:
        head = await covering_head(session, seq)
        assert head is not None
        row = await session.get(AuditEntry, seq)
        assert row is not None
        path = await stored_inclusion_proof(session, seq, head.size)
        return proof_document(seq, content_of(row), row.leaf_hash, path, head, heads_jwks(keys))


async def test_a_document_verifies_with_the_published_keys(
    database: Database, keys: KeyRing
) -> None:
    await write_log(database, keys, 11, head_sizes=(11,))
    for seq in (0, 5, 10):
        check = verify_document(await _document(database, keys, seq), ring_public_keys(keys))
        assert check.ok and check.content_checked, check.message
        assert (check.leaf_index, check.tree_size) == (seq, 11)


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "problem", "malformed"),
    [
        (_set(("entry", "official"), "someone.else"), "does not hash to its leaf", False),
        (_set(("audit_path", 0), "00" * 32), "does not lead from leaf", False),
        (_set(("leaf_index",), 4), "the entry is entry 5", True),
        (_set(("tree_head", "signature"), "00" * 64), "does not verify", False),
        (_set(("tree_head", "key_id"), "unknown"), "not in the key set", False),
        (_set(("tree_size",), 10), "the tree head is for size 11", False),
        (_set(("audit_path",), "nope"), "malformed", True),
        (_set(("format",), "other/1"), PROOF_FORMAT, True),
    ],
)
async def test_tampering_is_refused(
    database: Database, keys: KeyRing, change: Any, problem: str, malformed: bool
) -> None:
    await write_log(database, keys, 11, head_sizes=(11,))
    document = copy.deepcopy(await _document(database, keys, 5))
    change(document)
    check = verify_document(document, ring_public_keys(keys))
    assert not check.ok and problem in check.message, check.message
    assert check.malformed is malformed


async def test_the_keys_inside_the_document_are_not_trusted(
    database: Database, keys: KeyRing
) -> None:
    await write_log(database, keys, 3, head_sizes=(3,))
    document = await _document(database, keys, 1)
    stranger = Ed25519PrivateKey.generate().public_key()
    kid = document["tree_head"]["key_id"]
    check = verify_document(document, AuditPublicKeys(by_kid={kid: stranger}))
    assert not check.ok and "does not verify" in check.message


def test_anything_else_is_malformed_not_an_error() -> None:
    documents: list[object] = [None, [], "text", {"format": PROOF_FORMAT}]
    for document in documents:
        check = verify_document(document, AuditPublicKeys())
        assert not check.ok and check.malformed


async def test_an_entry_the_encoding_refuses_is_malformed(
    database: Database, keys: KeyRing
) -> None:
    await write_log(database, keys, 3, head_sizes=(3,))
    document = await _document(database, keys, 1)
    document["entry"]["policy_version"] = 2**70  # valid JSON, beyond the encoding's integers
    check = verify_document(document, ring_public_keys(keys))
    assert not check.ok and check.malformed, check.message
