"""A cheap closed-loop HTTP/1.1 load generator, run in a process of its own.

The requests are built once as raw bytes; each of C connections (keep-alive)
sends one, reads the status line, the headers and `Content-Length` bytes of
body, checks the answer and sends the next, until the deadline. Raw asyncio
streams on uvloop cost a small fraction of what an HTTP client library would,
so on a small machine the generator does not compete with what it measures.

`LoadGenerator` keeps one child process for a whole run and hands it jobs
through a pipe, so that its CPU time between two jobs is the jobs' alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Literal, Self

import orjson
import uvloop

#: How an answer is judged: a GraphQL reply about one person, or a source's lookup reply.
Check = Literal["graphql", "lookup"]
_MAX_FAILURE_SAMPLES = 5


@dataclass(frozen=True)
class Job:
    """One closed-loop measurement: `concurrency` connections sending `requests` in turn."""

    host: str
    port: int
    requests: tuple[bytes, ...]
    concurrency: int
    warmup_s: float
    duration_s: float
    check: Check
    ramp_s: float = 0.0  # connections are opened one by one over this many seconds


@dataclass
class JobResult:
    """What a job measured: latencies of the requests completed inside the measured window."""

    latencies_ns: list[int] = field(default_factory=list)
    measured_s: float = 0.0
    ok: int = 0  # every successful request, warm-up and tail included
    answered: int = 0  # every HTTP 200 (successful or with errors), warm-up and tail included
    failures: int = 0
    failure_samples: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        """Completed requests per second inside the measured window."""
        return len(self.latencies_ns) / self.measured_s if self.measured_s > 0 else 0.0

    def fail(self, reason: str) -> None:
        """Count a failure, keeping the first few reasons."""
        self.failures += 1
        if len(self.failure_samples) < _MAX_FAILURE_SAMPLES:
            self.failure_samples.append(reason[:300])


def build_request(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """A complete HTTP/1.1 POST with a keep-alive connection and a JSON body."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _code(error: object) -> object:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    return extensions.get("code") if isinstance(extensions, dict) else None


def check_answer(check: Check, status: int, body: bytes) -> str | None:
    """Why the answer is not a success, or None when it is."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return f"not JSON: {body[:200]!r}"
    if not isinstance(document, dict):
        return f"not a JSON object: {body[:200]!r}"
    if check == "graphql":
        # A record too old for the grant is refused as the policy says: a
        # correct answer, not a failure of the run (some persons' are).
        errors = [e for e in document.get("errors") or [] if _code(e) != "SOURCE_STALE"]
        if errors:
            return f"errors: {orjson.dumps(errors)[:250]!r}"
        data = document.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("person"), dict):
            return f"no person in the data: {body[:200]!r}"
        return None
    if not isinstance(document.get("records"), dict) or not document["records"]:
        return f"no record in the lookup answer: {body[:200]!r}"
    return None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = None
    for line in header_lines:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            raise ValueError("chunked replies are not supported by the load generator")
    if length is None:
        raise ValueError("a reply without Content-Length")
    return status, await reader.readexactly(length)


async def _connection(
    job: Job, pick: Iterator[int], delay_s: float, start_at: float, end_at: float, result: JobResult
) -> None:
    await asyncio.sleep(delay_s)
    reader, writer = await asyncio.open_connection(job.host, job.port)
    try:
        while (sent := time.perf_counter()) < end_at:
            writer.write(job.requests[next(pick) % len(job.requests)])
            try:
                status, body = await _read_response(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                result.fail(f"{type(exc).__name__}: {exc}")
                return
            done = time.perf_counter()
            result.answered += status == 200
            problem = check_answer(job.check, status, body)
            if problem is not None:
                result.fail(problem)
                continue
            result.ok += 1
            if start_at <= done <= end_at:  # completed inside the measured window
                result.latencies_ns.append(int((done - sent) * 1e9))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def run_job(job: Job) -> JobResult:
    """Run `job` in this process's event loop."""
    if job.concurrency < 1 or not job.requests:
        raise ValueError("a job needs at least one connection and one request")
    result = JobResult()
    pick = itertools.count()
    now = time.perf_counter()
    start_at = now + job.warmup_s
    end_at = start_at + job.duration_s
    # Opening every connection at once lets one server process accept them all
    # when several share a listening socket; clients ramp up in real life.
    step = min(job.ramp_s, job.warmup_s) / job.concurrency
    await asyncio.gather(
        *(
            _connection(job, pick, i * step, start_at, end_at, result)
            for i in range(job.concurrency)
        )
    )
    result.measured_s = job.duration_s
    return result


def _serve(connection: Connection) -> None:
    """The child's loop: run each job received, send its result back; None ends it."""
    while True:
        job = connection.recv()
        if job is None:
            return
        try:
            connection.send(uvloop.run(run_job(job)))
        except Exception as exc:
            connection.send(f"{type(exc).__name__}: {exc}")


class LoadGenerator:
    """A child process that runs jobs one after another (use as a context manager)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="bench-loadgen")
        self._process.start()
        child.close()

    @property
    def pid(self) -> int:
        """The child's process id (for CPU accounting)."""
        pid = self._process.pid
        assert pid is not None
        return pid

    def run(self, job: Job) -> JobResult:
        """Run `job` in the child and wait for its result."""
        self._parent.send(job)
        answer = self._parent.recv()
        if isinstance(answer, str):
            raise RuntimeError(f"the load generator failed: {answer}")
        assert isinstance(answer, JobResult)
        return answer

    def close(self) -> None:
        """Stop the child (politely, then by force); safe to call twice."""
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._parent.send(None)
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5)
        self._parent.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def requests_for(
    host: str, port: int, path: str, headers: dict[str, str], bodies: Sequence[bytes]
) -> tuple[bytes, ...]:
    """One pre-built request per body."""
    return tuple(build_request(host, port, path, headers, body) for body in bodies)
