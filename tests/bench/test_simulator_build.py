"""The simulated-world build benchmark runs and prints its table."""

from __future__ import annotations

import pytest

from bench import simulator_build


def test_quick_run_prints_both_steps(capsys: pytest.CaptureFixture[str]) -> None:
    # No timing assertions: the benchmark reports times, the suite checks it runs.
    assert simulator_build.main(["--quick"]) == 0
    out = capsys.readouterr().out
    build = next(line for line in out.splitlines() if "build the population" in line)
    seed = next(line for line in out.splitlines() if "seed the SQL source" in line)
    assert f"{simulator_build.QUICK_PERSONS:,}" in build
    assert f"{simulator_build.QUICK_SEED_PERSONS:,}" in seed
