"""Run every benchmark: `python -m bench [options passed to each]`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Protocol

from bench import audit_throughput, load_test, policy_decision, request_overhead, simulator_build


class Benchmark(Protocol):
    """A benchmark module: `main(argv)` prints its report and returns an exit status."""

    def main(self, argv: Sequence[str] | None = None) -> int:
        """Run with command-line arguments `argv`."""
        ...


#: The load test comes last: it runs real processes for about two minutes
#: (`--quick`: about 15 s) and needs PostgreSQL (without it, it reports a skip).
BENCHMARKS: tuple[Benchmark, ...] = (
    policy_decision,
    request_overhead,
    audit_throughput,
    simulator_build,
    load_test,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run each benchmark in turn; the worst exit status wins."""
    status = 0
    for benchmark in BENCHMARKS:
        print(f"== {getattr(benchmark, '__name__', benchmark)} ==", flush=True)
        status = max(status, benchmark.main(argv))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
