"""`ssis-hub agency register` and `ssis-hub dev-token --role`, as an operator runs them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from hub.auth.roles import Role
from hub.auth.tokens import verify_token
from hub.cli.main import main
from hub.db.migrate import migrate
from hub.db.session import Database
from hub.keys import load_keys
from hub.oauth.clients import HubClient, get_client
from hub.settings import Settings
from tests.hub.oauth.forge import ClientKeys


@pytest.fixture
def db_file_url(tmp_path: Path) -> str:
    """A freshly migrated SQLite database the CLI commits to for real."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    asyncio.run(migrate(url))
    return url


def _client(url: str, client_id: str) -> HubClient | None:
    async def look() -> HubClient | None:
        database = Database.from_url(url)
        try:
            return await get_client(database, client_id)
        finally:
            await database.dispose()

    return asyncio.run(look())


def _jwks_file(tmp_path: Path, jwks: object, name: str = "jwks.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(jwks))
    return str(path)


def test_register_then_rotate_an_agencys_keys(
    tmp_path: Path, db_file_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = ClientKeys.ed25519("old"), ClientKeys.ed25519("new")
    args = ["agency", "register", "--code", "LOCAL_WELFARE", "--database-url", db_file_url]
    assert main([*args, "--jwks", _jwks_file(tmp_path, old.public_jwks)]) == 0
    assert "registered client LOCAL_WELFARE (role agency" in capsys.readouterr().out
    assert main([*args, "--jwks", _jwks_file(tmp_path, new.public_jwks, "new.json")]) == 0
    assert "updated client LOCAL_WELFARE" in capsys.readouterr().out
    client = _client(db_file_url, "LOCAL_WELFARE")
    assert client is not None
    assert [k.kid for k in client.keys.keys] == ["new"]


def test_register_another_role_with_its_own_client_id(
    tmp_path: Path, db_file_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    jwks = _jwks_file(tmp_path, ClientKeys.es256().public_jwks)
    argv = ["agency", "register", "--code", "AUDIT", "--role", "auditor", "--jwks", jwks]
    argv += ["--client-id", "audit.console", "--name", "Audit console"]
    assert main([*argv, "--database-url", db_file_url]) == 0
    assert "client audit.console (role auditor)" in capsys.readouterr().out
    client = _client(db_file_url, "audit.console")
    assert client is not None
    assert (client.role, client.agency, client.name) == (Role.AUDITOR, None, "Audit console")


@pytest.mark.parametrize(
    ("code", "jwks", "message"),
    [
        ("NOPE", ClientKeys.ed25519().public_jwks, "unknown agency"),
        (
            "LOCAL_WELFARE",
            {"keys": [ClientKeys.ed25519("p").key.as_dict(private=True)]},
            "private key material",
        ),
        ("LOCAL_WELFARE", {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}, "symmetric"),
    ],
)
def test_register_refuses_with_a_clear_error(
    tmp_path: Path,
    db_file_url: str,
    capsys: pytest.CaptureFixture[str],
    code: str,
    jwks: object,
    message: str,
) -> None:
    argv = ["agency", "register", "--code", code, "--jwks", _jwks_file(tmp_path, jwks)]
    assert main([*argv, "--database-url", db_file_url]) == 2
    assert message in capsys.readouterr().err


def test_register_reports_unreadable_files_and_unmigrated_databases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    base = ["agency", "register", "--code", "LOCAL_WELFARE", "--database-url"]
    blank = f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}"
    assert main([*base, blank, "--jwks", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main([*base, blank, "--jwks", str(tmp_path / "bad.json")]) == 2
    assert "is not JSON" in capsys.readouterr().err
    good = _jwks_file(tmp_path, ClientKeys.ed25519().public_jwks)
    assert main([*base, blank, "--jwks", good]) == 2
    assert "ssis-hub migrate" in capsys.readouterr().err


def test_dev_token_for_a_role(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    assert main(["dev-token", "--role", "privacy_officer", "--official", "yoon.5"]) == 0
    token = capsys.readouterr().out.strip()
    settings = Settings(data_dir=tmp_path)
    principal = verify_token(load_keys(settings), settings, token)
    assert (principal.role, principal.official, principal.agency) == (
        Role.PRIVACY_OFFICER,
        "yoon.5",
        "",
    )
    assert (
        main(["dev-token", "--role", "auditor", "--agency", "LOCAL_WELFARE", "--official", "a"])
        == 2
    )
    assert main(["dev-token", "--official", "a"]) == 2
    assert "--agency is required" in capsys.readouterr().err


def test_dev_token_for_an_agency_carries_its_purposes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    assert main(["dev-token", "--agency", "LOCAL_WELFARE", "--official", "kim.01"]) == 0
    settings = Settings(data_dir=tmp_path)
    principal = verify_token(load_keys(settings), settings, capsys.readouterr().out.strip())
    assert principal.role is Role.AGENCY
    assert "basic_livelihood_eligibility" in principal.purposes
