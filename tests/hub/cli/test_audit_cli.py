"""`ssis-hub audit ...` as an operator and an outside auditor run it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hub.app.prepare import prepare_database
from hub.audit.entries import EntryContent, entry_leaf_hash
from hub.audit.heads import SignedTreeHead, load_public_key, sign_head, verify_head
from hub.audit.inclusion import proof_document
from hub.audit.keyset import heads_jwks
from hub.audit.merkle import LeafHashes, inclusion_proof
from hub.cli.main import main
from hub.db.session import Database
from hub.keys import KeyRing, load_keys
from hub.settings import Settings
from tests.hub.audit.logbook import write_log

ENTRIES = 12


@pytest.fixture
def hub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A prepared SQLite database holding a 12-entry log, and the settings pointing at it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("HUB_ENVIRONMENT", raising=False)

    async def prepare() -> None:
        await prepare_database(url)
        database = Database.from_url(url)
        try:
            await write_log(database, load_keys(Settings()), ENTRIES, head_sizes=(4, 8))
        finally:
            await database.dispose()

    asyncio.run(prepare())
    return url


@pytest.fixture
def key_file(hub_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The audit public key as an auditor receives it (PEM), via `audit public-key`."""
    assert main(["audit", "public-key"]) == 0
    pem = capsys.readouterr().out
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    path = tmp_path / "audit.pem"
    path.write_text(pem)
    return path


