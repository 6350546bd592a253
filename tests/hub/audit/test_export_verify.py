"""Exports of the audit log and their offline verification; the database verifier when clean."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.audit.entries import canonical_bytes, entry_leaf_hash, from_json
from hub.audit.export import EXPORT_FORMAT, export_range, iter_export
from hub.audit.heads import SignedTreeHead, load_public_key, public_key_pem, verify_head
from hub.audit.merkle import EMPTY_ROOT, frontier_nodes
from hub.audit.proofs import stored_root
from hub.audit.verify import Problem, verify_database, verify_export
from hub.db.session import Database
from hub.keys import KeyRing, load_keys
from hub.settings import Settings
from tests.hub.audit.logbook import write_log

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def other_key(tmp_path: Path) -> Ed25519PublicKey:
    """The audit key of another installation."""
    return load_public_key(public_key_pem(load_keys(Settings(data_dir=tmp_path / "other"))))


async def test_full_export_verifies(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 30, head_sizes=(8, 16, 24))
    lines = await export_range(database, keys, 0, 30)
    assert len(lines) == 31
    header = json.loads(lines[0])
    assert header["type"] == "header" and header["format"] == EXPORT_FORMAT
    assert (header["first"], header["last"], header["prefix"]) == (0, 30, [])
    assert [h["size"] for h in header["heads"]] == [8, 16, 24]
    head = SignedTreeHead.from_json(header["tree_head"])
    async with database.session() as session:
        assert head.size == 30 and head.root_hash == await stored_root(session, 30)
    assert verify_head(public_key, head)
    assert header["public_key_pem"] == public_key_pem(keys)

    entries = [json.loads(line) for line in lines[1:]]
    assert [e["seq"] for e in entries] == list(range(30))
    assert all(e["type"] == "entry" and e["v"] == 1 for e in entries)
    first = {k: v for k, v in entries[0].items() if k not in ("type", "leaf_hash")}
    assert entry_leaf_hash(*from_json(first)).hex() == entries[0]["leaf_hash"]

    report = verify_export(lines, public_key)
    assert report.ok, report.summary()
    assert (report.entries_checked, report.tree_size, report.root_hash) == (30, 30, head.root_hash)
    assert report.heads_checked == 4
    assert report.summary() == f"OK: 30 entries, tree head size 30 root {head.root_hash.hex()}"
    # The export's fresh head was stored like any other signed head.
    assert (await verify_database(database, public_key)).heads_checked == 4


async def test_partial_export_resumes_from_the_prefix(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 30, head_sizes=(8, 16, 24))
    lines = await export_range(database, keys, 10, 25)
    header = json.loads(lines[0])
    assert len(header["prefix"]) == len(frontier_nodes(10)) == 2
    assert [h["size"] for h in header["heads"]] == [16, 24]
    assert [json.loads(line)["seq"] for line in lines[1:]] == list(range(10, 25))
    report = verify_export(lines, public_key)
    assert report.ok, report.summary()
    assert (report.entries_checked, report.tree_size) == (15, 25)
    # Newlines, as read from a file, and a trailing blank line change nothing.
    assert verify_export([line + "\n" for line in lines] + ["\n"], public_key).ok


async def test_streamed_export_is_the_same(database: Database, keys: KeyRing) -> None:
    await write_log(database, keys, 5)
    streamed = [line async for line in iter_export(database, keys)]
    assert json.loads(streamed[0])["last"] == 5
    assert streamed[1:] == (await export_range(database, keys, 0, 5))[1:]


async def test_another_key_is_a_bad_signature(
    database: Database, keys: KeyRing, other_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 4)
    report = verify_export(await export_range(database, keys, 0, 4), other_key)
    assert not report.ok and report.problem is Problem.BAD_SIGNATURE
    assert report.first_bad_index is None
    assert report.summary().startswith("FAIL: bad signature (")
    assert (await verify_database(database, other_key)).problem is Problem.BAD_SIGNATURE


async def test_a_forged_head_is_a_bad_signature(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 4)
    lines = await export_range(database, keys, 0, 4)
    header = json.loads(lines[0])
    header["tree_head"]["root_hash"] = "00" * 32
    report = verify_export([json.dumps(header), *lines[1:]], public_key)
    assert report.problem is Problem.BAD_SIGNATURE


async def test_empty_log_exports_and_verifies(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    lines = await export_range(database, keys, 0, 0)
    assert len(lines) == 1
    report = verify_export(lines, public_key)
    assert report.ok and report.entries_checked == 0 and report.root_hash == EMPTY_ROOT
    assert (await verify_database(database, public_key)).ok


async def test_ranges_outside_the_log_are_refused(database: Database, keys: KeyRing) -> None:
    await write_log(database, keys, 3)
    for first, last in ((0, 4), (2, 1), (-1, 2)):
        with pytest.raises(ValueError, match=r"log holds entries \[0, 3\)"):
            await export_range(database, keys, first, last)


def _malformed(lines: list[str], public_key: Ed25519PublicKey) -> tuple[Any, int | None]:
    report = verify_export(lines, public_key)
    assert not report.ok
    return report.problem, report.first_bad_index


async def test_malformed_exports(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 6)
    lines = await export_range(database, keys, 0, 6)
    header = json.loads(lines[0])
    bad = Problem.MALFORMED
    assert _malformed([], public_key) == (bad, None)
    assert _malformed(["not json", *lines[1:]], public_key) == (bad, None)
    assert _malformed(lines[1:], public_key) == (bad, None)  # no header
    for key, value in (("format", "other/1"), ("prefix", ["00"]), ("last", 7), ("first", -1)):
        assert _malformed([json.dumps({**header, key: value}), *lines[1:]], public_key)[0] is bad
    assert _malformed([*lines[:3], "{oops", *lines[4:]], public_key) == (bad, 2)
    entry = json.loads(lines[4])
    for change in ({"type": "other"}, {"leaf_hash": "xyz"}, {"v": 2}, {"seq": "3"}, {"x": 1}):
        edited = json.dumps({**entry, **change})
        assert _malformed([*lines[:4], edited, *lines[5:]], public_key) == (bad, 3)


async def test_database_verifies_when_untouched(
    database: Database, keys: KeyRing, public_key: Ed25519PublicKey
) -> None:
    await write_log(database, keys, 21, head_sizes=(1, 2, 13, 21))
    report = await verify_database(database, public_key, chunk=4)
    assert report.ok, report.summary()
    assert (report.entries_checked, report.tree_size, report.heads_checked) == (21, 21, 4)
    async with database.session() as session:
        assert report.root_hash == await stored_root(session, 21)


def _doc_verifier() -> str:
    text = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(# offline verifier.*?)```", text, re.DOTALL)
    assert match, "docs/audit.md lost its offline verifier"
    return match.group(1)


async def test_the_documented_verifier_agrees(
    database: Database, keys: KeyRing, tmp_path: Path
) -> None:
    await write_log(database, keys, 13, head_sizes=(5,))
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(await export_range(database, keys, 3, 13)) + "\n")
    namespace: dict[str, Any] = {}
    exec(compile(_doc_verifier(), "docs/audit.md", "exec"), namespace)  # noqa: S102 - our own doc
    assert namespace["verify"](str(export), keys.public_audit_jwks()) == 10
    lines = export.read_text().splitlines()
    lines[4] = lines[4].replace('"outcome":"', '"outcome":"x')
    export.write_text("\n".join(lines))
    with pytest.raises(ValueError, match="entry 6"):
        namespace["verify"](str(export), keys.public_audit_jwks())


def test_the_documented_example_entry_is_the_codes() -> None:
    text = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    encoded = re.search(r"```text\n(\{\"agency\".*?)\n```", text, re.DOTALL)
    digest = re.search(r"leaf hash `([0-9a-f]{64})`", text)
    assert encoded and digest, "docs/audit.md lost its example entry"
    seq, content = from_json(json.loads(encoded.group(1)))
    assert canonical_bytes(seq, content).decode() == encoded.group(1)
    assert entry_leaf_hash(seq, content).hex() == digest.group(1)
    assert f", {len(encoded.group(1).encode())} bytes:" in text
