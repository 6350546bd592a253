"""An httpcore network backend on plain asyncio streams, and an httpx transport using it.

Why: under load most of the hub's busy CPU went into httpx source calls, a
large share of it in httpcore's default (anyio) backend. httpcore's pool asks
every pooled connection `get_extra_info("is_readable")` for every request and
response; anyio answers through its typed-attribute machinery, which rebuilds
a dict of lambdas per call, before polling the socket. Here the answer comes
mostly from the StreamReader the event loop has already filled (EOF, error or
stray bytes), with one reused, non-blocking poll(2) as the last resort (see
encode/httpcore PR #928 for the upstream discussion).

Injecting the backend: httpx 0.28's `AsyncHTTPTransport` takes no
`network_backend`, so `AsyncioTransport` subclasses it and replaces its
httpcore pool (`_pool`) with one built on `AsyncioBackend`. The alternative,
an own `AsyncBaseTransport` owning the pool, would have to import the
request/response/exception mapping (`map_httpcore_exceptions`,
`AsyncResponseStream`) from the private module `httpx._transports.default` or
copy it and let it drift from httpx's; the subclass depends on one private
attribute name only, keeps httpx's own mapping code, and checks that
attribute at construction so an httpx upgrade that renames it fails loudly.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Awaitable, Iterable
from typing import Any

import httpcore
import httpx
from httpcore._utils import is_socket_readable

# The `timeout` parameters below (ruff's ASYNC109) are httpcore's interface.

#: httpcore's socket option tuple (`httpcore._backends.base.SOCKET_OPTION`).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)

_HAS_POLL = hasattr(select, "poll")


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as an asyncio StreamReader/StreamWriter pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        # Created on the first readability check and reused: that check runs
        # for every idle connection on every pool assignment.
        self._poll: select.poll | None = None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """Read up to `max_bytes`; b"" at end of stream."""
        try:
            if timeout is None:
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        # TimeoutError is an OSError: it must be caught first.
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Send `buffer`, waiting (within `timeout`) while the kernel's buffer is full."""
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if timeout is None:
                await self._writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            # RuntimeError: asyncio refuses writes on a transport closed under us.
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection without waiting for the peer.

        As anyio does: close (flushing what is buffered), yield once, then
        abort. Waiting for `wait_closed` could hang on a TLS peer that never
        answers the close_notify (asyncio's SSL shutdown waits 30 s).
        """
        transport = self._writer.transport
        self._writer.close()
        try:
            await asyncio.sleep(0)
        finally:
            # A no-op when the close already completed; always runs, even when
            # cancelled, so no transport is left open (and no ResourceWarning).
            transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        """Upgrade the connection to TLS in place; mapped as httpcore's anyio backend does."""
        try:
            if timeout is None:
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
            else:
                async with asyncio.timeout(timeout):
                    await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:  # ssl.SSLError (bad certificate ...) is an OSError
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            await self.aclose()
            raise
        # StreamWriter.start_tls swapped the writer's (and reader's) transport.
        return self

    def get_extra_info(self, info: str) -> Any:
        """The connection facts httpcore asks for; None for anything else."""
        if info == "is_readable":
            return self._is_readable()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            # asyncio's TransportSocket: the socket's fd and options, not its I/O.
            return self._writer.get_extra_info("socket")
        return None

    def _is_readable(self) -> bool:
        """Whether an idle connection has been closed or sent something (expired).

        The event loop reads every socket as soon as data arrives, so what the
        server did is nearly always visible in the StreamReader already; only
        a FIN or bytes that arrived since the loop last polled need a syscall.
        """
        reader = self._reader
        if reader.at_eof() or reader.exception() is not None:
            return True
        # Unread bytes on an idle connection: the server sent something
        # unsolicited. StreamReader has no public accessor for its buffer.
        if reader._buffer:  # type: ignore[attr-defined]
            return True
        # Also guards the poll below: a closed socket's fd may have been reused.
        if self._writer.transport.is_closing():
            return True
        if self._poll is None:
            sock = self._writer.get_extra_info("socket")
            if not _HAS_POLL or sock is None:  # pragma: no cover - not on Linux
                return is_socket_readable(sock)
            self._poll = select.poll()
            self._poll.register(sock.fileno(), select.POLLIN)
        return bool(self._poll.poll(0))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens `AsyncioStream`s with asyncio's stream API."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to `host:port` within `timeout`."""
        local_addr = (local_address, 0) if local_address is not None else None
        reader, writer = await _opened(
            asyncio.open_connection(host, port, local_addr=local_addr), timeout
        )
        # asyncio already sets TCP_NODELAY on TCP sockets; set it anyway, as
        # anyio does, so small requests never wait for Nagle.
        nodelay = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _configured(reader, writer, [nodelay, *(socket_options or ())])

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the Unix socket at `path` within `timeout`."""
        reader, writer = await _opened(asyncio.open_unix_connection(path), timeout)
        return _configured(reader, writer, list(socket_options or ()))

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop (httpcore's connect retries back off with this)."""
        await asyncio.sleep(seconds)


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP/1.1 transport with its httpcore pool on `AsyncioBackend`.

    Configured like the transport httpx.AsyncClient builds from `verify` and
    `limits` (no HTTP/2, no connect retries); proxies stay a client matter.
    """

    def __init__(self, *, verify: ssl.SSLContext, limits: httpx.Limits, retries: int = 0) -> None:
        super().__init__(verify=verify, limits=limits, http1=True, http2=False, retries=retries)
        # The one private name we rely on (see the module docstring).
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("httpx.AsyncHTTPTransport no longer keeps its pool in `_pool`")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=retries,
            network_backend=AsyncioBackend(),
        )


async def _opened(
    opening: Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    timeout: float | None,  # noqa: ASYNC109
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The connection `opening` makes within `timeout`, failures as httpcore's errors."""
    try:
        async with asyncio.timeout(timeout):
            return await opening
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc


def _configured(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, options: list[SocketOption]
) -> AsyncioStream:
    """The stream, its socket options set (a refused option closes the connection)."""
    sock = writer.get_extra_info("socket")
    try:
        for option in options:
            sock.setsockopt(*option)
    except OSError as exc:
        writer.transport.abort()
        raise httpcore.ConnectError(str(exc)) from exc
    return AsyncioStream(reader, writer)
