"""The asyncio network backend (connectors/netbackend.py) against real local servers."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpcore
import httpx
import pytest
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.base import SourceUnavailable
from connectors.http import HttpConnector, _tls_context
from connectors.netbackend import AsyncioBackend, AsyncioStream, AsyncioTransport
from hub.catalog import Catalog
from hub.settings import Settings
from simulator.harness import SimulatorServer
from simulator.population import Population

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4)
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


@dataclass
class Server:
    """A tiny HTTP/1.1 server: answers OK to each request, counts connections.

    `close_after_answer` closes the connection after each answer without
    saying so (no `Connection: close`), as a server's idle timeout would;
    `silent` accepts requests and never answers.
    """

    close_after_answer: bool = False
    silent: bool = False
    connections: int = 0
    answered: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection."""
        self.connections += 1
        self.writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if self.silent:
                    continue
                writer.write(OK)
                await writer.drain()
                self.answered += 1
                if self.close_after_answer:
                    return
        finally:
            writer.close()
            self.writers.discard(writer)
            self.closed.set()


@asynccontextmanager
async def serving(server: Server, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """Serve `server` on a free loopback port (yielded); close everything after."""
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=ssl_context)
    try:
        yield listener.sockets[0].getsockname()[1]
    finally:
        listener.close()
        for writer in list(server.writers):
            writer.transport.abort()
        await listener.wait_closed()
        await asyncio.sleep(0.01)  # let the handlers finish


