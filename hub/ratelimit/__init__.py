"""Rate limits and quotas per agency and per official, shared by every hub process.

Fixed windows (the official's minute, the agency's minute, the agency's UTC
day) counted either in the hub's database (`database.py`, the default: no
extra service, one write transaction per request) or, when HUB_REDIS_URL is
set, in Redis (`redis.py`: one atomic script per request). Over a limit the
request is refused with RateLimited (a 429 with Retry-After) and counts
nothing; a store that cannot be used lets the request through uncounted.
"""

from __future__ import annotations

from hub.db.session import Database
from hub.ratelimit.database import DatabaseRateLimiter
from hub.ratelimit.interfaces import RateLimited, RateLimiter
from hub.ratelimit.redis import RedisRateLimiter, connect
from hub.settings import Settings

__all__ = [
    "DatabaseRateLimiter",
    "RateLimited",
    "RateLimiter",
    "RedisRateLimiter",
    "build_rate_limiter",
]


def build_rate_limiter(settings: Settings, database: Database) -> RateLimiter:
    """The rate limiter the settings ask for: Redis when HUB_REDIS_URL is set, else the database."""
    if settings.redis_url is not None:
        return RedisRateLimiter(connect(settings.redis_url.get_secret_value()), settings)
    return DatabaseRateLimiter(database, settings)
