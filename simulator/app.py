"""The simulated source institutions as one Starlette application.

Every HTTP-transport source of the catalog answers `POST /sources/{CODE}/v1/lookup`
exactly as docs/sources.md specifies, so the hub cannot tell it from a real
ministry. The `/_sim/...` control endpoints count calls and inject faults for
tests and benchmarks; they are not part of the protocol.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.base import AS_OF
from hub.catalog.model import Catalog, InfoType, Transport
from simulator.person import stable_seed
from simulator.population import Population

MAX_SUBJECTS = 1000
#: How many of the latest `Hub-Request-Id`s each source remembers (`GET /_sim/request-ids`).
REQUEST_IDS_KEPT = 100
REQUEST_ID_HEADER = "Hub-Request-Id"
# Far longer than any client timeout: a "timeout" source simply never answers.
TIMEOUT_SLEEP_S = 300.0


@dataclass(frozen=True, slots=True)
class Faults:
    """The faults injected into one source's lookups."""

    delay_ms: int = 0
    error_rate: float = 0.0
    timeout: bool = False
    malformed_rate: float = 0.0
    #: The share of records whose `_asOf` is replaced by a malformed one (or left out).
    malformed_as_of_rate: float = 0.0

    @classmethod
    def from_json(cls, body: object) -> Faults:
        """Validate a `PUT /_sim/faults/{CODE}` body; missing keys take defaults."""
        if not isinstance(body, dict):
            raise ValueError("the fault settings must be a JSON object")
        unknown = set(body) - {
            "delay_ms",
            "error_rate",
            "timeout",
            "malformed_rate",
            "malformed_as_of_rate",
        }
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        delay = body.get("delay_ms", 0)
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ValueError("delay_ms must be a non-negative number")
        timeout = body.get("timeout", False)
        if not isinstance(timeout, bool):
            raise ValueError("timeout must be a boolean")
        rates = {}
        for key in ("error_rate", "malformed_rate", "malformed_as_of_rate"):
            rate = body.get(key, 0.0)
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            rates[key] = float(rate)
        return cls(delay_ms=int(delay), timeout=timeout, **rates)

    @property
    def active(self) -> bool:
        """Whether any fault is set."""
        return self != Faults()


def malformed_bodies(code: str) -> list[bytes]:
    """Every malformed 200 body a `malformed_rate` fault sends (tests check each)."""
    return [
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b'{"source": "' + code.encode() + b'", "records": {"',  # cut off mid-body
        b"[]",
        json.dumps({"source": code, "records": ["not", "an", "object"]}).encode(),
        json.dumps({"result": "OK", "data": None}).encode(),
    ]


#: Stands for an `_asOf` left out of the record altogether.
MISSING_AS_OF = object()


def malformed_as_ofs() -> list[object]:
    """Every bad `_asOf` a `malformed_as_of_rate` fault sends (tests check each).

    Beside the plainly wrong, dates that Python's own parser would accept but
    the protocol's `YYYY-MM-DD` does not (basic format, week dates).
    """
    return [
        MISSING_AS_OF,
        None,
        "",
        "yesterday",
        "2026-02-30",
        "04/12/2026",
        "20261204",
        "2026-W49-5",
        "2026-12-04T09:00:00",
        20261204,
        ["2026-12-04"],
    ]


class _BadRequest(Exception):
    pass


