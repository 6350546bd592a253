"""The one clock that every token and assertion check reads.

Expiry is the point of short-lived tokens, so tests must be able to move
time forward without sleeping: they replace `now` here (monkeypatch
`hub.auth.clock.now`). Callers therefore call `clock.now()` through the
module, never `from hub.auth.clock import now`.
"""

from __future__ import annotations

import time


def now() -> int:
    """The current time in whole seconds since the epoch (JWT NumericDate)."""
    return int(time.time())
