"""The world clock: a fixed instant by default, so every response is reproducible."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

DEFAULT_NOW = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())  # 2026-11-01T00:00:00Z
# The world's time range: ids hold create_time in their top 31 bits (see _world), so it ends
# before 2038; it starts with the century, long before any generated post.
MIN_TIME = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
MAX_TIME = int(datetime(2038, 1, 1, tzinfo=UTC).timestamp())


def check_time(ts: float, what: str = "world time") -> int:
    """``ts`` as whole unix seconds if it is within the world's range, else ValueError."""
    if isinstance(ts, bool) or not isinstance(ts, (int, float)):
        raise ValueError(f"{what} must be a number, not {ts!r}")
    if not (math.isfinite(ts) and MIN_TIME <= ts < MAX_TIME):
        raise ValueError(
            f"{what} must be between {_iso(MIN_TIME)} ({MIN_TIME}) and {_iso(MAX_TIME)} "
            f"({MAX_TIME}), not {ts!r}"
        )
    return int(ts)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WorldClock:
    """World time in unix seconds.

    It stands still unless moved with :meth:`set` / :meth:`advance`, or unless ``time_scale``
    is positive, in which case world time runs ``time_scale`` times faster than real time.
    """

    def __init__(
        self,
        start: int = DEFAULT_NOW,
        time_scale: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        start = check_time(start, "the start time")
        if not (math.isfinite(time_scale) and 0 <= time_scale <= 1e9):
            raise ValueError(f"time_scale must be between 0 and 1e9, not {time_scale!r}")
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self.time_scale = time_scale
        self._start = start
        self._anchor = float(start)
        self._anchor_real = monotonic()

    def now(self) -> int:
        """The world's current unix time, in whole seconds."""
        with self._lock:
            return int(self._now_float())

    def _now_float(self) -> float:
        if self.time_scale <= 0:
            return self._anchor
        return self._anchor + (self._monotonic() - self._anchor_real) * self.time_scale

    def set(self, ts: float) -> None:
        """Jump to unix time ``ts``; ValueError (and no change) outside the world's range."""
        ts = check_time(ts)
        with self._lock:
            self._anchor = float(ts)
            self._anchor_real = self._monotonic()

    def advance(self, seconds: float) -> int:
        """Move world time forward by ``seconds``; returns the new now. ValueError (and no
        change) when that leaves the world's range."""
        with self._lock:
            new = self._now_float() + seconds
            check_time(new, f"now + {seconds!r} s")
            self._anchor = new
            self._anchor_real = self._monotonic()
            return int(self._anchor)

    def reset(self) -> None:
        """Back to the instant the clock started at."""
        self.set(self._start)

    def iso(self) -> str:
        """Now, as an ISO 8601 UTC string."""
        return _iso(self.now())