async def _until_disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class Simulator:
    """The state of one simulator app: population, counters, faults."""

    def __init__(self, population: Population, catalog: Catalog, credential: str | None) -> None:
        self.population = population
        self.catalog = catalog
        self.credential = credential
        self.sources: dict[str, dict[str, InfoType]] = {
            s.code: {t.name: t for t in catalog.types_of(s.code)}
            for s in catalog.sources
            if s.transport is Transport.HTTP
        }
        self.calls = dict.fromkeys(self.sources, 0)
        self.subjects = dict.fromkeys(self.sources, 0)
        self.type_subjects: dict[str, int] = {}
        self.request_ids = self._no_request_ids()
        self.faults: dict[str, Faults] = {}
        self._fault_seed = stable_seed(population.seed, "faults")
        self._rng = random.Random(self._fault_seed)
        self._waiters: set[asyncio.Future[None]] = set()

    def _no_request_ids(self) -> dict[str, deque[str | None]]:
        return {code: deque(maxlen=REQUEST_IDS_KEPT) for code in self.sources}

    def close(self) -> None:
        """End the handlers held by a "timeout" fault, so a server can stop at once.

        Call it from the serving event loop when shutting down.
        """
        for waiter in list(self._waiters):
            waiter.cancel()

    # -- protocol -----------------------------------------------------------

    async def lookup(self, request: Request) -> Response:
        """`POST /sources/{CODE}/v1/lookup`."""
        code = request.path_params["code"]
        owned = self.sources.get(code)
        if owned is None:
            return _error(404, f"no HTTP source {code!r} is simulated here")
        if not self._authorised(request):
            return _error(401, "missing or wrong bearer credential", {"WWW-Authenticate": "Bearer"})
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        try:
            subjects, wanted = self._parse(code, owned, body)
        except _BadRequest as exc:
            return _error(400, str(exc))
        # Counted before faults, so tests see every call the hub attempted.
        self.calls[code] += 1
        self.subjects[code] += len(subjects)
        # Which types were asked about how many persons: what a source learns
        # the hub wanted, whatever it answers.
        for info_type in wanted:
            key = f"{code}.{info_type.name}"
            self.type_subjects[key] = self.type_subjects.get(key, 0) + len(subjects)
        # What a ministry would log to match its calls with the hub's access log.
        self.request_ids[code].append(request.headers.get(REQUEST_ID_HEADER))
        faults = self.faults.get(code)
        if faults is not None:
            failure = await self._fail(request, code, faults)
            if failure is not None:
                return failure
        answer = self._answer(code, subjects, wanted)
        if faults is not None and faults.malformed_as_of_rate:
            self._spoil_as_of(answer, faults.malformed_as_of_rate)
        return JSONResponse(answer)

    def _authorised(self, request: Request) -> bool:
        if self.credential is None:
            return True
        given = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(given, f"Bearer {self.credential}".encode())

    def _parse(
        self, code: str, owned: dict[str, InfoType], body: object
    ) -> tuple[list[str], dict[InfoType, list[str]]]:
        if not isinstance(body, dict):
            raise _BadRequest("the body must be a JSON object")
        subjects = body.get("subjects")
        if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
            raise _BadRequest("'subjects' must be a list of strings")
        if len(subjects) > MAX_SUBJECTS:
            raise _BadRequest(f"at most {MAX_SUBJECTS} subjects per call, got {len(subjects)}")
        types = body.get("types")
        # An empty object is allowed: the call then only asks which subjects exist.
        if not isinstance(types, dict):
            raise _BadRequest("'types' must be an object of type name to field list")
        wanted: dict[InfoType, list[str]] = {}
        for name, fields in types.items():
            info_type = owned.get(name)
            if info_type is None:
                owner = (
                    f"; it belongs to {self.catalog.info_type(name).source}"
                    if self.catalog.has_info_type(name)
                    else ""
                )
                raise _BadRequest(f"source {code} does not own information type {name!r}{owner}")
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise _BadRequest(f"'types.{name}' must be a list of field names")
            known = {f.name for f in info_type.fields}
            for f in fields:
                if f not in known:
                    raise _BadRequest(f"information type {name!r} has no field {f!r}")
            wanted[info_type] = list(dict.fromkeys(fields))
        return subjects, wanted

    def _answer(
        self, code: str, subjects: list[str], wanted: dict[InfoType, list[str]]
    ) -> dict[str, Any]:
        records: dict[str, Any] = {}
        unknown: list[str] = []
        for rrn in dict.fromkeys(subjects):
            found = self.population.records_for(rrn, wanted)
            if found is None:
                unknown.append(rrn)
            else:
                records[rrn] = found
        return {"source": code, "records": records, "unknown": unknown}

    async def _fail(self, request: Request, code: str, faults: Faults) -> Response | None:
        """Apply `faults`; the response to send instead of the answer, if any."""
        if faults.timeout:
            # Wait for the client to give up rather than sleeping blindly, so
            # abandoned handlers end at once; close() ends the rest at shutdown.
            waiter = asyncio.ensure_future(_until_disconnected(request))
            self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=TIMEOUT_SLEEP_S)
            finally:
                self._waiters.discard(waiter)
                waiter.cancel()
            return _error(504, "simulated timeout")
        if faults.delay_ms:
            await asyncio.sleep(faults.delay_ms / 1000)
        if faults.error_rate and self._rng.random() < faults.error_rate:
            return _error(500, f"simulated failure of source {code}")
        if faults.malformed_rate and self._rng.random() < faults.malformed_rate:
            return self._malformed(code)
        return None

    def _spoil_as_of(self, answer: dict[str, Any], rate: float) -> None:
        """Give a share `rate` of the answer's records a malformed or no `_asOf`."""
        for person in answer["records"].values():
            for found in person.values():
                for record in found if isinstance(found, list) else [found]:
                    if record is None or self._rng.random() >= rate:
                        continue
                    bad = self._rng.choice(malformed_as_ofs())
                    if bad is MISSING_AS_OF:
                        del record[AS_OF]
                    else:
                        record[AS_OF] = bad

    def _malformed(self, code: str) -> Response:
        """A 200 that violates the protocol in one of the ways real services do."""
        body = self._rng.choice(malformed_bodies(code))
        return Response(body, media_type="application/json")

    # -- control ------------------------------------------------------------

    def stats_json(self) -> dict[str, dict[str, int]]:
        """The body of `GET /_sim/stats`."""
        return {
            "calls": dict(self.calls),
            "subjects": dict(self.subjects),
            # "SOURCE.type": persons asked about that type.
            "type_subjects": dict(self.type_subjects),
        }

    async def stats(self, request: Request) -> Response:
        """`GET /_sim/stats`."""
        return JSONResponse(self.stats_json())

    def request_ids_json(self) -> dict[str, list[str | None]]:
        """The body of `GET /_sim/request-ids`."""
        return {code: list(ids) for code, ids in self.request_ids.items()}

    async def get_request_ids(self, request: Request) -> Response:
        """`GET /_sim/request-ids`: per source, the `Hub-Request-Id` of its latest calls.

        Oldest first, at most REQUEST_IDS_KEPT each; null for a call without one.
        """
        return JSONResponse(self.request_ids_json())

    async def reset(self, request: Request) -> Response:
        """`POST /_sim/reset`: zero the counters and forget the request ids (faults stay)."""
        self.calls = dict.fromkeys(self.sources, 0)
        self.subjects = dict.fromkeys(self.sources, 0)
        self.type_subjects = {}
        self.request_ids = self._no_request_ids()
        self._rng = random.Random(self._fault_seed)
        return JSONResponse(self.stats_json())

    async def get_faults(self, request: Request) -> Response:
        """`GET /_sim/faults`: the faults currently set, by source."""
        return JSONResponse({code: asdict(f) for code, f in sorted(self.faults.items())})

    async def put_faults(self, request: Request) -> Response:
        """`PUT /_sim/faults/{CODE}`: replace the source's fault settings."""
        code = request.path_params["code"]
        if code not in self.sources:
            return _error(404, f"no HTTP source {code!r} is simulated here")
        try:
            faults = Faults.from_json(await request.json())
        except ValueError as exc:
            message = str(exc) if not isinstance(exc, json.JSONDecodeError) else "invalid JSON"
            return _error(400, message)
        if faults.active:
            self.faults[code] = faults
        else:
            self.faults.pop(code, None)
        return JSONResponse({code: asdict(faults)})

    async def clear_faults(self, request: Request) -> Response:
        """`DELETE /_sim/faults`: clear every source's faults."""
        self.faults.clear()
        return JSONResponse({})

    async def healthz(self, request: Request) -> Response:
        """`GET /healthz`."""
        return JSONResponse({"status": "ok", "sources": sorted(self.sources)})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(exc.status_code, str(exc.detail), exc.headers)


def create_simulator_app(
    population: Population, catalog: Catalog, *, credential: str | None = None
) -> Starlette:
    """A Starlette app serving every HTTP-transport source of `catalog`.

    With `credential`, lookups must carry `Authorization: Bearer <credential>`;
    without, any or no credential is accepted. The state lives on the app as
    `app.state.simulator` (a `Simulator`).
    """
    sim = Simulator(population, catalog, credential)
    routes = [
        Route("/sources/{code}/v1/lookup", sim.lookup, methods=["POST"]),
        Route("/_sim/stats", sim.stats, methods=["GET"]),
        Route("/_sim/request-ids", sim.get_request_ids, methods=["GET"]),
        Route("/_sim/reset", sim.reset, methods=["POST"]),
        Route("/_sim/faults", sim.get_faults, methods=["GET"]),
        Route("/_sim/faults", sim.clear_faults, methods=["DELETE"]),
        Route("/_sim/faults/{code}", sim.put_faults, methods=["PUT"]),
        Route("/healthz", sim.healthz, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.simulator = sim
    return app