@pytest.fixture
def export_file(hub_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "export.jsonl"
    assert main(["audit", "export", "-o", str(path)]) == 0
    assert f"exported {ENTRIES} entries" in capsys.readouterr().err
    return path


def test_export_then_verify(
    export_file: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", str(export_file), "--public-key", str(key_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK: {ENTRIES} entries, tree head size {ENTRIES} root ")


def test_partial_export_to_stdout(
    hub_env: str, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "export", "--from", "3", "--to", "9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["seq"] for line in lines[1:]] == list(range(3, 9))
    path = tmp_path / "part.jsonl"
    path.write_text("\n".join(lines))
    assert main(["audit", "verify", str(path), "--public-key", str(key_file)]) == 0
    assert "OK: 6 entries, tree head size 9" in capsys.readouterr().out


def test_export_refuses_a_range_beyond_the_log(
    hub_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never.jsonl"
    assert main(["audit", "export", "--from", "5", "--to", "99", "-o", str(out)]) == 2
    assert "the log holds entries [0, 12)" in capsys.readouterr().err
    assert not out.exists()


def test_a_tampered_export_fails(
    export_file: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = export_file.read_text().splitlines()
    entry = json.loads(lines[1 + 5])
    lines[1 + 5] = json.dumps({**entry, "agency": "NTS"})
    export_file.write_text("\n".join(lines) + "\n")
    assert main(["audit", "verify", str(export_file), "--public-key", str(key_file)]) == 1
    assert capsys.readouterr().out.strip() == "FAIL at index 5: modified (leaf hash differs)"


def test_a_malformed_export_is_unreadable_input(
    export_file: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = export_file.read_text().splitlines()
    lines[3] = "{not json"
    export_file.write_text("\n".join(lines))
    assert main(["audit", "verify", str(export_file), "--public-key", str(key_file)]) == 2
    assert capsys.readouterr().out.startswith("FAIL at index 2: malformed (")
    export_file.write_bytes(b"\xff\xfe")
    assert main(["audit", "verify", str(export_file), "--public-key", str(key_file)]) == 2


def test_verify_needs_readable_inputs(
    export_file: Path, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.jsonl")
    assert main(["audit", "verify", missing, "--public-key", str(key_file)]) == 2
    assert "cannot read" in capsys.readouterr().err
    not_a_key = tmp_path / "key.txt"
    not_a_key.write_text("hello")
    assert main(["audit", "verify", str(export_file), "--public-key", str(not_a_key)]) == 2
    assert "no Ed25519 public key" in capsys.readouterr().err
    assert main(["audit", "verify", str(export_file)]) == 2
    assert "--public-key or --jwks is required" in capsys.readouterr().err
    assert main(["audit", "verify", "--database", str(export_file)]) == 2


def test_verify_the_database_with_a_jwk(
    hub_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_key = load_keys(Settings()).audit_signing
    assert audit_key is not None
    jwk = tmp_path / "audit.jwk"
    jwk.write_text(json.dumps(audit_key.as_dict(private=False)))
    assert main(["audit", "verify", "--database", "--public-key", str(jwk)]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {ENTRIES} entries")


def test_verify_the_database_with_the_hubs_own_key_only_in_development(
    hub_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--database"]) == 0
    out = capsys.readouterr().out
    assert "hub's own audit keys (development only)" in out
    assert f"OK: {ENTRIES} entries" in out
    monkeypatch.setenv("HUB_ENVIRONMENT", "test")
    assert main(["audit", "verify", "--database"]) == 2
    assert "--public-key or --jwks is required outside development" in capsys.readouterr().err


def test_sign_prints_a_verifiable_head(
    hub_env: str, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "sign"]) == 0
    head = SignedTreeHead.from_json(json.loads(capsys.readouterr().out))
    assert head.size == ENTRIES
    assert verify_head(load_public_key(key_file.read_text()), head)


def test_prune_then_verify(
    hub_env: str, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "prune"]) == 0  # default retention: five years, nothing that old
    assert capsys.readouterr().out.startswith("pruned 0 entries that occurred before ")
    assert main(["audit", "prune", "--before", "2999-01-01"]) == 0
    assert "pruned 12 entries" in capsys.readouterr().out
    assert main(["audit", "verify", "--database", "--public-key", str(key_file)]) == 0
    assert "OK: 12 entries (12 pruned, hash only)" in capsys.readouterr().out
    assert main(["audit", "prune", "--before", "last tuesday"]) == 2


def _proof_document(keys: KeyRing, seq: int = 2, size: int = 5) -> dict[str, Any]:
    """A proof document for entry `seq` of an in-memory log of `size` entries."""
    contents = [
        EntryContent(
            kind="access",
            occurred_at=dt.datetime(2026, 11, 26, 9, i, tzinfo=dt.UTC),
            request_id=f"r-{i}",
            agency="NPS",
            official="kim.01",
            purpose="p",
            case_ref=f"CASE-{i}",
            person="PSEUDONYM",
            outcome="released",
        )
        for i in range(size)
    ]
    leaves = [entry_leaf_hash(i, c) for i, c in enumerate(contents)]
    tree = LeafHashes(leaves)
    head = sign_head(keys, size, tree.subtree(0, size), 1_795_685_400_000)
    path = inclusion_proof(seq, size, tree)
    return proof_document(seq, contents[seq], leaves[seq], path, head, heads_jwks(keys))


@pytest.mark.parametrize(
    ("tamper", "code", "said"),
    [
        ({}, 0, "OK: entry 2 is in the tree of size 5"),
        ({"leaf_index": 3}, 2, "FAIL: malformed document"),
        ({"audit_path": ["00" * 32]}, 1, "FAIL: the audit path does not lead"),
    ],
)
def test_verify_proof(
    hub_env: str,
    key_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tamper: dict[str, Any],
    code: int,
    said: str,
) -> None:
    document = {**_proof_document(load_keys(Settings())), **tamper}
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(document))
    assert main(["audit", "verify-proof", str(path), "--public-key", str(key_file)]) == code
    assert capsys.readouterr().out.startswith(said)


def test_verify_proof_needs_readable_inputs(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "proof.json"
    path.write_text("not json")
    assert main(["audit", "verify-proof", str(path), "--public-key", str(key_file)]) == 2
    assert main(["audit", "verify-proof", str(path)]) == 2
    assert main(["audit", "verify-proof", str(tmp_path / "none.json"), "--jwks", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--public-key or --jwks is required" in err and "error:" in err
