"""Run the simulated sources over real HTTP in a background thread.

For tests and `make serve`: `SimulatorServer` starts uvicorn on a free port
of 127.0.0.1, waits until it accepts connections and stops it cleanly. The
helper methods talk to the control endpoints over HTTP, exactly as a test
in another process would.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from hub.catalog import load_catalog
from hub.catalog.model import Catalog
from simulator.app import Simulator, create_simulator_app
from simulator.population import Population


class SimulatorUvicorn(uvicorn.Server):
    """A uvicorn server that releases requests held by "timeout" faults on shutdown.

    Without this, uvicorn would wait for them (or cancel them noisily after
    its graceful-shutdown timeout).
    """

    def __init__(self, config: uvicorn.Config, simulator: Simulator) -> None:
        super().__init__(config)
        self.simulator = simulator

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Release held requests, then shut down as uvicorn does."""
        self.simulator.close()
        await super().shutdown(sockets)


class SimulatorServer:
    """The simulator app served by uvicorn in a daemon thread.

    Without `population` one of `size` persons from `seed` is built; without
    `catalog` the hub's catalog is loaded. Use as a context manager, or call
    start() and stop().
    """

    def __init__(
        self,
        population: Population | None = None,
        catalog: Catalog | None = None,
        *,
        size: int = 10_000,
        seed: int = 20100104,
        credential: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 10.0,
    ) -> None:
        if catalog is None:
            catalog = load_catalog()
        self.population = population if population is not None else Population(size, seed)
        self.catalog = catalog
        self.app = create_simulator_app(self.population, catalog, credential=credential)
        self._host = host
        self._port = port
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self.base_url = ""

    @property
    def simulator(self) -> Simulator:
        """The app's in-process state (counters, faults), for white-box checks."""
        sim = self.app.state.simulator
        assert isinstance(sim, Simulator)
        return sim

    def start(self) -> Self:
        """Start serving; returns once the server accepts connections."""
        if self._server is not None:
            raise RuntimeError("the simulator server is already running")
        config = uvicorn.Config(
            self.app,
            host=self._host,
            port=self._port,
            log_config=None,  # leave the host process's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,  # a backstop: nothing should still be running
        )
        server = SimulatorUvicorn(config, self.simulator)
        thread = threading.Thread(target=server.run, name="simulator-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(self._startup_timeout)
                raise RuntimeError(f"the simulator did not start on {self._host}:{self._port}")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        self.base_url = f"http://{self._host}:{port}"
        self._client = httpx.Client(base_url=self.base_url, timeout=10.0)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; safe to call twice."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10.0)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def source_url(self, code: str) -> str:
        """The base URL of a source, as the hub's settings want it."""
        self._running()
        return f"{self.base_url}/sources/{code}"

    def source_urls(self) -> dict[str, str]:
        """The base URL of every simulated (HTTP) source, by code."""
        return {code: self.source_url(code) for code in self.simulator.sources}

    def stats(self) -> dict[str, dict[str, int]]:
        """`GET /_sim/stats`: lookup calls and subjects asked for, per source.

        `type_subjects` counts, per `SOURCE.type`, the persons asked about that type.
        """
        body: dict[str, dict[str, int]] = self._request("GET", "/_sim/stats")
        return body

    def reset(self) -> None:
        """`POST /_sim/reset`: zero the counters."""
        self._request("POST", "/_sim/reset")

    def set_fault(
        self,
        code: str,
        *,
        delay_ms: int = 0,
        error_rate: float = 0.0,
        timeout: bool = False,
        malformed_rate: float = 0.0,
        malformed_as_of_rate: float = 0.0,
    ) -> None:
        """`PUT /_sim/faults/{code}`: replace the source's faults (unset ones are off)."""
        body = {
            "delay_ms": delay_ms,
            "error_rate": error_rate,
            "timeout": timeout,
            "malformed_rate": malformed_rate,
            "malformed_as_of_rate": malformed_as_of_rate,
        }
        self._request("PUT", f"/_sim/faults/{code}", json=body)

    def clear_faults(self) -> None:
        """`DELETE /_sim/faults`: clear the faults of every source."""
        self._request("DELETE", "/_sim/faults")

    def _running(self) -> httpx.Client:
        if self._client is None:
            raise RuntimeError("the simulator server is not running")
        return self._client

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._running().request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()
