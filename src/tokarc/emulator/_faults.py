"""Fault injection: latency, 500s, 429 bursts, hangs and malformed bodies, from their own RNG;
and ``error_status``, one chosen error code for every API request.

The RNG is separate from the world's hashes, so turning faults on never changes world data.
Random faults are bounded: never more than ``max_streak`` faulted requests in a row, so a client
that retries always gets through. ``error_status`` is not random and not bounded: while it is set
(400-599; 0 is off), every API request answers it, so any code of the API's error table can be
produced on demand.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

FaultKind = Literal["error", "rate_limit", "hang", "malformed", "status"]
RATES = ("error_rate", "rate_limit_rate", "hang_rate", "malformed_rate")
MAX_SECONDS = 3_600.0  # the longest latency, jitter or hang accepted

# The ``detail`` of an ``error_status`` answer: the meaning of each code of the API's error
# table (the official SDK's ``errors.py`` names them); other codes get a generic one.
STATUS_DETAILS = {
    404: "Not Found",
    422: "Invalid or missing parameter",
    429: "Rate limit exceeded",
    462: "Invalid TikTok URL",
    463: "Invalid user",
    464: "Too many post ids",
    465: "Invalid YouTube URL",
    466: "Invalid country code",
    469: "TikTok restricts this topic",
    471: "TikTok restricts this user",
    472: "This account is private",
    473: "User not found",
    474: "This profile is unavailable",
    491: "Invalid token",
    492: "Unverified email",
    493: "Subscription expired",
    495: "Units depleted",
    500: "Internal Server Error",
    520: "TikTok restricts this post",
}


def status_detail(status: int) -> str:
    """The ``detail`` an ``error_status`` fault answers with."""
    return STATUS_DETAILS.get(status, f"Emulated error {status}")


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
    error_status: int = 0  # 400-599: every API request answers this code; 0: off

    def __post_init__(self) -> None:
        for name in RATES:
            _check_range(name, getattr(self, name), 0.0, 1.0)
        for name in ("latency", "jitter", "hang_seconds"):
            _check_range(name, getattr(self, name), 0.0, MAX_SECONDS)
        _check_range("retry_after", self.retry_after, 0, 3_600)
        _check_range("max_streak", self.max_streak, 1, 1_000)
        check_status(self.error_status)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        """A copy with ``changes`` applied; unknown names or bad values raise ValueError and
        leave these settings as they are (they are frozen)."""
        known = {f.name: f.type for f in fields(self)}
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        cast: dict[str, Any] = {
            k: as_number(k, v, integer=known[k] == "int") for k, v in changes.items()
        }
        return replace(self, **cast)


def as_number(name: str, value: object, integer: bool = False) -> float:
    """``value`` (a JSON number or a numeric string) as a float or int; ValueError if not."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if integer and math.isfinite(number):
        if not number.is_integer():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        return int(number)
    return number


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}, not {value!r}")


def check_status(value: object) -> None:
    """``error_status``: 0 (off) or a whole number from 400 to 599."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (value == 0 or 400 <= value <= 599)
    ):
        raise ValueError(f"error_status must be 0 (off) or a code from 400 to 599, not {value!r}")


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

    def decide(self, api: bool = True) -> Fault:
        """The fault for the next request (``api``: under ``/apis``, not a media download)."""
        with self._lock:
            s = self.settings
            delay = s.latency + (self._rng.random() * s.jitter if s.jitter > 0 else 0.0)
            if api and s.error_status:
                return Fault(delay, "status")
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
        for kind, rate in (
            ("hang", s.hang_rate),
            ("rate_limit", s.rate_limit_rate),
            ("error", s.error_rate),
            ("malformed", s.malformed_rate),
        ):
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
