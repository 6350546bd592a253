"""The cost of deciding fields under a policy, per field and per operation.

Decisions are compiled when a policy version activates, so a per-field
decision should cost about what a dictionary lookup costs. This benchmark
times the compiled decision against that floor (a plain set membership test
over the same fields), measured in the same run, and the minimisation
transforms against returning the value unchanged.

Run: `python -m bench.policy_decision [--rounds N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable, Sequence

from bench._stats import format_table
from hub.catalog import load_catalog
from policies import transforms
from policies.compiled import CompiledGrant, compile_policy
from policies.document import read_baseline
from policies.transforms import TransformContext


def _per_call_ns(work: Callable[[], object], calls_per_round: int, rounds: int) -> float:
    """Best-of-rounds nanoseconds per call (the minimum is the least disturbed estimate)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        work()
        best = min(best, (time.perf_counter_ns() - start) / calls_per_round)
    return best


def _largest_grant() -> CompiledGrant:
    policy = compile_policy(read_baseline(), load_catalog(), 1)
    return max(policy.grants.values(), key=lambda g: sum(map(len, g.releases.values())))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the decision and transform costs with their in-run baselines."""
    parser = argparse.ArgumentParser(prog="python -m bench.policy_decision")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a few rounds, for a smoke run")
    parser.add_argument("--requests", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else args.rounds

    grant = _largest_grant()
    selected = {t: set(releases) for t, releases in grant.releases.items()}
    pairs = [(t, f) for t, names in selected.items() for f in sorted(names)]
    flat = frozenset(f"{t}.{f}" for t, f in pairs)
    keys = [f"{t}.{f}" for t, f in pairs]

    def decide_each() -> None:
        for t, f in pairs:
            grant.allows(t, f)

    def floor_each() -> None:
        for key in keys:
            _ = key in flat

    decide_ns = _per_call_ns(decide_each, len(pairs), rounds)
    floor_ns = _per_call_ns(floor_each, len(pairs), rounds)
    operation_ns = _per_call_ns(lambda: grant.refused(selected), 1, rounds)

    ctx = TransformContext(pseudonym_key=b"k" * 32, today=dt.date(2026, 11, 26))
    samples: list[tuple[str, object]] = [
        ("income_band", 43_000_000),
        ("asset_band", 270_000_000),
        ("year", dt.date(1985, 3, 14)),
        ("age_years", dt.date(1985, 3, 14)),
        ("rrn_mask", "8503142123456"),
        ("is_severe", "SEVERE"),
        ("agency_pseudonym", "12GA3456"),
    ]
    rows = [
        [f"decide one field ({grant.agency}/{grant.purpose})", f"{decide_ns:.0f}"],
        ["floor: set membership of the same field", f"{floor_ns:.0f}"],
        [f"decide a whole operation ({len(pairs)} fields)", f"{operation_ns:.0f}"],
    ]

    def transform_100(name: str, value: object) -> Callable[[], object]:
        return lambda: [transforms.apply(name, value, ctx) for _ in range(100)]

    identity_ns = _per_call_ns(lambda: [v for _, v in samples for _ in range(100)], 700, rounds)
    for name, value in samples:
        cost = _per_call_ns(transform_100(name, value), 100, rounds)
        rows.append([f"transform {name}", f"{cost:.0f}"])
    rows.append(["floor: pass the value through", f"{identity_ns:.0f}"])
    print("policy decision cost (best of rounds, nanoseconds per call)")
    print(format_table(["operation", "ns"], rows))
    print(f"ratio decision/floor per field: {decide_ns / floor_ns:.2f}x")
    print(f"decision per {len(pairs)}-field operation: {operation_ns / 1000:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
