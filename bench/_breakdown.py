"""Where a hub request's time goes, measured in a separate, instrumented pass.

The hub's phases are timed by wrapping the functions that implement them for
the duration of the pass (and restoring them after). The wrappers cost a few
hundred nanoseconds each, which is why this never runs during the timed
rounds. The wrapped phases do not nest, so "everything else" is the request
time minus their sum: HTTP/ASGI handling, strawberry's execution and
serialisation, the loaders and the resolvers' own work.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from unittest import mock

import hub.auth.graphql_view
import schema.view
from bench._stats import format_table
from connectors.base import BaseConnector
from hub.audit.access_log import commit_access
from hub.auth.tokens import verify_token
from policies.compiled import CompiledGrant
from schema.info_types import RecordDecoder
from schema.plan import PlanCache

P = ParamSpec("P")
R = TypeVar("R")

OTHER = "everything else"
POLICY = "policy decision"


@dataclass
class PhaseTimes:
    """Nanoseconds spent per phase, summed over the pass's requests."""

    phases: dict[str, int] = field(default_factory=dict)
    total_ns: int = 0
    requests: int = 0

    def add(self, phase: str, ns: int) -> None:
        """Count `ns` towards `phase`."""
        self.phases[phase] = self.phases.get(phase, 0) + ns

    def per_request_ms(self) -> dict[str, float]:
        """Mean milliseconds per request by phase, the remainder under OTHER."""
        if not self.requests:
            return {}
        out = {name: ns / self.requests / 1e6 for name, ns in self.phases.items()}
        out[OTHER] = (self.total_ns - sum(self.phases.values())) / self.requests / 1e6
        return out

    def table(self) -> str:
        """The breakdown as a table of mean ms and share of the request."""
        per_request = self.per_request_ms()
        total = self.total_ns / self.requests / 1e6 if self.requests else 0.0
        rows = [
            [name, f"{ms:.3f}", f"{100 * ms / total:.1f}%" if total else "-"]
            for name, ms in per_request.items()
        ]
        rows.append(["total (instrumented)", f"{total:.3f}", "100.0%"])
        return format_table(["hub phase", "mean ms", "share"], rows)


def _timed(fn: Callable[P, R], times: PhaseTimes, phase: str) -> Callable[P, R]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter_ns()
        try:
            return fn(*args, **kwargs)
        finally:
            times.add(phase, time.perf_counter_ns() - start)

    return wrapper


def _timed_async(
    fn: Callable[P, Awaitable[R]], times: PhaseTimes, phase: str
) -> Callable[P, Coroutine[Any, Any, R]]:
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter_ns()
        try:
            return await fn(*args, **kwargs)
        finally:
            times.add(phase, time.perf_counter_ns() - start)

    return wrapper


@contextmanager
def instrument_hub(connectors: Mapping[str, BaseConnector]) -> Iterator[PhaseTimes]:
    """Time the hub's phases while the block runs; the caller adds totals and requests."""
    times = PhaseTimes()
    with ExitStack() as stack:
        # The views call these through their modules' globals (imported by
        # name), so those are the attributes to replace.
        stack.enter_context(
            mock.patch.object(
                hub.auth.graphql_view, "verify_token", _timed(verify_token, times, "auth")
            )
        )
        stack.enter_context(
            mock.patch.object(PlanCache, "plan", _timed(PlanCache.plan, times, "plan (cached)"))
        )
        stack.enter_context(
            mock.patch.object(
                schema.view,
                "commit_access",
                _timed_async(commit_access, times, "access-log commit"),
            )
        )
        stack.enter_context(
            mock.patch.object(
                RecordDecoder, "decode", _timed(RecordDecoder.decode, times, "record decoding")
            )
        )
        stack.enter_context(
            mock.patch.object(
                CompiledGrant, "refused", _timed(CompiledGrant.refused, times, POLICY)
            )
        )
        for connector in connectors.values():
            # The attempt itself, not `fetch`: a fetch waits for its loop turn
            # (calls are merged across requests), so fetches overlap in time.
            attempt = _timed_async(connector._fetch, times, "source fetch (record generation)")
            stack.enter_context(mock.patch.object(connector, "_fetch", attempt))
        yield times
