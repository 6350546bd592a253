"""A log whose heads two successive audit keys signed, verified by kid with a JWKS."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import OKPKey

from hub.audit.export import export_range
from hub.audit.heads import load_public_key, public_key_pem
from hub.audit.keyset import load_audit_keys, load_jwks
from hub.audit.verify import Problem, verify_database, verify_export
from hub.cli.main import main
from hub.db.session import Database
from hub.keys import KeyRing, load_keys
from hub.settings import Settings, UnsafeSettings
from tests.hub.audit.logbook import write_log

ROOT = Path(__file__).resolve().parents[3]


def _key(kid: str) -> dict[str, Any]:
    return dict(OKPKey.generate_key("Ed25519", parameters={"kid": kid}).as_dict(private=True))


def _ring(data_dir: Path, *audit_keys: dict[str, Any]) -> KeyRing:
    """The development ring of `data_dir` with HUB_AUDIT_SIGNING_KEYS set to `audit_keys`."""
    return load_keys(
        Settings(data_dir=data_dir, audit_signing_keys=json.dumps({"keys": list(audit_keys)}))
    )


@dataclasses.dataclass
class Rotated:
    """Entries 0-11: heads at 4 and 8 signed by audit-2026, the rest by audit-2027."""

    old: KeyRing
    new: KeyRing
    export: list[str]

    def jwks(self, *kids: str) -> dict[str, Any]:
        keys = self.new.public_audit_jwks()["keys"]
        return {"keys": [k for k in keys if k["kid"] in kids]}


@pytest.fixture
async def rotated(database: Database, data_dir: Path) -> Rotated:
    first, second = _key("audit-2026"), _key("audit-2027")
    old = _ring(data_dir, first)
    await write_log(database, old, 8, head_sizes=(4, 8))
    # The rotation: the new key signs, the old one stays in the set to verify.
    new = _ring(data_dir, second, first)
    await write_log(database, new, 4, head_sizes=(10,), start=8)
    return Rotated(old, new, await export_range(database, new, 0, 12))


def test_the_first_key_of_the_set_signs_and_all_verify(data_dir: Path) -> None:
    ring = _ring(data_dir, _key("audit-b"), _key("audit-a"))
    assert ring.audit_signing is not None and ring.audit_signing.kid == "audit-b"
    assert [k["kid"] for k in ring.public_audit_jwks()["keys"]] == ["audit-b", "audit-a"]
    assert all("d" not in k for k in ring.public_audit_jwks()["keys"])


async def test_heads_of_two_keys_verify_offline_with_the_jwks(rotated: Rotated) -> None:
    header = json.loads(rotated.export[0])
    assert [h["key_id"] for h in header["heads"]] == ["audit-2026", "audit-2026", "audit-2027"]
    assert header["tree_head"]["key_id"] == "audit-2027"
    keys = load_jwks(rotated.jwks("audit-2026", "audit-2027"))
    report = verify_export(rotated.export, keys)
    assert report.ok, report.summary()
    assert report.heads_checked == 4


async def test_a_head_whose_kid_is_not_in_the_set_is_refused(rotated: Rotated) -> None:
    report = verify_export(rotated.export, load_jwks(rotated.jwks("audit-2027")))
    assert report.problem is Problem.UNKNOWN_KEY
    assert "size 4 names key 'audit-2026'" in report.message
    assert "key ids: audit-2027" in report.message
    # The export's own head is checked first: without the signing key nothing is walked.
    report = verify_export(rotated.export, load_jwks(rotated.jwks("audit-2026")))
    assert report.problem is Problem.UNKNOWN_KEY and report.entries_checked == 0


async def test_a_head_signed_by_another_key_under_a_known_kid_is_a_bad_signature(
    rotated: Rotated,
) -> None:
    impostor = OKPKey.generate_key("Ed25519", parameters={"kid": "audit-2026"})
    jwks = rotated.jwks("audit-2027")
    jwks["keys"].append(dict(impostor.as_dict(private=False)))
    report = verify_export(rotated.export, load_jwks(jwks))
    assert report.problem is Problem.BAD_SIGNATURE
    assert "size 4 (key audit-2026)" in report.message


async def test_one_pem_key_alone_cannot_verify_a_rotated_log(rotated: Rotated) -> None:
    # The bare key of today is tried for every head, and the old heads are not its own.
    report = verify_export(rotated.export, load_public_key(public_key_pem(rotated.new)))
    assert report.problem is Problem.BAD_SIGNATURE


async def test_the_database_verifies_with_the_set_and_refuses_a_missing_kid(
    database: Database, rotated: Rotated
) -> None:
    report = await verify_database(database, load_jwks(rotated.jwks("audit-2026", "audit-2027")))
    assert report.ok, report.summary()
    report = await verify_database(database, load_jwks(rotated.jwks("audit-2027")))
    assert report.problem is Problem.UNKNOWN_KEY


async def test_the_documented_verifier_takes_the_jwks(rotated: Rotated, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(# offline verifier.*?)```", text, re.DOTALL)
    assert match, "docs/audit.md lost its offline verifier"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "docs/audit.md", "exec"), namespace)  # noqa: S102 - our own doc
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(rotated.export) + "\n")
    assert namespace["verify"](str(export), rotated.jwks("audit-2026", "audit-2027")) == 12
    with pytest.raises(KeyError, match="audit-2026"):
        namespace["verify"](str(export), rotated.jwks("audit-2027"))


def test_key_files_load_as_pem_jwk_or_jwks(rotated: Rotated) -> None:
    assert load_audit_keys(public_key_pem(rotated.new)).unnamed is not None
    one = json.dumps(rotated.jwks("audit-2027")["keys"][0])
    assert set(load_audit_keys(one).by_kid) == {"audit-2027"}
    both = json.dumps(rotated.jwks("audit-2026", "audit-2027"))
    assert set(load_audit_keys(both).by_kid) == {"audit-2026", "audit-2027"}
    for bad, reason in (
        ('{"keys": []}', "at least one key"),
        (json.dumps({"keys": [{**rotated.jwks("audit-2027")["keys"][0], "kid": ""}]}), "no kid"),
        (json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "kid": "x"}]}), "not an Ed25519"),
        ("-----BEGIN PUBLIC KEY-----\nnope", "not a PEM public key"),
    ):
        with pytest.raises(ValueError, match=reason):
            load_audit_keys(bad)


def test_both_audit_key_settings_at_once_are_refused(data_dir: Path) -> None:
    with pytest.raises(UnsafeSettings, match="HUB_AUDIT_SIGNING_KEYS or HUB_AUDIT_SIGNING_KEY"):
        load_keys(
            Settings(
                data_dir=data_dir,
                audit_signing_keys=json.dumps({"keys": [_key("a")]}),
                audit_signing_key=json.dumps(_key("b")),
            )
        )
    with pytest.raises(UnsafeSettings, match="HUB_AUDIT_SIGNING_KEYS: key 0 needs a kid"):
        _ring(data_dir, {**_key("c"), "kid": ""})


@pytest.fixture
def served_jwks() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An HTTP server on loopback publishing a JWKS at /audit/keys.json (set the list)."""
    published: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(published[0]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/audit/keys.json", published
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_the_cli_verifies_with_a_jwks_file_or_url(
    rotated: Rotated,
    tmp_path: Path,
    served_jwks: tuple[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(rotated.export) + "\n")
    jwks = tmp_path / "audit-keys.json"
    jwks.write_text(json.dumps(rotated.jwks("audit-2026", "audit-2027")))
    assert main(["audit", "verify", str(export), "--jwks", str(jwks)]) == 0
    assert capsys.readouterr().out.startswith("OK: 12 entries")
    assert main(["audit", "verify", str(export), "--public-key", str(jwks)]) == 0
    capsys.readouterr()

    url, published = served_jwks
    published.append(rotated.jwks("audit-2027"))
    assert main(["audit", "verify", str(export), "--jwks", url]) == 1
    assert "FAIL" in capsys.readouterr().out
    published[0] = rotated.jwks("audit-2026", "audit-2027")
    assert main(["audit", "verify", str(export), "--jwks", url]) == 0
    capsys.readouterr()

    assert main(["audit", "verify", str(export), "--jwks", "http://hub.example/k.json"]) == 2
    assert "over https" in capsys.readouterr().err
    pem = tmp_path / "audit.pem"
    pem.write_text(public_key_pem(rotated.new))
    assert main(["audit", "verify", str(export), "--jwks", str(pem)]) == 2
    assert "not a JWKS" in capsys.readouterr().err
