"""`python -m simulator` as an operator starts it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import httpx


def test_delay_option_applies_to_every_http_source() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--size", "300", "--delay-ms", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = None
        deadline = time.monotonic() + 60
        while base_url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            match = re.search(r"simulated sources at (http://\S+)", line)
            base_url = match.group(1) if match else None
        assert base_url, "the simulator did not announce its address"
        for _ in range(50):
            try:
                faults = httpx.get(f"{base_url}/_sim/faults", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert "NTS" in faults
        assert {f["delay_ms"] for f in faults.values()} == {40}
        assert "SSIS" not in faults, "the SQL source is not served over HTTP"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
