"""Rate counters in Redis: one round trip per request, shared by every process using it.

Each request runs one Lua script (atomic on the server): it increments every
counter of the request, and if any is then over its limit it undoes all the
increments and returns which one and the seconds until its window ends, so a
refused request consumes nothing. A counter's key names its window's start
and expires when the window ends (by the hub's clock), so Redis holds only
current windows and nothing needs purging.

Keys are `<prefix>{<tag>}:<scope>:<key>:<window start>`, any scope alike.
The hash tag (the agency for /graphql, `oauth-token` for the token
endpoint: `Counter.slot_tag`) puts all counters of one request in one
cluster slot, which a multi-key script needs on Redis Cluster.

If Redis cannot be reached or answers with an error the request is let
through uncounted with a warning, the same policy as the database store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from hub.ratelimit.interfaces import RateLimited
from hub.ratelimit.windows import Counter, counters, prepared
from hub.settings import Settings

log = logging.getLogger("hub.ratelimit")

#: Default prefix of every key the hub writes (tests give each test its own).
KEY_PREFIX = "ssis-hub:rate:"
#: How long a request waits for Redis before it is let through uncounted: a
#: rate limiter must not become the slowest part of every request.
SOCKET_TIMEOUT_S = 0.5

# KEYS[i]: counter i. ARGV[2i-1]: its limit; ARGV[2i]: seconds until its window ends.
# Returns {0, 0} when counted, else {i, seconds until counter i's window ends}
# after undoing every increment.
HIT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then
    redis.call('EXPIRE', key, ARGV[2 * i])
  end
  counts[i] = n
end
for i = 1, #KEYS do
  if counts[i] > tonumber(ARGV[2 * i - 1]) then
    for j, key in ipairs(KEYS) do
      if counts[j] <= 1 then
        redis.call('DEL', key)
      else
        redis.call('DECR', key)
      end
    end
    return {i, tonumber(ARGV[2 * i])}
  end
end
return {0, 0}
"""


def connect(url: str) -> Redis:
    """A client on `url` with short timeouts and a single immediate retry.

    The one retry reconnects a pooled connection Redis has closed (a restart);
    redis-py's default back-off would hold a request for seconds when Redis is down.
    """
    client: Redis = Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=SOCKET_TIMEOUT_S,
        retry=Retry(NoBackoff(), 1),
    )
    return client


class RedisRateLimiter:
    """Checks and counts requests against the configured limits in Redis."""

    backend = "redis"

    def __init__(
        self,
        client: Redis,
        settings: Settings,
        *,
        prefix: str = KEY_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._settings = settings
        #: Prefix of every key (public so tests can isolate a hub built from settings).
        self.prefix = prefix
        self._script = client.register_script(HIT_SCRIPT)
        self.clock = clock

    async def hit(self, agency: str, official: str) -> None:
        """Count one request of `official` of `agency`; raise RateLimited if over a limit."""
        await self.hit_counters(counters(self._settings.rate_limits_for(agency), agency, official))

    async def hit_counters(self, wanted: Sequence[Counter]) -> None:
        """Count one request against each of `wanted` in one script; RateLimited if over one."""
        counted = prepared(wanted)
        if not counted:
            return
        now = self.clock()
        keys = [
            f"{self.prefix}{{{c.slot_tag}}}:{c.scope}:{c.key}:{c.window_start(now)}"
            for c in counted
        ]
        args: list[int] = []
        for c in counted:
            args += [c.allowed, c.seconds_left(now)]
        try:
            over, retry_after = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            # The limits protect the sources, they do not account for data:
            # an unreachable Redis must not stop the hub from answering.
            log.warning("rate counters unavailable, request not counted: %s", type(exc).__name__)
            return
        if over:
            counter = counted[int(over) - 1]
            raise RateLimited(counter.scope, counter.allowed, int(retry_after))

    async def check(self) -> None:
        """Raise unless Redis answers a PING."""
        await self._redis.ping()

    async def aclose(self) -> None:
        """Close the client and its connection pool."""
        await self._redis.aclose()
