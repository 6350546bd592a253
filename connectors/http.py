"""Connector for sources that run an HTTP lookup service (docs/sources.md)."""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Sequence

import certifi
import httpx

from connectors.base import (
    BaseConnector,
    FetchResult,
    FieldRequest,
    SourceInvalidData,
    SourceUnavailable,
)
from connectors.netbackend import AsyncioTransport
from connectors.registry import register
from hub.catalog.model import Catalog, Source
from hub.observability.logging import request_id_var
from hub.settings import Settings


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Building a TLS context costs ~30 ms; one per process serves every
    # source's client (they verify against the same trust store).
    return ssl.create_default_context(cafile=certifi.where())


#: Answers a retry may cure: the source or a gateway in front of it failed
#: transiently. 500 is included because lookups are idempotent reads and
#: services answer 500 for passing faults (lost database connections ...);
#: 4xx are the hub's own mistakes and never retried.
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})

#: The agency request a source call serves, so a ministry can match its own
#: logs with the hub's access log (the same header the hub replies with).
REQUEST_ID_HEADER = "Hub-Request-Id"


class HttpConnector(BaseConnector):
    """POSTs a batch lookup to `{url}/v1/lookup` over a pooled, bounded client."""

    def __init__(
        self,
        source: Source,
        catalog: Catalog,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(source, catalog, settings)
        entry = settings.source(source.code)
        self.url = entry.url.rstrip("/") + "/v1/lookup"
        headers = {"Accept": "application/json"}
        if entry.credential is not None:
            headers["Authorization"] = f"Bearer {entry.credential.get_secret_value()}"
        limit = settings.source_max_connections
        timeout = settings.source_timeout(source.code)
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        if transport is None:
            # httpx's own transport on an asyncio network backend: anyio's
            # per-call socket checks were a large share of the hub's CPU.
            transport = AsyncioTransport(verify=_tls_context(), limits=limits)
        self._client = httpx.AsyncClient(
            headers=headers,
            verify=_tls_context(),
            # The pool timeout bounds how long a call waits for one of the
            # `limit` connections, so a burst queues for at most the call's
            # budget (the caller's overall deadline cuts it shorter still).
            timeout=httpx.Timeout(timeout, pool=timeout),
            limits=limits,
            transport=transport,
        )

    async def _fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Look up the persons in one call; see BaseConnector.fetch."""
        body = {"subjects": list(subjects), "types": {t: list(f) for t, f in fields.items()}}
        # Read at call time: the client is shared by every request, and a
        # DataLoader's batch runs in the context of the request that filled it.
        request_id = request_id_var.get()
        headers = {REQUEST_ID_HEADER: request_id} if request_id is not None else None
        try:
            response = await self._client.post(self.url, json=body, headers=headers)
        except httpx.PoolTimeout:
            # Our own pool is saturated: retrying would only add to the queue.
            raise SourceUnavailable(self.code, "connection pool exhausted") from None
        except httpx.TimeoutException:
            raise SourceUnavailable(self.code, "timed out", retryable=True) from None
        except httpx.TransportError as exc:
            raise SourceUnavailable(
                self.code, f"unreachable ({type(exc).__name__})", retryable=True
            ) from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(self.code, f"unreachable ({type(exc).__name__})") from None
        if response.status_code != httpx.codes.OK:
            raise SourceUnavailable(
                self.code,
                f"answered HTTP {response.status_code}",
                retryable=response.status_code in RETRYABLE_STATUS,
            )
        try:
            raw = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SourceInvalidData(self.code, "answer is not JSON") from None
        return self.check_result(subjects, fields, raw)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


@register("http", "https")
def _http(source: Source, catalog: Catalog, settings: Settings) -> BaseConnector:
    return HttpConnector(source, catalog, settings)
