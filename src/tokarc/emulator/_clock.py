"""The world clock: a fixed instant by default, so every response is reproducible."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

DEFAULT_NOW = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())  # 2026-11-01T00:00:00Z


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

    def set(self, ts: int) -> None:
        """Jump to unix time ``ts``."""
        with self._lock:
            self._anchor = float(ts)
            self._anchor_real = self._monotonic()

    def advance(self, seconds: float) -> int:
        """Move world time forward by ``seconds``; returns the new now."""
        with self._lock:
            self._anchor = self._now_float() + seconds
            self._anchor_real = self._monotonic()
            return int(self._anchor)

    def reset(self) -> None:
        """Back to the instant the clock started at."""
        self.set(self._start)

    def iso(self) -> str:
        """Now, as an ISO 8601 UTC string."""
        return datetime.fromtimestamp(self.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
