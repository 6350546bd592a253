"""Switching a client off: the token endpoint refuses it at once; its tokens are refused too."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from hub.app.prepare import prepare_database
from hub.auth import clock
from hub.auth.jwtcheck import InvalidToken
from hub.auth.revocation import ClientRevocations
from hub.auth.tokens import Principal
from hub.cli.main import main
from hub.db.session import Database
from hub.oauth import standing
from hub.oauth.clients import register_client
from hub.oauth.standing import ClientAction, ClientChangeError, ClientNotFound
from tests.hub.oauth.conftest import TokenHub
from tests.hub.oauth.forge import AssertionPair, ClientKeys, token_form

OFFICER = "officer.park"


async def _ask(hub: TokenHub, keys: ClientKeys, client_id: str) -> int:
    pair = AssertionPair(client_id, "kim.01")
    form = token_form(keys.sign(pair.client_claims()), keys.sign(pair.grant_claims()))
    return (await hub.post_token(form)).status_code


async def test_a_disabled_client_is_refused_at_once_and_enabled_again(
    token_hub: TokenHub, caplog: pytest.LogCaptureFixture
) -> None:
    keys = ClientKeys.ed25519()
    client_id = await token_hub.register(keys)
    assert await _ask(token_hub, keys, client_id) == 200
    caplog.set_level(logging.INFO, logger="hub.auth")
    found = await standing.disable_client(
        token_hub.database, client_id, actor=OFFICER, reason="key reported leaked"
    )
    assert found.disabled and found.disabled_by == OFFICER
    assert await _ask(token_hub, keys, client_id) == 401
    assert f"client disabled: {client_id}" in caplog.text
    with pytest.raises(ClientChangeError, match="already disabled"):
        await standing.disable_client(token_hub.database, client_id, actor=OFFICER, reason="x")

    found = await standing.enable_client(
        token_hub.database, client_id, actor="officer.kim", reason="keys rotated"
    )
    assert not found.disabled and found.tokens_not_before is not None
    assert await _ask(token_hub, keys, client_id) == 200
    assert [(c.action, c.actor, c.reason) for c in found.changes] == [
        (ClientAction.DISABLED, OFFICER, "key reported leaked"),
        (ClientAction.ENABLED, "officer.kim", "keys rotated"),
    ]
    assert all(c.at.tzinfo is not None for c in found.changes)


async def test_a_removed_key_is_refused_at_once_and_the_others_still_work(
    token_hub: TokenHub,
) -> None:
    leaked, kept = ClientKeys.ed25519("lw-old"), ClientKeys.ed25519("lw-new")
    client_id = await token_hub.register(leaked)
    jwks = {"keys": [*leaked.public_jwks["keys"], *kept.public_jwks["keys"]]}
    await register_client(token_hub.database, code=client_id, jwks=jwks)
    assert await _ask(token_hub, leaked, client_id) == 200

    found = await standing.remove_client_key(
        token_hub.database, client_id, "lw-old", actor=OFFICER, reason="laptop stolen"
    )
    assert found.kids == ("lw-new",)
    assert found.changes[-1].kid == "lw-old"
    assert await _ask(token_hub, leaked, client_id) == 401
    assert await _ask(token_hub, kept, client_id) == 200

    with pytest.raises(ClientChangeError, match="last key of client"):
        await standing.remove_client_key(
            token_hub.database, client_id, "lw-new", actor=OFFICER, reason="x"
        )
    with pytest.raises(ClientChangeError, match=r"no key 'nope' \(its keys: lw-new\)"):
        await standing.remove_client_key(
            token_hub.database, client_id, "nope", actor=OFFICER, reason="x"
        )


async def test_changes_need_a_reason_and_a_known_client(token_hub: TokenHub) -> None:
    client_id = await token_hub.register(ClientKeys.ed25519())
    with pytest.raises(ClientChangeError, match="a reason is required"):
        await standing.disable_client(token_hub.database, client_id, actor=OFFICER, reason="  ")
    with pytest.raises(ClientNotFound, match="no client 'GHOST'"):
        await standing.disable_client(token_hub.database, "GHOST", actor=OFFICER, reason="x")
    with pytest.raises(ClientChangeError, match="is not disabled"):
        await standing.enable_client(token_hub.database, client_id, actor=OFFICER, reason="x")


async def test_registering_new_keys_does_not_enable_a_disabled_client(
    token_hub: TokenHub,
) -> None:
    client_id = await token_hub.register(ClientKeys.ed25519())
    await standing.disable_client(token_hub.database, client_id, actor=OFFICER, reason="leak")
    fresh = ClientKeys.ed25519()
    done = await register_client(token_hub.database, code=client_id, jwks=fresh.public_jwks)
    assert "stays disabled" in done.describe()
    assert await _ask(token_hub, fresh, client_id) == 401


def _principal(client_id: str, issued_at: int) -> Principal:
    return Principal("LOCAL_WELFARE", "kim.01", "t1", issued_at + 600, client_id=client_id,
                     issued_at=issued_at)  # fmt: skip


async def test_tokens_issued_before_a_client_was_switched_off_are_refused(
    token_hub: TokenHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = token_hub.database
    client_id = await token_hub.register(ClientKeys.ed25519())
    revocations = ClientRevocations(db, ttl_s=60)
    earlier = _principal(client_id, clock.now() - 5)
    await revocations.check(earlier)  # nothing switched off yet
    await standing.disable_client(db, client_id, actor=OFFICER, reason="leak")
    # Cached for a minute: the deciding process invalidates to apply it at once.
    await revocations.check(earlier)
    revocations.invalidate()
    with pytest.raises(InvalidToken, match=f"client disabled: {client_id}"):
        await revocations.check(earlier)

    await standing.enable_client(db, client_id, actor=OFFICER, reason="fixed")
    revocations.invalidate()
    with pytest.raises(InvalidToken, match="token revoked"):
        await revocations.check(earlier)
    later = clock.now() + 2
    await revocations.check(_principal(client_id, later))
    await revocations.check(Principal("LOCAL_WELFARE", "kim.01", "t2", later, issued_at=0))


async def test_the_cli_disables_enables_and_removes_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await prepare_database(fresh_url)
    database = Database.from_url(fresh_url)
    try:
        old, new = ClientKeys.ed25519("lw-a"), ClientKeys.ed25519("lw-b")
        jwks = {"keys": [*old.public_jwks["keys"], *new.public_jwks["keys"]]}
        await register_client(database, code="LOCAL_WELFARE", jwks=jwks)
        base = ["--client-id", "LOCAL_WELFARE", "--database-url", fresh_url]

        async def cli(*args: str) -> int:
            # `main` runs its own event loop: in a worker thread, beside the test's.
            return await asyncio.to_thread(main, [*args])

        assert await cli("agency", "remove-key", *base, "--kid", "lw-a", "--reason", "leak") == 0
        assert "with keys lw-b" in capsys.readouterr().out
        assert await cli("agency", "disable", *base, "--reason", "audit finding") == 0
        assert "disabled since" in capsys.readouterr().out
        assert await cli("agency", "disable", *base, "--reason", "again") == 2
        assert "already disabled" in capsys.readouterr().err
        assert await cli("agency", "enable", *base, "--reason", "cleared") == 0
        assert "(enabled)" in capsys.readouterr().out
        found = await standing.client_standing(database, "LOCAL_WELFARE")
    finally:
        await database.dispose()
    assert [c.action for c in found.changes] == [
        ClientAction.KEY_REMOVED, ClientAction.DISABLED, ClientAction.ENABLED
    ]  # fmt: skip
    assert all(c.actor.startswith("cli:") for c in found.changes)
