"""A guard for tests that something finishes rather than hangs: no timing is asserted.

`no_hang(seconds)` interrupts the main thread with `Hung` if the block is
still running after `seconds` (SIGALRM). The budget is generous: it tells a
hang (a walk over 2^30 paths runs for hours) from a slow machine, and
performance bounds belong in bench/. `Hung` is a BaseException so that no
`except Exception` on the way (strawberry's, Starlette's) swallows it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Hung(BaseException):
    """The guarded block ran past its budget."""


@contextmanager
def no_hang(seconds: float) -> Iterator[None]:
    """Fail with `Hung` if the block runs longer than `seconds` (main thread only)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"still running after {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
