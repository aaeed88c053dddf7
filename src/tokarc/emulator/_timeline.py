"""Timelines: an endless, lazily computed sequence of post times for one source.

Slot ``k`` of a timeline happens at ``origin + floor(k * period / per) + jitter(k)`` with the
jitter smaller than the gap between slots, so slot times are strictly increasing and both
directions (slot -> time, time -> newest slot) are O(1). A source (a hashtag, a user, a sound)
has one post per slot from ``k_start`` on; "now" decides how many of them exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._rand import h32_text, key_prefix


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """The post times of one source (see the module docstring)."""

    seed: int
    key: str
    origin: int
    period: int  # seconds ...
    per: int  # ... per this many posts
    k_start: int
    jitter: bool = True
    gap: int = field(init=False, repr=False, compare=False)  # smallest gap between slots, s
    _prefix: str = field(init=False, repr=False, compare=False)  # of h32(seed, key, k)

    def __post_init__(self) -> None:
        object.__setattr__(self, "gap", max(1, self.period // self.per))
        object.__setattr__(self, "_prefix", key_prefix(self.seed, self.key))

    def time(self, k: int) -> int:
        """Unix time of slot ``k``: plus ``h32(seed, key, k) % gap`` with jitter."""
        base = self.origin + k * self.period // self.per
        if not self.jitter or self.gap <= 1:
            return base
        return base + h32_text(f"{self._prefix}{k})") % self.gap

    def top(self, t: int) -> int:
        """The newest slot at or before time ``t`` (may be below ``k_start``)."""
        d = t - self.origin
        k = ((d + 1) * self.per - 1) // self.period
        return k - 1 if self.time(k) > t else k

    def count(self, t: int) -> int:
        """How many posts exist at time ``t``."""
        return max(0, self.top(t) - self.k_start + 1)

    def count_between(self, t_min: int, t_max: int) -> int:
        """How many posts have ``t_min <= create_time <= t_max``."""
        lo = max(self.k_start, self.top(t_min - 1) + 1)
        return max(0, self.top(t_max) - lo + 1)

    def slot_at(self, t: int) -> int | None:
        """The slot created exactly at ``t``, if any."""
        k = self.top(t)
        return k if k >= self.k_start and self.time(k) == t else None
