"""The request-overhead benchmark runs end to end and compares like with like."""

from __future__ import annotations

from pathlib import Path

from bench.request_overhead import QUICK, report, run


async def test_quick_run_compares_equal_answers(tmp_path: Path) -> None:
    # No timing assertions: times depend on the machine; the benchmark reports ratios.
    result = await run(QUICK, tmp_path)
    assert result.hub_answer == result.bare_answer
    assert result.hub_answer["person"] is not None
    assert result.workload.field_count >= 50
    assert result.hub.requests == result.bare.requests == QUICK.requests
    assert result.ratio_median > 0
    assert result.ratio_mean > 0
    assert report(result).splitlines()[-1].startswith("ratio hub/bare (median): ")
