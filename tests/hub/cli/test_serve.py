"""`ssis-hub serve --with-sources` on a fresh data directory: the README's first command."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hub.cli.serve import build_example, development_public_url
from hub.settings import MAX_ACCESS_TOKEN_TTL_S, Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_the_printed_example(tmp_path: Path) -> None:
    hub_port, sources_port = _free_port(), _free_port()
    env = {**os.environ, "HUB_DATA_DIR": str(tmp_path / "var")}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "hub.cli.main",
            "serve",
            "--with-sources",
            "--port",
            str(hub_port),
            "--sources-port",
            str(sources_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{hub_port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        # The hub's public URL (its tokens' issuer) follows --port in development.
        settings = development_public_url(
            Settings(data_dir=tmp_path / "var"), "127.0.0.1", hub_port
        )
        example = build_example(settings, "127.0.0.1", hub_port)
        response = httpx.post(example.url, headers=example.headers, json=example.body, timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        person = body["data"]["person"]
        assert person["residentRegistration"]["name"]
        assert len(person["household"]["members"]) > 2
        assert (tmp_path / "var" / "hub.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
    # Stopping the hub stops the simulated sources it started.
    time.sleep(0.5)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", sources_port)) != 0


def test_the_printed_token_lives_no_longer_than_any_access_token(tmp_path: Path) -> None:
    example = build_example(Settings(data_dir=tmp_path / "var"), "127.0.0.1", 8000)
    token = example.headers["Authorization"].removeprefix("Bearer ")
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] - claims["iat"] <= MAX_ACCESS_TOKEN_TTL_S


def _wait_healthy(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"the hub did not answer on port {port} within 90 s")


def test_serve_on_a_fresh_data_dir_advertises_its_own_port(tmp_path: Path) -> None:
    # A data directory (and parents) that does not exist, and a hub database
    # elsewhere, so that nothing creates the directory by the way: the
    # simulated SQL source used to fail on it ("exited with status 1").
    hub_port, sources_port = _free_port(), _free_port()
    data_dir = tmp_path / "fresh" / "nested" / "var"
    env = {
        **os.environ,
        "HUB_DATA_DIR": str(data_dir),
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db' / 'hub.db'}",
    }
    env.pop("HUB_PUBLIC_URL", None)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "hub.cli.main",
            "serve",
            "--with-sources",
            "--port",
            str(hub_port),
            "--sources-port",
            str(sources_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        _wait_healthy(process, hub_port)
        base = f"http://127.0.0.1:{hub_port}"
        metadata = httpx.get(f"{base}/.well-known/oauth-authorization-server", timeout=5).json()
        assert metadata["issuer"] == base
        assert metadata["token_endpoint"] == f"{base}/oauth/token"
        # Another shell: dev-token learns the issuer from the running hub.
        minted = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "hub.cli.main",
                "dev-token",
                "--agency",
                "LOCAL_WELFARE",
                "--official",
                "kim.01",
                "--port",
                str(hub_port),
            ],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        example = build_example(Settings(data_dir=data_dir), "127.0.0.1", hub_port)
        headers = {**example.headers, "Authorization": f"Bearer {minted.stdout.strip()}"}
        response = httpx.post(example.url, headers=headers, json=example.body, timeout=10)
        assert response.status_code == 200, response.text
        assert (data_dir / "ssis-source.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
