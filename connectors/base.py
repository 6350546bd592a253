"""The one interface every source connector implements, and what it returns."""

from __future__ import annotations

import abc
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.coalesce import Coalescer
from connectors.errors import SourceError, SourceInvalidData, SourceUnavailable
from connectors.resilience import BreakerReport, CircuitBreaker, ResilientCaller, RetryPolicy
from connectors.smoothing import Smoothed
from hub.catalog.model import Catalog, Source, Transport
from hub.settings import Settings

#: What the hub asks of a source in one call: info type name -> field names.
FieldRequest = Mapping[str, Sequence[str]]

#: The key beside a record's fields holding the date (`YYYY-MM-DD`) the source
#: last established or updated that record (docs/sources.md). Every record
#: carries it, whichever fields were asked for; connectors pass it through
#: unchecked, and the hub judges it per type like any other value. The
#: underscore keeps it apart from the fields, which are camelCase (one is
#: even called `asOf`: the reference date of a balance, not of the record).
AS_OF = "_asOf"

__all__ = [
    "AS_OF",
    "BaseConnector",
    "FetchResult",
    "FieldRequest",
    "SourceError",
    "SourceInvalidData",
    "SourceUnavailable",
]


@dataclass(slots=True)
class FetchResult:
    """A source's answer for a batch of persons.

    `records[rrn][info_type]` is the raw record (dict), list of records, or
    None; each record holds the requested fields and the source's `AS_OF`
    date. `unknown` holds the persons the source has never heard of.
    """

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)

    def only(self, subjects: Iterable[str]) -> FetchResult:
        """The part of this answer about `subjects` (a call may have served several requests)."""
        wanted = set(subjects)
        return FetchResult(
            records={s: self.records[s] for s in wanted if s in self.records},
            unknown=self.unknown & wanted,
        )


class BaseConnector(abc.ABC):
    """Fetches information types of one source for many persons at once.

    A connector fetches exactly the types and fields it is asked for; the hub
    has already decided what may be asked. It raises SourceError subclasses,
    never transport-specific exceptions, so one source failing is reported
    the same way whatever the transport.

    Subclasses implement one attempt, `_fetch`; the public `fetch` wraps it
    in the source's time budget, bounded retries and circuit breaker
    (`connectors.resilience`), so every transport gets the same fault
    behaviour. Lookups are idempotent reads, which is what makes retrying
    them safe.
    """

    def __init__(self, source: Source, catalog: Catalog, settings: Settings) -> None:
        self.source = source
        self.catalog = catalog
        self.settings = settings
        sql = source.transport is Transport.SQL
        self.resilience = ResilientCaller(
            source.code,
            settings.source_timeout(source.code, sql=sql),
            RetryPolicy(
                attempts=settings.retries_for(source.code, sql=sql) + 1,
                base_delay_s=settings.source_retry_backoff_s,
            ),
            CircuitBreaker(
                settings.breaker_failures_for(source.code, sql=sql),
                settings.breaker_cooldown_for(source.code, sql=sql),
            ),
        )
        # This source's successful calls' duration, smoothed (see `slowest_first`).
        self._latency = Smoothed(unset=0.0)
        # Concurrent requests' lookups of the same fields share a call (connectors.coalesce).
        batch = settings.source_batch_size
        window = settings.source_coalescing_window_ms / 1000
        self.coalescer = (
            Coalescer(self._call, batch, window) if settings.source_coalescing else None
        )

    @property
    def typical_latency_s(self) -> float:
        """Smoothed duration of this source's successful calls (seconds; 0 until one)."""
        return self._latency.value

    @property
    def code(self) -> str:
        """The source's code, e.g. `NTS`."""
        return self.source.code

    async def fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Fetch `fields` of each person in `subjects` (registration numbers).

        Fails within the source's timeout with SourceUnavailable (after any
        retries, or at once while the breaker is open) or SourceInvalidData.
        """
        if self.coalescer is not None:
            return await self.coalescer.fetch(subjects, fields)
        return await self._call(subjects, fields)

    async def _call(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """One call to the source (with its retries), timed for `typical_latency_s`."""
        started = time.perf_counter()
        result = await self.resilience.call(lambda: self._fetch(subjects, fields))
        self._latency.add(time.perf_counter() - started)
        return result

    @abc.abstractmethod
    async def _fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """One attempt at `fetch`; raise SourceUnavailable(retryable=True) for transient faults."""

    def breaker_state(self) -> str:
        """The source's circuit breaker: "closed", "open" or "half_open"."""
        return self.resilience.breaker.state.value

    def breaker_report(self) -> BreakerReport:
        """The source's breaker and recent failures, for /readyz."""
        return self.resilience.breaker.report()

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most connectors hold nothing
        """Release pooled connections; called when the app shuts down."""

    def check_result(self, subjects: Sequence[str], fields: FieldRequest, raw: Any) -> FetchResult:
        """Validate a decoded answer against the request, in the protocol's shape.

        Every asked-for person must be either in `records` or in `unknown`,
        and every record must carry each requested type with the right
        cardinality; anything else is SourceInvalidData.
        """
        if not isinstance(raw, dict):
            raise SourceInvalidData(self.code, "answer is not a JSON object")
        records, unknown = raw.get("records"), raw.get("unknown", [])
        if not isinstance(records, dict) or not isinstance(unknown, list):
            raise SourceInvalidData(self.code, "answer lacks `records` or `unknown`")
        result = FetchResult(unknown={u for u in unknown if isinstance(u, str)})
        for rrn in subjects:
            if rrn in result.unknown:
                continue
            person = records.get(rrn)
            if not isinstance(person, dict):
                raise SourceInvalidData(self.code, "a requested person is missing from the answer")
            for type_name in fields:
                if type_name not in person:
                    raise SourceInvalidData(self.code, f"answer lacks type {type_name}")
                value = person[type_name]
                many = self.catalog.info_type(type_name).many
                if many and not isinstance(value, list):
                    raise SourceInvalidData(self.code, f"{type_name} must be a list")
                if not many and value is not None and not isinstance(value, dict):
                    raise SourceInvalidData(self.code, f"{type_name} must be an object or null")
            result.records[rrn] = person
        return result


def slowest_first(connectors: Mapping[str, BaseConnector], codes: Iterable[str]) -> list[str]:
    """`codes` ordered by their sources' typical latency, slowest first (then by code).

    One request's calls to several sources go out one after another from
    one event loop, each costing the hub some CPU to send; sending the
    slowest first lets it start its wait earliest, so the request ends
    close to the slowest source's own latency instead of after it plus the
    sending of all the others.
    """
    return sorted(codes, key=lambda code: (-connectors[code].typical_latency_s, code))
