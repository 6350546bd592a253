"""The running hub's view of the active policy, refreshed without a restart."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from hub.catalog.model import Catalog
from hub.db.session import Database
from policies.compiled import CompiledPolicy
from policies.versions import load_active


class PolicySource(Protocol):
    """Where a running hub gets the policy it enforces."""

    async def current(self) -> CompiledPolicy:
        """The policy to enforce for the request at hand."""
        ...

    def invalidate(self) -> None:
        """Forget any cached policy."""
        ...


class FixedPolicy:
    """A policy that never changes (tests, benchmarks, tools that simulate)."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.policy = policy

    async def current(self) -> CompiledPolicy:
        """The fixed policy."""
        return self.policy

    def invalidate(self) -> None:
        """Nothing is cached beyond the fixed policy itself."""


class PolicyStore:
    """Holds the compiled active policy and reloads it every `ttl_s` seconds.

    Another process (a privacy officer's approval) may activate a version at
    any time; re-reading the active version at most every few seconds bounds
    how long a revoked grant keeps working. The process that activates a
    version calls `invalidate()` to see it at once.
    """

    def __init__(self, db: Database, catalog: Catalog, ttl_s: float = 5.0) -> None:
        self.db = db
        self.catalog = catalog
        self.ttl_s = ttl_s
        self._policy: CompiledPolicy | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def current(self) -> CompiledPolicy:
        """The active policy, reloaded when older than the TTL."""
        if self._policy is not None and time.monotonic() - self._loaded_at < self.ttl_s:
            return self._policy
        async with self._lock:
            if self._policy is None or time.monotonic() - self._loaded_at >= self.ttl_s:
                self._policy = await load_active(self.db, self.catalog)
                self._loaded_at = time.monotonic()
            return self._policy

    def invalidate(self) -> None:
        """Forget the cached policy so the next request reloads it."""
        self._loaded_at = 0.0
