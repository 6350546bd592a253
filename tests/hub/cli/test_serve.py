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

from hub.cli.serve import build_example
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
        example = build_example(Settings(data_dir=tmp_path / "var"), "127.0.0.1", hub_port)
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
