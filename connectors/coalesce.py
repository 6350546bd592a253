"""Merging concurrent requests' lookups of one source into one call.

Each agency request already asks each source once (its DataLoader batches
the request's persons). Under load many requests ask the same source at the
same moment, and each call costs the hub and the source far more CPU than
the persons in it (about 1 ms of the hub's CPU per HTTP call on the
development machine against microseconds per person). So a connector
merges lookups that ask exactly the same fields into one call:

* Light load adds no latency: a lookup waits only for the rest of the
  current loop turn, as a DataLoader batch does, and merges with what
  arrived in that turn (usually nothing).
* Under load it waits a little: once lookups of the source arrive, on a
  smoothed average, less than `window_s` apart
  (HUB_SOURCE_COALESCING_WINDOW_MS) and a call to it is in flight (requests
  overlap), so that company is expected within the window, a new call is
  held open that long for other requests' lookups to join. At lower rates,
  or for one request after another, nothing would join, and nothing waits.
  Measured with bench/load_test.py on the development machine (two
  workers, 8 sources, 192 requests in flight): 486 requests/s with a 5 ms
  window, 553 with 10 ms (the default), no change at 1 and 8 in flight.
* No wider fetch: only lookups asking the very same types and fields are
  merged, so no request causes a field to be fetched for another request's
  persons that the other did not ask for (consent and minimisation stay per
  request).
* Accountable at the source: the merged call carries every request's id in
  its `Hub-Request-Id` header, comma-separated (RFC 9110 list syntax).
* Each caller gets only its own persons back; a failure (after the
  source's retries) is every merged caller's failure; a caller that gives
  up (its request timed out) does not cancel the call for the others.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from connectors.smoothing import Smoothed
from hub.observability.logging import request_id_var

if TYPE_CHECKING:
    from connectors.base import FetchResult, FieldRequest

FieldsKey = tuple[tuple[str, tuple[str, ...]], ...]
#: Field requests whose key a coalescer remembers.
_MAX_KEYS = 1024


def fields_key(fields: FieldRequest) -> FieldsKey:
    """The same key for the same types and fields, whatever their order."""
    return tuple(sorted((name, tuple(sorted(names))) for name, names in fields.items()))


@dataclass
class _Batch:
    fields: FieldRequest
    subjects: dict[str, None] = field(default_factory=dict)  # ordered, without repeats
    request_ids: dict[str, None] = field(default_factory=dict)
    callers: int = 0
    future: asyncio.Future[FetchResult] | None = None


class Coalescer:
    """Merges one source's concurrent lookups of the same fields (see the module docstring)."""

    def __init__(
        self,
        call: Callable[[Sequence[str], FieldRequest], Awaitable[FetchResult]],
        max_batch: int,
        window_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call = call
        self._max_batch = max_batch
        self._window_s = window_s
        self._clock = clock
        self._last_arrival: float | None = None
        self._in_flight = 0
        # Time between lookups, smoothed: a lull or a burst of one or two
        # lookups does not switch waiting on or off.
        self._gap = Smoothed(unset=math.inf)
        self._open: dict[FieldsKey, _Batch] = {}
        # The same field request objects come back with every request of a
        # cached plan (FieldPlan.for_source): their key is worked out once.
        self._keys: dict[int, tuple[FieldRequest, FieldsKey]] = {}
        self._running: set[asyncio.Task[None]] = set()
        #: Calls made and lookups served, for tests and benchmarks.
        self.calls = 0
        self.lookups = 0

    async def fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Fetch `fields` of `subjects`, in a call shared with other lookups of this turn."""
        loop = asyncio.get_running_loop()
        key = self._key_of(fields)
        self._arrived()
        batch = self._open.get(key)
        if batch is None or len(batch.subjects) + len(subjects) > self._max_batch:
            batch = _Batch(fields, future=loop.create_future())
            self._open[key] = batch
            if self._in_flight and self.typical_gap_s < self._window_s:
                # Requests overlap and others are expected within the window:
                # hold the call open for them. (One client asking one request
                # after another also asks often, but nobody could ever join.)
                loop.call_later(self._window_s, self._dispatch, key, batch)
            else:
                loop.call_soon(self._dispatch, key, batch)
        for subject in subjects:
            batch.subjects[subject] = None
        request_id = request_id_var.get()
        if request_id is not None:
            batch.request_ids[request_id] = None
        batch.callers += 1
        self.lookups += 1
        assert batch.future is not None
        # shield: one caller giving up must not cancel the call for the others.
        result = await asyncio.shield(batch.future)
        return result if batch.callers == 1 else result.only(subjects)

    def _key_of(self, fields: FieldRequest) -> FieldsKey:
        known = self._keys.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        if len(self._keys) >= _MAX_KEYS:
            self._keys.clear()  # many one-off documents: start over rather than grow
        key = fields_key(fields)
        # The request object is kept with its key, so its id cannot be reused meanwhile.
        self._keys[id(fields)] = (fields, key)
        return key

    @property
    def typical_gap_s(self) -> float:
        """Smoothed time between lookups (seconds; infinite until two arrived)."""
        return self._gap.value

    def _arrived(self) -> None:
        now = self._clock()
        if self._last_arrival is not None:
            self._gap.add(now - self._last_arrival)
        self._last_arrival = now

    def _dispatch(self, key: FieldsKey, batch: _Batch) -> None:
        if self._open.get(key) is batch:
            del self._open[key]
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: _Batch) -> None:
        future = batch.future
        assert future is not None
        # Every merged request's id travels with the call (read by the connector).
        request_id_var.set(", ".join(batch.request_ids) or None)
        self.calls += 1
        self._in_flight += 1
        try:
            result = await self._call(list(batch.subjects), batch.fields)
        except asyncio.CancelledError:
            future.cancel()  # the hub is shutting down
            raise
        except Exception as exc:  # the callers see exactly what one caller would have
            if not future.done():
                future.set_exception(exc)
                # Retrieved here so that an error nobody waits for any more
                # (every caller timed out) is not reported as never retrieved.
                future.exception()
            return
        finally:
            self._in_flight -= 1
        if not future.done():
            future.set_result(result)
