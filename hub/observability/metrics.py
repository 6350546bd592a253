"""Prometheus metrics, one registry per app so several apps (tests) never collide.

Nothing personal is ever a label: endpoints are route paths, sources and
error codes come from the catalog and the hub's own vocabulary.

Limit: the registry lives in the process; with several worker processes each
exposes its own counters at `/metrics` (prometheus_client's multiprocess mode
is not wired up), so scrape every process or run one per container.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

#: Error codes that mean the access policy or the person's consent said no.
REFUSAL_CODES = frozenset({"POLICY_REFUSED", "CONSENT_REQUIRED"})

#: The metrics of the app serving the current request (set by the middleware).
current_metrics: ContextVar[HubMetrics | None] = ContextVar("hub_metrics", default=None)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)


class HubMetrics:
    """The hub's metrics on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "hub_http_requests",
            "HTTP requests served, by endpoint (route path) and status.",
            ["endpoint", "status"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "hub_http_request_duration_seconds",
            "Time to serve an HTTP request, by endpoint.",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.source_calls = Counter(
            "hub_source_calls",
            "Batched calls to source institutions, by source.",
            ["source"],
            registry=registry,
        )
        self.source_errors = Counter(
            "hub_source_errors",
            "Failed source calls, by source and error code.",
            ["source", "code"],
            registry=registry,
        )
        self.source_seconds = Histogram(
            "hub_source_call_duration_seconds",
            "Time of one batched source call, by source.",
            ["source"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.breaker_state = Gauge(
            "hub_source_breaker_state",
            "1 for each source's current circuit-breaker state (refreshed at scrape).",
            ["source", "state"],
            registry=registry,
        )
        # The coalescers keep their own running counts; exported at scrape
        # as a counter (monotonic per process) so rate() works on it.
        self._sent_calls: Callable[[], Mapping[str, int]] = dict
        registry.register(_SentCalls(lambda: self._sent_calls()))
        self.audit_commit_seconds = Histogram(
            "hub_audit_commit_duration_seconds",
            "Time to commit one group-commit batch of access-log entries.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.audit_batch_entries = Histogram(
            "hub_audit_batch_entries",
            "Entries per committed access-log batch.",
            buckets=_BATCH_BUCKETS,
            registry=registry,
        )
        self.audit_failures = Counter(
            "hub_audit_commit_failures",
            "Access-log batches that could not be committed (their requests got 503).",
            registry=registry,
        )
        self.graphql_errors = Counter(
            "hub_graphql_errors",
            "Errors the hub raised into GraphQL responses, by code.",
            ["code"],
            registry=registry,
        )
        self.policy_refusals = Counter(
            "hub_policy_refusals",
            "Policy and consent refusals (POLICY_REFUSED, CONSENT_REQUIRED), by code.",
            ["code"],
            registry=registry,
        )

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        """One HTTP request served."""
        self.requests.labels(endpoint, str(status)).inc()
        self.request_seconds.labels(endpoint).observe(seconds)

    def observe_source_call(self, source: str, seconds: float, error: str | None) -> None:
        """One batched source call, failed with code `error` or not."""
        self.source_calls.labels(source).inc()
        self.source_seconds.labels(source).observe(seconds)
        if error is not None:
            self.source_errors.labels(source, error).inc()

    def observe_audit_batch(self, entries: int, seconds: float, ok: bool) -> None:
        """One access-log batch written (or not); AuditWriter's hook."""
        if ok:
            self.audit_commit_seconds.observe(seconds)
            self.audit_batch_entries.observe(entries)
        else:
            self.audit_failures.inc()

    def observe_error(self, code: str) -> None:
        """The hub raised an error of `code` into a GraphQL response."""
        self.graphql_errors.labels(code).inc()
        if code in REFUSAL_CODES:
            self.policy_refusals.labels(code).inc()

    def set_breaker_states(self, states: Mapping[str, str]) -> None:
        """Replace the breaker gauge with the sources' current states."""
        self.breaker_state.clear()
        for source, state in states.items():
            self.breaker_state.labels(source, state).set(1)

    def watch_sent_calls(self, counts: Callable[[], Mapping[str, int]]) -> None:
        """Read each source's running count of calls actually sent from `counts` at scrape."""
        self._sent_calls = counts

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


class _SentCalls(Collector):
    """`hub_source_sent_calls_total`: calls sent to each source, after merging."""

    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self._counts = counts

    def describe(self) -> Iterator[CounterMetricFamily]:
        """The family without samples, so registering does not call `counts`."""
        yield self._family()

    def collect(self) -> Iterator[CounterMetricFamily]:
        """The family with each source's current count."""
        family = self._family()
        for source, calls in sorted(self._counts().items()):
            family.add_metric([source], calls)
        yield family

    @staticmethod
    def _family() -> CounterMetricFamily:
        return CounterMetricFamily(
            "hub_source_sent_calls",
            "Calls this process has sent to each source; concurrent requests' lookups of "
            "the same fields share one, so this is at most hub_source_calls_total, which "
            "counts the requests' lookups.",
            labels=["source"],
        )


def count_error(code: str) -> None:
    """Count an error raised while serving a request (no-op outside one)."""
    metrics = current_metrics.get()
    if metrics is not None:
        metrics.observe_error(code)