@asynccontextmanager
async def client(
    verify: ssl.SSLContext | None = None, timeout_s: float = 5.0
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the asyncio transport (configured as HttpConnector does)."""
    transport = AsyncioTransport(verify=verify or _tls_context(), limits=LIMITS)
    async with httpx.AsyncClient(transport=transport, timeout=timeout_s) as http:
        yield http


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_round_trip_against_the_simulator(
    sources: SimulatorServer, population: Population, catalog: Catalog
) -> None:
    """HttpConnector's default transport fetches from the simulator over real HTTP."""
    rrn = population.sample_rrns(1)[0]
    settings = Settings(simulator_url=sources.base_url)
    connector = HttpConnector(catalog.source("NTS"), catalog, settings)
    try:
        assert isinstance(connector._client._transport, AsyncioTransport)
        result = await connector.fetch([rrn], {"earnedIncome": ["annualAmount"]})
        assert result
    finally:
        await connector.aclose()


def test_the_transport_pool_runs_on_the_asyncio_backend() -> None:
    """Guards the one private httpx name the transport relies on (`_pool`)."""
    transport = AsyncioTransport(verify=_tls_context(), limits=LIMITS)
    assert isinstance(transport._pool, httpcore.AsyncConnectionPool)
    assert isinstance(transport._pool._network_backend, AsyncioBackend)


async def test_sequential_calls_reuse_one_connection() -> None:
    server = Server()
    async with serving(server) as port, client() as http:
        for _ in range(5):
            response = await http.post(f"http://127.0.0.1:{port}/", content=b"{}")
            assert response.text == "ok"
    assert server.connections == 1
    assert server.answered == 5


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    server = Server(close_after_answer=True)
    async with serving(server) as port, client() as http:
        for _ in range(3):
            server.closed.clear()
            response = await http.post(f"http://127.0.0.1:{port}/", content=b"{}")
            assert response.text == "ok"
            await server.closed.wait()
    assert server.connections == 3


@pytest.fixture
async def pair() -> AsyncIterator[tuple[AsyncioStream, socket.socket]]:
    """An AsyncioStream and the raw socket at its other end."""
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    stream = AsyncioStream(reader, writer)
    try:
        yield stream, theirs
    finally:
        theirs.close()
        await stream.aclose()


async def test_an_idle_open_connection_is_not_readable(
    pair: tuple[AsyncioStream, socket.socket],
) -> None:
    stream, _ = pair
    await asyncio.sleep(0.01)
    assert stream.get_extra_info("is_readable") is False


async def test_a_peer_close_is_seen_before_and_after_the_loop_reads_it(
    pair: tuple[AsyncioStream, socket.socket],
) -> None:
    stream, theirs = pair
    theirs.close()
    # Not yet read by the event loop: found by polling the socket.
    assert stream.get_extra_info("is_readable") is True
    await asyncio.sleep(0.01)
    # Read by the event loop: found as EOF on the StreamReader.
    assert stream._reader.at_eof()
    assert stream.get_extra_info("is_readable") is True


async def test_unsolicited_bytes_make_an_idle_connection_readable(
    pair: tuple[AsyncioStream, socket.socket],
) -> None:
    stream, theirs = pair
    theirs.sendall(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    assert stream.get_extra_info("is_readable") is True
    await asyncio.sleep(0.01)
    assert stream.get_extra_info("is_readable") is True  # now from the reader's buffer


async def test_stream_reads_writes_and_reports_addresses(
    pair: tuple[AsyncioStream, socket.socket],
) -> None:
    stream, theirs = pair
    await stream.write(b"ping", timeout=1.0)
    assert theirs.recv(4) == b"ping"
    theirs.sendall(b"pong")
    assert await stream.read(10, timeout=1.0) == b"pong"
    assert stream.get_extra_info("socket") is not None
    assert stream.get_extra_info("ssl_object") is None
    assert stream.get_extra_info("unknown") is None
    with pytest.raises(httpcore.ReadTimeout):
        await stream.read(10, timeout=0.01)
    theirs.close()
    assert await stream.read(10, timeout=1.0) == b""


async def test_connection_refused_is_a_connect_error() -> None:
    port = free_port()
    with pytest.raises(httpcore.ConnectError, match=r"refused|Connect call failed"):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1.0)
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")


async def test_connection_refused_makes_the_source_unavailable(catalog: Catalog) -> None:
    settings = Settings(
        simulator_url=f"http://127.0.0.1:{free_port()}",
        source_retries=0,
        source_timeout_s=1.0,
    )
    connector = HttpConnector(catalog.source("NTS"), catalog, settings)
    try:
        with pytest.raises(SourceUnavailable, match=r"unreachable \(ConnectError\)"):
            await connector.fetch(["8503142123456"], {"earnedIncome": ["annualAmount"]})
    finally:
        await connector.aclose()


async def test_a_silent_server_is_a_read_timeout() -> None:
    server = Server(silent=True)
    async with serving(server) as port, client(timeout_s=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(f"http://127.0.0.1:{port}/", content=b"{}")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost/127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


async def test_https_with_a_trusted_certificate(certificate: tuple[Path, Path]) -> None:
    server = Server()
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    async with serving(server, _server_tls(certificate)) as port, client(trusting) as http:
        for _ in range(2):
            response = await http.post(f"https://localhost:{port}/", content=b"{}")
            assert response.text == "ok"
            tls = response.extensions["network_stream"].get_extra_info("ssl_object")
            assert isinstance(tls, ssl.SSLObject)
            peer = tls.getpeercert()
            assert peer is not None
            assert peer["subject"] == ((("commonName", "localhost"),),)
    assert server.connections == 1


async def test_https_with_an_untrusted_certificate_fails_to_connect(
    certificate: tuple[Path, Path],
) -> None:
    server = Server()
    async with serving(server, _server_tls(certificate)) as port, client() as http:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await http.get(f"https://localhost:{port}/")
    assert server.answered == 0


async def test_a_tls_handshake_that_never_ends_is_a_connect_timeout() -> None:
    server = Server()  # speaks plain HTTP: never answers the ClientHello
    async with serving(server) as port, client(timeout_s=0.2) as http:
        with pytest.raises(httpx.ConnectTimeout):
            await http.get(f"https://127.0.0.1:{port}/")


def test_the_scenarios_also_pass_on_uvloop(certificate: tuple[Path, Path]) -> None:
    """The hub serves on uvloop (uvicorn's default when installed): same behaviour there."""
    scenarios: list[Callable[[], Awaitable[None]]] = [
        test_sequential_calls_reuse_one_connection,
        test_a_connection_the_server_closed_is_not_reused,
        test_a_silent_server_is_a_read_timeout,
        test_connection_refused_is_a_connect_error,
        lambda: test_https_with_a_trusted_certificate(certificate),
        lambda: test_https_with_an_untrusted_certificate_fails_to_connect(certificate),
    ]

    async def run_all() -> None:
        for scenario in scenarios:
            await scenario()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run_all())
