"""The load test's processes: simulated sources and the hub, started and always stopped.

Every process runs in a session of its own (so the terminal's Ctrl+C reaches
only the benchmark, which then stops them in order) and is stopped by its
process group id: SIGTERM, then SIGKILL after a grace period. `Stack` is an
`ExitStack`-style owner: whatever was started is stopped on the way out,
however the run ends. CPU times are read from /proc (Linux).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_STOP_GRACE_S = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Managed:
    """A child process (a session leader) and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @property
    def pid(self) -> int:
        """The process id (also its process group id)."""
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL after the grace period; idempotent."""
        if self.process.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.process.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(self.pid, signal.SIGKILL)
                self.process.wait(_STOP_GRACE_S)
        # Workers outliving their parent would keep the group alive: end them too.
        _signal_group(self.pid, signal.SIGKILL)
        self.log.close()

    def tail(self, lines: int = 20) -> str:
        """The last lines of its log, for error messages."""
        self.log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


@dataclass
class Stack:
    """The processes of one run; stops them all, newest first, on exit."""

    logs: Path
    processes: list[Managed] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: Mapping[str, str] | None = None) -> Managed:
        """Start `command` in a new session, its output going to `<logs>/<name>.log`."""
        log_path = self.logs / f"{name}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
        managed = Managed(name, process, log_path, log)
        self.processes.append(managed)
        return managed

    def stop(self) -> None:
        """Stop every process started, newest first."""
        while self.processes:
            self.processes.pop().stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def wait_ready(managed: Managed, url: str, timeout_s: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail with the log's tail if the process dies."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if managed.process.poll() is not None:
                raise RuntimeError(
                    f"{managed.name} exited with status {managed.process.returncode}:\n"
                    + managed.tail()
                )
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{managed.name} was not ready at {url} within {timeout_s:.0f} s")


def start_simulator(stack: Stack, name: str, port: int, delay_ms: int, size: int) -> Managed:
    """One `python -m simulator` process whose every source answers after `delay_ms`."""
    command = [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--size", str(size), "--delay-ms", str(delay_ms), "--log-level", "warning"]
    return stack.start(name, command)


def start_hub(stack: Stack, port: int, workers: int, env: Mapping[str, str]) -> Managed:
    """`ssis-hub serve --workers N` on 127.0.0.1:`port`, configured by `env`."""
    command = [sys.executable, "-c", "import sys; from hub.cli.main import main; sys.exit(main())"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return stack.start("hub", command, env)


# --- CPU accounting -----------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
            except OSError:
                continue
            pending += [int(child) for child in children]
    return found


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User plus system CPU seconds each live process of `pids` has used so far."""
    taken = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces: the fields after it are fixed.
        fields = stat[stat.rindex(")") + 2 :].split()
        taken[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
    return taken


def postgres_pids(database: str) -> list[int]:
    """The PostgreSQL server's processes that work for `database`: its backends
    (their process title names the database) and the shared auxiliary processes
    (WAL writer, checkpointer, ...), not other databases' backends."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                continue
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # A backend's title: "postgres: USER DATABASE HOST(PORT) STATE".
        if f" {database} " in title or "(" not in title:
            pids.append(int(entry))
    return pids


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent not idle since boot (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle, iowait
    return (sum(values[:8]) - idle) / _CLOCK_TICKS


@dataclass(frozen=True)
class CpuGroups:
    """The processes whose CPU time is accounted separately."""

    groups: dict[str, list[int]]  # name -> root pids (their descendants count too)
    postgres_database: str  # its backends and the server's auxiliary processes: `postgres`

    def snapshot(self) -> dict[str, dict[int, float]]:
        """CPU seconds per group and process, and `machine` (all cores) under pid 0."""
        taken = {
            name: cpu_seconds(pid for root in roots for pid in descendants(root))
            for name, roots in self.groups.items()
        }
        taken["postgres"] = cpu_seconds(postgres_pids(self.postgres_database))
        taken["machine"] = {0: machine_busy_seconds()}
        return taken


def process_deltas(
    before: Mapping[str, Mapping[int, float]], after: Mapping[str, Mapping[int, float]], group: str
) -> dict[int, float]:
    """CPU seconds each process of `group` used between two snapshots."""
    old = before.get(group, {})
    return {pid: seconds - old.get(pid, 0.0) for pid, seconds in after.get(group, {}).items()}


def cpu_delta(
    before: Mapping[str, Mapping[int, float]], after: Mapping[str, Mapping[int, float]]
) -> dict[str, float]:
    """CPU seconds used per group between two snapshots, process by process: a
    process that started in between counts whole, one that ended is lost."""
    return {name: sum(process_deltas(before, after, name).values()) for name in after}
