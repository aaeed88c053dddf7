"""Retry policy: a small value, and a pure decision on each failure.

Retried: network errors, timeouts, malformed bodies, 429 (waiting what ``Retry-After`` says)
and 5xx. Never retried: other 4xx, among them the business errors 462-495 (a private user stays
private; depleted units stay depleted), and 520, which means TikTok restricts the post.
The waiting itself is stamina's (exponential backoff with jitter, capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PostRestrictedError, RateLimitError, ServerError, TransportError
from . import constants as C


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try a request, and how long to wait in between.

    ``RetryPolicy.none()`` sends once; ``RetryPolicy.instant()`` retries without sleeping
    (for tests).
    """

    attempts: int = C.RETRY_ATTEMPTS
    wait_initial: float = C.RETRY_WAIT_INITIAL
    wait_max: float = C.RETRY_WAIT_MAX
    wait_jitter: float = C.RETRY_WAIT_JITTER
    timeout: float | None = C.RETRY_TOTAL_TIMEOUT
    max_retry_after: float = C.RETRY_AFTER_MAX

    @classmethod
    def none(cls) -> RetryPolicy:
        return cls(attempts=1)

    @classmethod
    def instant(cls, attempts: int = C.RETRY_ATTEMPTS) -> RetryPolicy:
        return cls(attempts, 0.0, 0.0, 0.0, None, 0.0)

    def decide(self, exc: Exception) -> bool | float:
        """False: give up. True: back off. A float: wait exactly that long (Retry-After)."""
        if isinstance(exc, RateLimitError):
            return True if exc.retry_after is None else min(exc.retry_after, self.max_retry_after)
        if isinstance(exc, PostRestrictedError):
            return False
        return isinstance(exc, ServerError | TransportError)

    def stamina_args(self) -> dict[str, Any]:
        return {
            "on": self.decide,
            "attempts": max(1, self.attempts),
            "timeout": self.timeout,
            "wait_initial": self.wait_initial,
            "wait_max": self.wait_max,
            "wait_jitter": self.wait_jitter,
        }
