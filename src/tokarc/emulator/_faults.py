"""Fault injection: latency, 500s, 429 bursts, hangs and malformed bodies, from their own RNG.

The RNG is separate from the world's hashes, so turning faults on never changes world data.
Faults are bounded: never more than ``max_streak`` faulted requests in a row, so a client that
retries always gets through.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

FaultKind = Literal["error", "rate_limit", "hang", "malformed"]


@dataclass(frozen=True)
class FaultSettings:
    """What goes wrong, and how often (rates are per request, in [0, 1])."""

    latency: float = 0.0  # seconds added to every API response
    jitter: float = 0.0  # plus a uniform random [0, jitter) seconds
    error_rate: float = 0.0  # share of 500 Internal Server Error
    rate_limit_rate: float = 0.0  # share of requests starting a burst of 429s
    hang_rate: float = 0.0  # share of responses that hang for hang_seconds
    hang_seconds: float = 30.0
    malformed_rate: float = 0.0  # share of truncated or non-JSON bodies
    retry_after: int = 1  # the 429s' Retry-After header, seconds
    max_streak: int = 3  # never more faults than this in a row

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        """A copy with ``changes`` applied; unknown names raise ValueError."""
        known = {f.name: f.type for f in fields(self)}
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        cast: dict[str, Any] = {
            k: (int(v) if known[k] == "int" else float(v)) for k, v in changes.items()
        }
        return replace(self, **cast)


@dataclass(frozen=True)
class Fault:
    """What to do to one request: wait ``delay`` seconds, then misbehave as ``kind`` (or not)."""

    delay: float = 0.0
    kind: FaultKind | None = None


class FaultInjector:
    """Decides each request's fault from a seeded RNG."""

    def __init__(self, settings: FaultSettings, seed: int = 0) -> None:
        self.settings = settings
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Restart the RNG and forget any burst in progress."""
        self._rng = random.Random(f"faults:{self._seed}")
        self._burst = 0
        self._streak = 0

    def decide(self) -> Fault:
        """The fault for the next API request."""
        with self._lock:
            s = self.settings
            delay = s.latency + (self._rng.random() * s.jitter if s.jitter > 0 else 0.0)
            kind = self._kind(s)
            self._streak = self._streak + 1 if kind else 0
            return Fault(delay, kind)

    def _kind(self, s: FaultSettings) -> FaultKind | None:
        if self._streak >= s.max_streak:
            self._burst = 0
            return None
        if self._burst > 0:
            self._burst -= 1
            return "rate_limit"
        roll = self._rng.random()
        for kind, rate in (("hang", s.hang_rate), ("rate_limit", s.rate_limit_rate),
                           ("error", s.error_rate), ("malformed", s.malformed_rate)):  # fmt: skip
            if roll < rate:
                if kind == "rate_limit":
                    self._burst = self._rng.randint(0, 2)
                return kind  # type: ignore[return-value]
            roll -= rate
        return None


def malform(body: bytes, rng: random.Random) -> bytes:
    """A truncated copy of ``body``, or an HTML error page instead of JSON."""
    if rng.random() < 0.5 and len(body) > 2:
        return body[: max(1, len(body) // 2)]
    return b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
